/**
 * The live feed across two hub processes on one PostgreSQL (LISTEN/NOTIFY): events stored by hub A
 * reach hub B's clients once they are committed, exactly once on each hub; alerts and upload job
 * progress too; a rolled-back transaction tells nobody.
 */
import { MAX_NOTICE_BYTES, type ServerMessage, topics } from '@oskartrack/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LiveBridge } from '../../src/cluster/live-bridge.ts';
import { eventsNotices } from '../../src/cluster/notices.ts';
import { Ingest } from '../../src/ingest/index.ts';
import { LiveFeed, type LiveSocket } from '../../src/live/feed.ts';
import { openTestDatabase, TEST_DATABASE_URL, type TestDatabase } from '../db/backends.ts';
import {
  batchPayload,
  MemoryBus,
  memoryLog,
  seedScene,
  sequence,
  visitorStream,
  waitFor,
} from '../ingest/helpers.ts';

class Socket implements LiveSocket {
  bufferedAmount = 0;
  readyState = 1;
  readonly got: ServerMessage[] = [];
  send(data: Buffer): void {
    this.got.push(JSON.parse(data.toString()) as ServerMessage);
  }
  close(): void {
    this.readyState = 3;
  }
  terminate(): void {
    this.readyState = 3;
  }
  /** The seqs of every events message, in order. */
  seqs(): number[] {
    return this.got.flatMap((m) => (m.type === 'events' ? m.events.map((e) => e.seq) : []));
  }
  of(type: ServerMessage['type']): ServerMessage[] {
    return this.got.filter((m) => m.type === type);
  }
}

const principal = { userId: 'u', name: 'u', role: 'admin' as const, storeIds: [], sessionId: 's' };
const quiet = { debug() {}, info() {}, warn() {}, error() {} };

describe('live feed over several hubs on PostgreSQL', () => {
  let t: TestDatabase;
  const stops: (() => Promise<void> | void)[] = [];
  beforeAll(async () => {
    t = await openTestDatabase('postgres');
  });
  afterAll(async () => {
    for (const stop of stops.reverse()) await stop();
    await t?.close();
  });

  async function hub(instanceId: string) {
    const feed = new LiveFeed({ repos: t.repos, log: quiet });
    const bridge = new LiveBridge({
      connectionString: TEST_DATABASE_URL,
      schema: t.schema,
      instanceId,
      db: t.db,
      feed,
      log: quiet,
    });
    await bridge.start();
    const socket = new Socket();
    feed.connect(socket, { principal, token: 't', verify: async () => principal });
    stops.push(
      () => feed.close(),
      () => bridge.stop(),
    );
    return { feed, bridge, socket };
  }

  it('events stored by hub A reach the clients of both hubs, once each', async () => {
    const scene = await seedScene(t.repos);
    const a = await hub('hub-a');
    const b = await hub('hub-b');
    const bus = new MemoryBus();
    const ingest = new Ingest({
      bus,
      db: t.handle,
      log: memoryLog(),
      announce: a.bridge.announceStored,
      onStored: (deviceId, events) => a.feed.eventsStored(deviceId, events),
    });
    await ingest.start();
    stops.push(() => ingest.stop());
    const events = sequence(visitorStream(scene.camera.id, scene.zone.id, scene.line.id, 30, Date.now()));
    bus.inject(topics.events(scene.device.id), batchPayload(events.slice(0, 100)));
    bus.inject(topics.events(scene.device.id), batchPayload(events.slice(100)));
    const all = events.map((e) => e.seq);
    await waitFor(() => b.socket.seqs().length >= all.length, 'hub B got every event', 30_000);
    await waitFor(() => a.socket.seqs().length >= all.length, 'hub A got every event', 30_000);
    await a.bridge.idle();
    await b.bridge.idle();
    expect(b.socket.seqs()).toEqual(all);
    // Hub A's clients got them from its own ingest, not a second time from its own notices.
    expect(a.socket.seqs()).toEqual(all);
    expect(a.bridge.stats.own).toBeGreaterThan(0);
    expect(b.socket.of('events')[0]).toMatchObject({ storeId: scene.store.id, deviceId: scene.device.id });
  });

  it('a transaction rolled back tells no hub', async () => {
    const scene = await seedScene(t.repos);
    const a = await hub('hub-c');
    const b = await hub('hub-d');
    const events = sequence(visitorStream(scene.camera.id, scene.zone.id, scene.line.id, 2, Date.now()), 500);
    await t.repos.events.insertEvents(scene.device.id, events);
    await expect(
      t.db.transaction(async (tx) => {
        await a.bridge.announceStored(tx, scene.device.id, events.slice(0, 3));
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    await t.db.transaction((tx) => a.bridge.announceStored(tx, scene.device.id, events.slice(3, 5)));
    await waitFor(() => b.socket.seqs().length > 0, 'the committed notice', 30_000);
    await b.bridge.idle();
    expect(b.socket.seqs()).toEqual([503, 504]);
  });

  it('alerts and upload job progress of hub A reach hub B, once', async () => {
    const scene = await seedScene(t.repos);
    const a = await hub('hub-e');
    const b = await hub('hub-f');
    const now = new Date().toISOString();
    a.feed.jobUpdated({
      id: '6f1c5b8e-6a4c-4d0e-9a51-3f0d9c1b2a77',
      storeId: scene.store.id,
      cameraId: scene.camera.id,
      fileName: 'till.mp4',
      sizeBytes: 1000,
      detector: 'yolox',
      state: 'processing',
      framesDone: 10,
      framesTotal: 100,
      fps: 5,
      error: null,
      summary: null,
      startTime: now,
      createdAt: now,
      startedAt: now,
      finishedAt: null,
    });
    a.feed.alert({
      id: '0b1f0f6e-2f55-4a8f-8a43-1d2f1c7a9e10',
      ruleId: '9d2b5d1e-7c44-4f7b-9a2e-2c9f3b8e1d55',
      storeId: scene.store.id,
      kind: 'camera_stopped',
      subject: scene.camera.id,
      state: 'firing',
      message: 'The till camera shows no picture',
      details: {},
      firedAt: now,
      clearedAt: null,
    });
    // Relayed in order: the job's progress, then the alert.
    await waitFor(() => b.socket.of('alert').length === 1, 'the alert on hub B', 30_000);
    await b.bridge.idle();
    expect(b.socket.got.filter((m) => m.type === 'job' || m.type === 'alert').map((m) => m.type)).toEqual([
      'job',
      'alert',
    ]);
    expect(a.socket.of('job')).toHaveLength(1);
    expect(a.socket.of('alert')).toHaveLength(1);
    expect(b.bridge.stats.rejected).toBe(0);
  });

  it('splits a commit with many gaps into notices under the NOTIFY limit', () => {
    const seqs = Array.from({ length: 5000 }, (_, i) => 1 + i * 2);
    const texts = eventsNotices('hub-a', 'dev-1', seqs);
    expect(texts.length).toBeGreaterThan(1);
    for (const text of texts) expect(Buffer.byteLength(text)).toBeLessThanOrEqual(MAX_NOTICE_BYTES);
    const back = texts.flatMap((text) =>
      (JSON.parse(text) as { ranges: [number, number][] }).ranges.map(([s]) => s),
    );
    expect(back).toEqual(seqs);
  });
});
