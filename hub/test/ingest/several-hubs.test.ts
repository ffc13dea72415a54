/**
 * Several hub processes on one database, each with its own ingest (its own memory), dealt one device's
 * batches as MQTT shared subscriptions do: any hub may get any batch, in any order, concurrently.
 */
import { type SequencedEvent, type TrackingEvent, topics } from '@oskartrack/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rebuildSummaries } from '../../src/aggregate/index.ts';
import { type DatabaseHandle, openDatabase } from '../../src/db/database.ts';
import { createRepositories, type Repositories } from '../../src/db/repositories/index.ts';
import { Ingest } from '../../src/ingest/index.ts';
import { BACKENDS, openTestDatabase, TEST_DATABASE_URL, type TestDatabase } from '../db/backends.ts';
import {
  batchPayload,
  chunks,
  MemoryBus,
  memoryLog,
  seedScene,
  sequence,
  visitorStream,
  waitFor,
} from './helpers.ts';

const HOUR = 3_600_000;

/** Every summary row of a store, comparable with toEqual. */
async function summaryRows(repos: Repositories, storeId: string, around: number) {
  const out = [];
  for (const period of ['hour', 'day'] as const) {
    const rows = await repos.summaries.list({
      period,
      storeId,
      from: new Date(around - 30 * 24 * HOUR),
      to: new Date(around + 30 * 24 * HOUR),
    });
    out.push(
      ...rows.map((r) => ({
        period: r.period,
        bucketStart: r.bucketStart.toISOString(),
        cameraId: r.cameraId,
        zoneId: r.zoneId,
        visitors: r.visitors,
        entries: r.entries,
        exits: r.exits,
        dwellCount: r.dwellCount,
        totalDwellMs: r.totalDwellMs,
        peakOccupancy: r.peakOccupancy,
      })),
    );
  }
  return out;
}

interface Hub {
  bus: MemoryBus;
  ingest: Ingest;
}

