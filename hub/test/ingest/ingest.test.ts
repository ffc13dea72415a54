import { type SequencedEvent, type TrackingEvent, topics } from '@oskartrack/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rebuildSummaries } from '../../src/aggregate/index.ts';
import { openDatabase } from '../../src/db/database.ts';
import { createRepositories, type Repositories } from '../../src/db/repositories/index.ts';
import { Ingest, type IngestOptions } from '../../src/ingest/index.ts';
import { runRetention } from '../../src/retention/run.ts';
import { BACKENDS, openTestDatabase, TEST_DATABASE_URL, type TestDatabase } from '../db/backends.ts';
import {
  addDevice,
  batchPayload,
  CuttableProxy,
  chunks,
  ENROLLED,
  MemoryBus,
  memoryLog,
  seedScene,
  sequence,
  sleep,
  visitorEvents,
  visitorStream,
  waitFor,
} from './helpers.ts';

const T0 = Date.parse('2025-06-02T09:00:00Z');
const HOUR = 3_600_000;
const WIDE = { from: new Date(T0 - 24 * HOUR), to: new Date(T0 + 24 * HOUR) };

/** Every summary row of a store, comparable with toEqual. */
async function summaryRows(repos: Repositories, storeId: string) {
  const out = [];
  for (const period of ['hour', 'day'] as const) {
    const rows = await repos.summaries.list({
      period,
      storeId,
      from: new Date(T0 - 30 * 24 * HOUR),
      to: new Date(T0 + 30 * 24 * HOUR),
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

describe.each(BACKENDS)('ingest on %s', (kind) => {
  let t: TestDatabase;
  const running: Ingest[] = [];
  beforeAll(async () => {
    t = await openTestDatabase(kind);
  });
  afterAll(async () => {
    for (const i of running) await i.stop();
    await t?.close();
  });

  async function startIngest(bus = new MemoryBus(), options: Partial<IngestOptions> = {}) {
    const log = memoryLog();
    const ingest = new Ingest({ bus, db: t.handle, log, retryDelayMs: 20, maxRetryDelayMs: 100, ...options });
    await ingest.start();
    running.push(ingest);
    return { bus, ingest, log };
  }

  it('stores a batch once when redelivered, acks again, and counts it once in the summaries', async () => {
    const scene = await seedScene(t.repos);
    const { bus, ingest } = await startIngest();
    const events = sequence(visitorStream(scene.camera.id, scene.zone.id, scene.line.id, 10, T0));
    const topic = topics.events(scene.device.id);
    const payload = batchPayload(events);
    bus.inject(topic, payload);
    await waitFor(() => bus.acks(scene.device.id).length === 1, 'first ack');
    const before = await summaryRows(t.repos, scene.store.id);
    bus.inject(topic, payload);
    // Cut at other seqs, every one of them queued just before: left out.
    bus.inject(topic, batchPayload(events.slice(5, 20)));
    await waitFor(() => bus.acks(scene.device.id).length === 2, 'ack of the redelivery');
    await ingest.idle();
    expect(bus.acks(scene.device.id)).toEqual([events.length, events.length]);
    const count = await t.repos.events.countByKind({
      deviceId: scene.device.id,
      from: new Date(T0 - HOUR),
      to: new Date(T0 + 10 * HOUR),
    });
    expect(Object.values(count).reduce((a, b) => a + b, 0)).toBe(events.length);
    expect(await summaryRows(t.repos, scene.store.id)).toEqual(before);
    const visits = await t.repos.visits.list({
      storeId: scene.store.id,
      from: new Date(T0 - HOUR),
      to: new Date(T0 + HOUR),
    });
    expect(visits.items).toHaveLength(10);
    expect(visits.items.every((v) => v.customerId !== null)).toBe(true);
    // Visitor 2 spent time in the area (every third visitor does not): its zone visit is stored.
    const second = await t.repos.visits.get(visits.items[1]!.id);
    expect(second.zones.map((z) => z.zoneId)).toEqual([scene.zone.id]);
    expect((await t.repos.visits.get(visits.items[0]!.id)).zones).toEqual([]);
    const customer = await t.repos.customers.get(second.customerId!);
    expect(customer.visitCount).toBe(1);
    const stats = ingest.stats();
    // All at or below the point this hub committed: acknowledged again without a transaction.
    expect(stats).toMatchObject({ stored: events.length, visits: 10, rejected: 0, groups: 1, copies: 1 });
    expect(stats.duplicates).toBe(events.length);
  });

  it('stores a redelivery in a transaction when this hub does not know the point (another hub, a restart)', async () => {
    const scene = await seedScene(t.repos);
    const events = sequence(visitorStream(scene.camera.id, scene.zone.id, scene.line.id, 4, T0));
    const topic = topics.events(scene.device.id);
    const first = await startIngest();
    first.bus.inject(topic, batchPayload(events));
    await waitFor(() => first.bus.lastAck(scene.device.id) === events.length, 'first ack');
    await first.ingest.idle();
    const before = await summaryRows(t.repos, scene.store.id);
    const second = await startIngest();
    second.bus.inject(topic, batchPayload(events));
    await waitFor(() => second.bus.lastAck(scene.device.id) === events.length, 'ack of the redelivery');
    await second.ingest.idle();
    expect(second.ingest.stats()).toMatchObject({ groups: 1, stored: 0, duplicates: events.length });
    expect(await summaryRows(t.repos, scene.store.id)).toEqual(before);
  });

  it('stores a submitted batch below the point in a transaction: only a box resend is acknowledged unseen', async () => {
    const scene = await seedScene(t.repos);
    const { bus, ingest } = await startIngest();
    const events = sequence(visitorStream(scene.camera.id, scene.zone.id, scene.line.id, 6, T0));
    const [early, late] = [events.slice(0, 10), events.slice(10)];
    // The box's floor jumps past the early seqs: the point passes them with none of them stored.
    bus.inject(topics.events(scene.device.id), batchPayload(late, late[0]!.seq));
    await waitFor(() => bus.lastAck(scene.device.id) === events.length, 'ack of the late batch');
    await ingest.submit(scene.device.id, { v: 1, sentAt: Date.now(), floor: 1, events: early });
    await ingest.idle();
    expect(ingest.stats()).toMatchObject({ groups: 2, stored: events.length });
    expect(await t.repos.events.lastSeq(scene.device.id)).toBe(events.length);
  });

  it('calls onStored with the new events only', async () => {
    const scene = await seedScene(t.repos);
    const seen: SequencedEvent[] = [];
    const { bus, ingest } = await startIngest(new MemoryBus(), {
      onStored: (deviceId, events) => {
        expect(deviceId).toBe(scene.device.id);
        seen.push(...events);
      },
    });
    const events = sequence(visitorStream(scene.camera.id, scene.zone.id, scene.line.id, 3, T0));
    bus.inject(topics.events(scene.device.id), batchPayload(events.slice(0, 8)));
    bus.inject(topics.events(scene.device.id), batchPayload(events.slice(4)));
    await waitFor(() => bus.lastAck(scene.device.id) === events.length, 'ack');
    await ingest.idle();
    expect(seen.map((e) => e.seq)).toEqual(events.map((e) => e.seq));
  });

  it('acks the gap-free point with out-of-order batches, and jumps to floor - 1', async () => {
    const scene = await seedScene(t.repos);
    const { bus, ingest } = await startIngest();
    const events = sequence(visitorStream(scene.camera.id, scene.zone.id, scene.line.id, 10, T0));
    const [a, b, c, d, e] = chunks(events.slice(0, 50), 10);
    const topic = topics.events(scene.device.id);
    const dev = scene.device.id;
    // The fresh lane overtakes the backlog: b and c arrive before a (floor says 1 is still pending).
    bus.inject(topic, batchPayload(b!, 1));
    bus.inject(topic, batchPayload(c!, 1));
    await waitFor(() => ingest.stats().groups >= 1 && ingest.queued() === 0, 'b and c stored');
    await ingest.idle();
    expect(bus.acks(dev)).toEqual([]);
    expect(ingest.ackedUpTo(dev)).toBe(0);
    bus.inject(topic, batchPayload(a!, 1));
    await waitFor(() => bus.lastAck(dev) === 30, 'ack 30');
    // d is lost for good (the agent's outbox dropped it): e's floor says so.
    bus.inject(topic, batchPayload(e!, e![0]!.seq));
    await waitFor(() => bus.lastAck(dev) === e!.at(-1)!.seq, 'ack past the dropped batch');
    expect(d![0]!.seq).toBe(31);
    // A late resend of d is stored all the same and acknowledged at the same point.
    bus.inject(topic, batchPayload(d!, 31));
    await waitFor(() => bus.acks(dev).length === 3, 'ack of the resend');
    expect(bus.acks(dev)).toEqual([30, 50, 50]);
  });

  it('acks only after the commit: the stored events are visible from another connection', async () => {
    const scene = await seedScene(t.repos);
    const bus = new MemoryBus();
    const other =
      kind === 'postgres'
        ? await openDatabase(
            { databaseUrl: TEST_DATABASE_URL, dataDir: '/tmp' },
            { schema: t.schema!, maxConnections: 1 },
          )
        : t.handle;
    const seenAtAck: number[] = [];
    bus.beforePublish = async (p) => {
      if (!p.topic.endsWith('/ack')) return;
      const upTo = (JSON.parse(p.payload) as { upToSeq: number }).upToSeq;
      const last = await createRepositories(other.db).events.lastSeq(scene.device.id);
      seenAtAck.push(last - upTo);
    };
    const { ingest } = await startIngest(bus);
    const events = sequence(visitorStream(scene.camera.id, scene.zone.id, scene.line.id, 30, T0));
    for (const c of chunks(events, 25)) bus.inject(topics.events(scene.device.id), batchPayload(c));
    await waitFor(() => bus.lastAck(scene.device.id) === events.length, 'all acked');
    await ingest.idle();
    expect(seenAtAck.length).toBeGreaterThan(0);
    expect(seenAtAck.every((d) => d >= 0)).toBe(true);
    if (other !== t.handle) await other.close();
  });

  it('a flood of malformed and oversized messages does not stop a good device', async () => {
    const scene = await seedScene(t.repos);
    const { bus, ingest, log } = await startIngest(new MemoryBus(), { maxPayloadBytes: 200_000 });
    const bad = 'dev-bad';
    const good = sequence(visitorStream(scene.camera.id, scene.zone.id, scene.line.id, 40, T0));
    const goodBatches = chunks(good, 20);
    const sample = good.slice(0, 3);
    const garbage: (string | Buffer)[] = [
      'not json',
      '{"v":1}',
      Buffer.alloc(300_000, 0x7b),
      JSON.stringify({ v: 1, sentAt: 1, floor: 1, events: [] }),
      JSON.stringify({ v: 2, sentAt: 1, floor: 1, events: sample }),
      JSON.stringify({ v: 1, sentAt: 1, floor: 1, events: [sample[1], sample[0]] }),
      JSON.stringify({ v: 1, sentAt: 1, floor: 9, events: sample }),
      JSON.stringify({
        v: 1,
        sentAt: 1,
        floor: 1,
        events: [{ seq: 1, event: { ...sample[0]!.event, kind: 'teleported' } }],
      }),
      Buffer.from([0xff, 0xfe, 0x00]),
      'null',
    ];
    let n = 0;
    for (const batch of goodBatches) {
      for (let i = 0; i < 50; i++) {
        const g = garbage[n++ % garbage.length]!;
        bus.inject(topics.events(i % 2 ? bad : scene.device.id), g);
      }
      bus.inject(topics.events(scene.device.id), batchPayload(batch));
    }
    // Not a device topic, or another channel: ignored.
    bus.inject('oskartrack/v1/devices/x/y/events', 'x');
    await waitFor(() => bus.lastAck(scene.device.id) === good.length, 'good device acked');
    await ingest.idle();
    expect(ingest.stats().rejected).toBe(goodBatches.length * 50);
    expect(bus.acks(bad)).toEqual([]);
    // Rate-limited: a handful of lines per device, not a thousand.
    const warnings = log.lines.filter((l) => l.msg.startsWith('event batch rejected'));
    expect(warnings.length).toBeLessThanOrEqual(12);
    expect(warnings.length).toBeGreaterThan(0);
  });

  it('late events land in the hour they happened, not the hour they arrived', async () => {
    const scene = await seedScene(t.repos);
    const { bus, ingest } = await startIngest();
    // A box offline for a day sends yesterday afternoon's visitors now.
    const yesterday = Date.now() - 24 * HOUR;
    const at = Math.floor(yesterday / HOUR) * HOUR - 3 * HOUR + 10 * 60_000;
    const events = sequence(
      visitorEvents(scene.camera.id, scene.zone.id, scene.line.id, {
        trackId: 7,
        at,
        durationMs: 60_000,
        zoneMs: 20_000,
        crosses: true,
      }),
    );
    bus.inject(topics.events(scene.device.id), batchPayload(events));
    await waitFor(() => bus.lastAck(scene.device.id) === events.length, 'ack');
    await ingest.idle();
    const hours = await t.repos.summaries.list({
      period: 'hour',
      storeId: scene.store.id,
      from: new Date(at - 48 * HOUR),
      to: new Date(Date.now() + HOUR),
    });
    const bucket = Math.floor(at / HOUR) * HOUR;
    expect(new Set(hours.map((h) => h.bucketStart.getTime()))).toEqual(new Set([bucket]));
    const cam = hours.find((h) => h.zoneId === null)!;
    expect(cam).toMatchObject({ visitors: 1, entries: 1, exits: 1, dwellCount: 1, totalDwellMs: 60_000 });
    expect(cam.peakOccupancy).toBe(1);
    const zone = hours.find((h) => h.zoneId === scene.zone.id)!;
    expect(zone).toMatchObject({ visitors: 1, entries: 1, exits: 1, dwellCount: 1, totalDwellMs: 20_000 });
    const days = await t.repos.summaries.list({
      period: 'day',
      storeId: scene.store.id,
      from: new Date(at - 48 * HOUR),
      to: new Date(Date.now() + HOUR),
    });
    expect(days.map((d) => d.bucketStart.getTime())).toEqual([
      Math.floor(at / (24 * HOUR)) * 24 * HOUR,
      Math.floor(at / (24 * HOUR)) * 24 * HOUR,
    ]);
  });

  it('incremental summaries equal a rebuild, with shuffled, duplicated batches from two devices', async () => {
    const scene = await seedScene(t.repos, 'Europe/Berlin');
    const second = await addDevice(t.repos, scene.store.id);
    const { bus, ingest } = await startIngest();
    // 120 visitors over ~3 hours per device, across local midnight in Berlin (22:00 UTC).
    const t0 = Date.parse('2025-06-02T20:30:00Z');
    const streams = [
      {
        dev: scene.device.id,
        events: sequence(visitorStream(scene.camera.id, scene.zone.id, scene.line.id, 120, t0, 90_000)),
      },
      {
        dev: second.device.id,
        events: sequence(visitorStream(second.camera.id, second.zone.id, 'door-2', 120, t0 + 7_000, 85_000)),
      },
    ];
    let seed = 7;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (const { dev, events } of streams) {
      const batches = chunks(events, 17);
      // Deliver in a scrambled order with repeats, as resends over two lanes would.
      const order = batches.map((_, i) => i).sort(() => random() - 0.5);
      for (const i of order) {
        bus.inject(topics.events(dev), batchPayload(batches[i]!, 1));
        if (random() < 0.3) bus.inject(topics.events(dev), batchPayload(batches[i]!, 1));
      }
    }
    for (const { dev, events } of streams)
      await waitFor(() => bus.lastAck(dev) === events.length, `all of ${dev} acked`);
    await ingest.idle();
    const incremental = await summaryRows(t.repos, scene.store.id);
    expect(incremental.length).toBeGreaterThan(20);
    // The Berlin day starts at 22:00 UTC.
    expect(incremental.filter((r) => r.period === 'day').map((r) => r.bucketStart)).toContain(
      '2025-06-02T22:00:00.000Z',
    );
    const result = await rebuildSummaries(t.db, {
      storeId: scene.store.id,
      from: new Date(t0 - 24 * HOUR),
      to: new Date(t0 + 24 * HOUR),
    });
    expect(result.events).toBe(streams[0]!.events.length + streams[1]!.events.length);
    expect(await summaryRows(t.repos, scene.store.id)).toEqual(incremental);
    // Visits were counted once: the sum of camera visitors equals the visitors sent.
    const dayVisitors = incremental
      .filter((r) => r.period === 'day' && r.zoneId === null)
      .reduce((a, r) => a + r.visitors, 0);
    expect(dayVisitors).toBe(240);
    expect(Math.max(...incremental.map((r) => r.peakOccupancy))).toBeGreaterThan(1);
  });

  it('a resend of events retention removed is acknowledged, not stored again or counted twice', async () => {
    const scene = await seedScene(t.repos);
    const { bus, ingest } = await startIngest();
    const events = sequence(visitorStream(scene.camera.id, scene.zone.id, scene.line.id, 5, T0));
    const topic = topics.events(scene.device.id);
    bus.inject(topic, batchPayload(events));
    await waitFor(() => bus.lastAck(scene.device.id) === events.length, 'first ack');
    await ingest.idle();
    await t.repos.stores.update(scene.store.id, { rawRetentionDays: 30 });
    const removed = await runRetention(t.db, { now: new Date(T0 + 60 * 24 * HOUR) });
    expect(removed.eventsDeleted).toBe(events.length);
    const before = await summaryRows(t.repos, scene.store.id);
    // The ack got lost and the hub restarted (it no longer knows the point): the box sends the batch again.
    await ingest.stop();
    const again = await startIngest(bus);
    bus.inject(topic, batchPayload(events));
    await waitFor(() => bus.acks(scene.device.id).length === 2, 'ack of the resend');
    await again.ingest.idle();
    expect(again.ingest.stats().groups).toBe(1);
    expect(bus.lastAck(scene.device.id)).toBe(events.length);
    const count = await t.repos.events.countByKind({
      deviceId: scene.device.id,
      from: WIDE.from,
      to: WIDE.to,
    });
    expect(Object.values(count).reduce((a, b) => a + b, 0)).toBe(0);
    expect(await summaryRows(t.repos, scene.store.id)).toEqual(before);
  });

  it('after a hub restart, acks from the first batch floor and the run already stored', async () => {
    const scene = await seedScene(t.repos);
    const events = sequence(visitorStream(scene.camera.id, scene.zone.id, scene.line.id, 10, T0));
    const topic = topics.events(scene.device.id);
    const first = await startIngest();
    first.bus.inject(topic, batchPayload(events.slice(0, 40)));
    await waitFor(() => first.bus.lastAck(scene.device.id) === 40, 'first ack');
    await first.ingest.stop();
    // The ack of 40 got lost; the hub restarts; the agent's fresh lane sends 51.. before the backlog.
    const second = await startIngest();
    second.bus.inject(topic, batchPayload(events.slice(50), 1));
    await waitFor(() => second.ingest.stats().groups === 1, 'fresh batch stored');
    await second.ingest.idle();
    expect(second.bus.acks(scene.device.id)).toEqual([40]);
    second.bus.inject(topic, batchPayload(events.slice(0, 50), 1));
    await waitFor(() => second.bus.lastAck(scene.device.id) === events.length, 'all acked');
  });

  it('after a hub restart, people already inside still count in the peak occupancy', async () => {
    const scene = await seedScene(t.repos);
    const topic = topics.events(scene.device.id);
    const at = Math.floor(Date.now() / HOUR) * HOUR - 2 * HOUR + 60_000;
    const started = (trackId: number, ms: number): TrackingEvent => ({
      kind: 'track_started',
      cameraId: scene.camera.id,
      at: at + ms,
      trackId,
      box: [10, 20, 30, 60],
    });
    const entered = (trackId: number, ms: number): TrackingEvent => ({
      kind: 'zone_entered',
      cameraId: scene.camera.id,
      at: at + ms,
      trackId,
      zoneId: scene.zone.id,
    });
    const events = sequence([started(1, 0), entered(1, 500), started(2, 1000), entered(2, 1500)]);
    const first = await startIngest();
    first.bus.inject(topic, batchPayload(events));
    await waitFor(() => first.bus.lastAck(scene.device.id) === 4, 'first ack');
    await first.ingest.stop();
    // The hub restarts while both are inside; a third person comes in.
    const second = await startIngest();
    const more = sequence([started(3, 2000), entered(3, 2500)], 5);
    second.bus.inject(topic, batchPayload(more));
    await waitFor(() => second.bus.lastAck(scene.device.id) === 6, 'second ack');
    await second.ingest.idle();
    const hours = await t.repos.summaries.list({
      period: 'hour',
      storeId: scene.store.id,
      from: new Date(at - HOUR),
      to: new Date(at + HOUR),
    });
    expect(hours.find((h) => h.zoneId === null)?.peakOccupancy).toBe(3);
    expect(hours.find((h) => h.zoneId === scene.zone.id)?.peakOccupancy).toBe(3);
  });

  it("keeps events of cameras that are not the box's own as dead letters, and acks them only then", async () => {
    const scene = await seedScene(t.repos);
    const other = await addDevice(t.repos, scene.store.id);
    const { bus, ingest, log } = await startIngest();
    const unknown = visitorStream('cam-deleted', scene.zone.id, scene.line.id, 2, T0);
    const borrowed = visitorStream(other.camera.id, other.zone.id, scene.line.id, 1, T0);
    const own = visitorStream(scene.camera.id, scene.zone.id, scene.line.id, 1, T0);
    const events = sequence([...unknown, ...borrowed, ...own]);
    bus.inject(topics.events(scene.device.id), batchPayload(events));
    await waitFor(() => bus.lastAck(scene.device.id) === events.length, 'ack');
    // The ack went out after the commit: every acknowledged seq is stored or a dead letter.
    const letters = await t.repos.deadLetters.listForDevice(scene.device.id);
    const stored = await t.repos.events.list({ deviceId: scene.device.id, ...WIDE, limit: 1000 });
    expect(letters.length + stored.items.length).toBe(events.length);
    expect(stored.items.every((e) => e.payload.cameraId === scene.camera.id)).toBe(true);
    expect(new Set(letters.map((l) => `${l.cameraId}: ${l.reason}`))).toEqual(
      new Set(['cam-deleted: unknown camera', `${other.camera.id}: camera of another box`]),
    );
    expect(ingest.stats().deadLettered).toBe(letters.length);
    expect(log.lines.some((l) => l.msg.includes('dead letters'))).toBe(true);

    // Redelivered: acknowledged again, kept once.
    bus.inject(topics.events(scene.device.id), batchPayload(events));
    await waitFor(() => bus.acks(scene.device.id).length === 2, 'second ack');
    expect(await t.repos.deadLetters.listForDevice(scene.device.id)).toHaveLength(letters.length);
    const summary = await t.repos.deadLetters.summary({ storeIds: [scene.store.id] });
    expect(summary.map((g) => [g.cameraId, g.count]).sort()).toEqual(
      [
        ['cam-deleted', letters.filter((l) => l.cameraId === 'cam-deleted').length],
        [other.camera.id, letters.filter((l) => l.cameraId === other.camera.id).length],
      ].sort(),
    );
  });

  it('stores the events of a box enrolled again for the cameras it is about to take over', async () => {
    // The new identity runs the old one's cameras at once; its first batch can beat the takeover.
    const scene = await seedScene(t.repos);
    const renewed = await t.repos.devices.create({
      storeId: scene.store.id,
      name: 'Till box',
      credentialHash: ENROLLED,
      replacesDeviceId: scene.device.id,
    });
    const { bus } = await startIngest();
    const events = sequence(visitorStream(scene.camera.id, scene.zone.id, scene.line.id, 1, T0));
    bus.inject(topics.events(renewed.id), batchPayload(events));
    await waitFor(() => bus.lastAck(renewed.id) === events.length, 'ack');
    expect(await t.repos.deadLetters.listForDevice(renewed.id)).toEqual([]);
    const stored = await t.repos.events.list({ deviceId: renewed.id, ...WIDE, limit: 1000 });
    expect(stored.items).toHaveLength(events.length);
  });

  it('an unknown device gets no ack and does not stop the others', async () => {
    const scene = await seedScene(t.repos);
    const { bus, ingest, log } = await startIngest();
    const events = sequence(visitorStream(scene.camera.id, scene.zone.id, scene.line.id, 2, T0));
    bus.inject(topics.events('dev-unknown'), batchPayload(events));
    bus.inject(topics.events(scene.device.id), batchPayload(events));
    await waitFor(() => bus.lastAck(scene.device.id) === events.length, 'ack');
    await ingest.idle();
    expect(bus.acks('dev-unknown')).toEqual([]);
    expect(ingest.stats().refused).toBe(1);
    expect(log.lines.filter((l) => l.msg.includes('does not know'))).toHaveLength(1);
  });

  it('a revoked device is refused: nothing stored, nothing acknowledged', async () => {
    const scene = await seedScene(t.repos);
    const { bus, ingest } = await startIngest();
    const events = sequence(visitorStream(scene.camera.id, scene.zone.id, scene.line.id, 2, T0));
    await t.repos.devices.setCredential(scene.device.id, null);
    const third = Math.ceil(events.length / 3);
    for (let i = 0; i < 3; i++) {
      bus.inject(topics.events(scene.device.id), batchPayload(events.slice(i * third, (i + 1) * third)));
    }
    await waitFor(() => ingest.stats().refused === 3, 'three refusals');
    await ingest.idle();
    expect(bus.acks(scene.device.id)).toEqual([]);
    expect((await t.repos.events.list({ deviceId: scene.device.id, ...WIDE })).items).toEqual([]);
    expect(await t.repos.deadLetters.listForDevice(scene.device.id)).toEqual([]);
  });
});

describe('ingest with the database down (postgres)', () => {
  let t: TestDatabase;
  let proxy: CuttableProxy;
  beforeAll(async () => {
    t = await openTestDatabase('postgres');
    const url = new URL(TEST_DATABASE_URL);
    proxy = new CuttableProxy(url.hostname, Number(url.port || 5432));
    await proxy.start();
  });
  afterAll(async () => {
    await proxy?.close();
    await t?.close();
  });

  it('acks nothing while the database is unreachable, then stores everything once when it is back', async () => {
    const scene = await seedScene(t.repos);
    const url = new URL(TEST_DATABASE_URL);
    url.hostname = '127.0.0.1';
    url.port = String(proxy.port);
    const poolErrors: Error[] = [];
    const handle = await openDatabase(
      { databaseUrl: url.toString(), dataDir: '/tmp' },
      { schema: t.schema!, maxConnections: 2, onPoolError: (e) => poolErrors.push(e) },
    );
    const bus = new MemoryBus();
    const ingest = new Ingest({ bus, db: handle, log: memoryLog(), retryDelayMs: 50, maxRetryDelayMs: 200 });
    await ingest.start();
    const events = sequence(visitorStream(scene.camera.id, scene.zone.id, scene.line.id, 20, T0));
    const [a, b, c] = chunks(events, 40);
    const topic = topics.events(scene.device.id);
    bus.inject(topic, batchPayload(a!));
    await waitFor(() => bus.lastAck(scene.device.id) === 40, 'ack before the outage');

    proxy.cut();
    bus.inject(topic, batchPayload(b!));
    bus.inject(topic, batchPayload(c!));
    await waitFor(() => ingest.stats().retries >= 3, `retries ${JSON.stringify(ingest.stats())}`);
    await sleep(300);
    expect(bus.acks(scene.device.id)).toEqual([40]);
    expect(ingest.stats().dbErrors).toBeGreaterThan(0);

    proxy.restore();
    await waitFor(
      () => bus.lastAck(scene.device.id) === events.length,
      `ack after the outage ${JSON.stringify(ingest.stats())} ${bus.acks(scene.device.id)}`,
    );
    await ingest.idle();
    expect(await t.repos.events.lastSeq(scene.device.id)).toBe(events.length);
    const counts = await t.repos.events.countByKind({
      deviceId: scene.device.id,
      from: new Date(T0 - HOUR),
      to: new Date(T0 + 10 * HOUR),
    });
    expect(Object.values(counts).reduce((x, y) => x + y, 0)).toBe(events.length);
    await ingest.stop();
    await handle.close();
  });

  it('gives up after maxRetries without acking (the agent resends), and keeps serving', async () => {
    const scene = await seedScene(t.repos);
    const url = new URL(TEST_DATABASE_URL);
    url.hostname = '127.0.0.1';
    url.port = String(proxy.port);
    const handle = await openDatabase(
      { databaseUrl: url.toString(), dataDir: '/tmp' },
      { schema: t.schema!, maxConnections: 2, onPoolError: () => {} },
    );
    const bus = new MemoryBus();
    const log = memoryLog();
    const ingest = new Ingest({ bus, db: handle, log, retryDelayMs: 10, maxRetryDelayMs: 20, maxRetries: 3 });
    await ingest.start();
    const events = sequence(visitorStream(scene.camera.id, scene.zone.id, scene.line.id, 5, T0));
    proxy.cut();
    bus.inject(topics.events(scene.device.id), batchPayload(events));
    await waitFor(() => ingest.stats().failedGroups === 1, 'given up');
    expect(bus.acks(scene.device.id)).toEqual([]);
    proxy.restore();
    // The agent's resend after its ack timeout.
    bus.inject(topics.events(scene.device.id), batchPayload(events));
    await waitFor(() => bus.lastAck(scene.device.id) === events.length, 'ack of the resend');
    await ingest.stop();
    await handle.close();
  });
});

describe('ingest with the database closed (pglite)', () => {
  it('never acks when the database is gone, and never throws', async () => {
    const t = await openTestDatabase('pglite');
    const scene = await seedScene(t.repos);
    const bus = new MemoryBus();
    const ingest = new Ingest({
      bus,
      db: t.handle,
      log: memoryLog(),
      retryDelayMs: 10,
      maxRetryDelayMs: 20,
      maxRetries: 2,
    });
    await ingest.start();
    await t.handle.close();
    const events = sequence(visitorStream(scene.camera.id, scene.zone.id, scene.line.id, 2, T0));
    bus.inject(topics.events(scene.device.id), batchPayload(events));
    await waitFor(() => ingest.stats().failedGroups === 1, 'given up');
    expect(bus.acks(scene.device.id)).toEqual([]);
    await ingest.stop();
    await t.close();
  });
});