describe.each(BACKENDS)('several hubs ingesting on %s', (kind) => {
  let t: TestDatabase;
  /** A second connection pool on the same database, as another hub process has (postgres only). */
  let other: DatabaseHandle | undefined;
  const running: Ingest[] = [];
  beforeAll(async () => {
    t = await openTestDatabase(kind);
    if (kind === 'postgres')
      other = await openDatabase(
        { databaseUrl: TEST_DATABASE_URL, dataDir: '/tmp' },
        { schema: t.schema!, maxConnections: 4 },
      );
  });
  afterAll(async () => {
    for (const i of running) await i.stop();
    await other?.close();
    await t?.close();
  });

  async function startHub(handle: DatabaseHandle): Promise<Hub> {
    const bus = new MemoryBus();
    const ingest = new Ingest({ bus, db: handle, log: memoryLog(), retryDelayMs: 20, maxRetryDelayMs: 100 });
    await ingest.start();
    running.push(ingest);
    return { bus, ingest };
  }

  /** Every ack a hub sends claims only seqs the database holds. */
  function checkAcks(hub: Hub, deviceId: string, seen: number[]): void {
    hub.bus.beforePublish = async (p) => {
      if (!p.topic.endsWith('/ack')) return;
      const upTo = (JSON.parse(p.payload) as { upToSeq: number }).upToSeq;
      seen.push(upTo);
      const held = await t.repos.events.storedRunEnd(deviceId, 1);
      if (held < upTo) throw new Error(`ack of ${upTo} while the database holds up to ${held}`);
    };
  }

  async function twoHubs(): Promise<[Hub, Hub]> {
    return [await startHub(t.handle), await startHub(other ?? t.handle)];
  }

  it('batches dealt over two hubs out of order and repeated: acked gap-free, summaries equal a rebuild', async () => {
    const scene = await seedScene(t.repos, 'Europe/Berlin');
    const hubs = await twoHubs();
    const dev = scene.device.id;
    const seen: number[] = [];
    for (const hub of hubs) checkAcks(hub, dev, seen);
    const t0 = Date.parse('2025-06-02T20:30:00Z');
    const events = sequence(visitorStream(scene.camera.id, scene.zone.id, scene.line.id, 150, t0, 60_000));
    const batches = chunks(events, 13);
    let seed = 11;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    // Mostly in order (the agent sends its outbox oldest first), some swapped, some sent again.
    const order = batches
      .map((_, i) => ({ i, key: i + (random() < 0.3 ? 2.5 : 0) }))
      .sort((a, b) => a.key - b.key);
    order.forEach(({ i }, n) => {
      const payload = batchPayload(batches[i]!, 1);
      hubs[n % 2]!.bus.inject(topics.events(dev), payload);
      if (random() < 0.2) hubs[(n + 1) % 2]!.bus.inject(topics.events(dev), payload);
    });
    await waitFor(() => seen.includes(events.length), 'an ack of every event', 60_000);
    for (const hub of hubs) await hub.ingest.idle();
    const incremental = await summaryRows(t.repos, scene.store.id, t0);
    expect(incremental.length).toBeGreaterThan(10);
    const result = await rebuildSummaries(t.db, {
      storeId: scene.store.id,
      from: new Date(t0 - 24 * HOUR),
      to: new Date(t0 + 24 * HOUR),
    });
    expect(result.events).toBe(events.length);
    expect(await summaryRows(t.repos, scene.store.id, t0)).toEqual(incremental);
    expect(Math.max(...incremental.map((r) => r.peakOccupancy))).toBeGreaterThan(1);
    const counted = incremental
      .filter((r) => r.period === 'day' && r.zoneId === null)
      .reduce((a, r) => a + r.visitors, 0);
    expect(counted).toBe(150);
  });

  it('events one hub held above a gap count in the occupancy when another hub closes the gap', async () => {
    const scene = await seedScene(t.repos);
    const [a, b] = await twoHubs();
    const dev = scene.device.id;
    const at = Date.parse('2025-06-03T10:05:00Z');
    const cam = scene.camera.id;
    const started = (trackId: number, ms: number): TrackingEvent => ({
      kind: 'track_started',
      cameraId: cam,
      at: at + ms,
      trackId,
      box: [10, 20, 30, 60],
    });
    const ended = (trackId: number, ms: number): TrackingEvent => ({
      kind: 'track_ended',
      cameraId: cam,
      at: at + ms,
      trackId,
      firstSeen: at,
      durationMs: ms,
    });
    // One person comes and goes, then two come in: at most two inside at once, three after seq 5.
    const events: SequencedEvent[] = sequence([
      started(1, 0),
      ended(1, 1000),
      started(2, 2000),
      started(3, 3000),
      started(4, 4000),
    ]);
    const topic = topics.events(dev);
    a.bus.inject(topic, batchPayload(events.slice(2, 4), 1)); // above the gap: waits on hub A
    await waitFor(() => a.ingest.stats().groups === 1, 'hub A stored seqs 3-4');
    b.bus.inject(topic, batchPayload(events.slice(0, 2), 1)); // hub B closes the gap
    await waitFor(() => b.bus.lastAck(dev) === 4, 'hub B acked 4');
    const peak = async () => {
      const hours = await t.repos.summaries.list({
        period: 'hour',
        storeId: scene.store.id,
        from: new Date(at - HOUR),
        to: new Date(at + HOUR),
      });
      return hours.find((h) => h.zoneId === null)?.peakOccupancy;
    };
    expect(await peak()).toBe(2);
    a.bus.inject(topic, batchPayload(events.slice(4), 1)); // back to hub A, whose copy is stale now
    await waitFor(() => a.bus.lastAck(dev) === 5, 'hub A acked 5');
    expect(await peak()).toBe(3);
  });

  it('a device row records the point acked', async () => {
    const scene = await seedScene(t.repos);
    const [a, b] = await twoHubs();
    const dev = scene.device.id;
    const events = sequence(visitorStream(scene.camera.id, scene.zone.id, scene.line.id, 4, Date.now()));
    a.bus.inject(topics.events(dev), batchPayload(events.slice(0, 10), 1));
    await waitFor(() => a.bus.lastAck(dev) === 10, 'hub A acked 10');
    b.bus.inject(topics.events(dev), batchPayload(events.slice(10), 1));
    await waitFor(() => b.bus.lastAck(dev) === events.length, 'hub B acked all');
    const repos = createRepositories(t.db);
    const row = await repos.deviceProgress.lock(dev);
    expect(row.ackedUpTo).toBe(events.length);
    expect(row.version).toBe(2);
  });
});
