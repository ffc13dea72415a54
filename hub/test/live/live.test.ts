/**
 * The live feed through the whole hub (`startHub` with the demo box playing PETS 2009) and real
 * WebSocket clients: refusals, events and boxes while the demo plays, store scoping, subscriptions,
 * and a slow client beside a fast one.
 */
import type { DeviceStatus, SequencedEvent, ServerMessage, ServerMessageOf } from '@oskartrack/protocol';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_CAMERA_ID, DEMO_DEVICE_ID, DEMO_STORE_ID } from '../../src/demo.ts';
import { BACKENDS, seedStore } from '../db/backends.ts';
import { openTestHub, Recorder, type TestHub } from './hub.ts';

const is =
  <T extends ServerMessage['type']>(type: T, storeId?: string) =>
  (m: ServerMessage): m is ServerMessageOf<T> =>
    m.type === type && (storeId === undefined || !('storeId' in m) || m.storeId === storeId);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Synthetic events with seqs far above the demo box's, so they are told apart. */
const SYNTH_SEQ = 1_000_000_000;
function synthetic(batch: number, size: number): SequencedEvent[] {
  return Array.from({ length: size }, (_, i) => ({
    seq: SYNTH_SEQ + batch * size + i,
    event: {
      kind: 'zone_entered',
      cameraId: DEMO_CAMERA_ID,
      at: Date.now(),
      trackId: 1 + i,
      zoneId: 'centre',
    },
  }));
}
const syntheticCount = (r: Recorder) =>
  r.of('events').reduce((n, m) => n + m.events.filter((e) => e.seq >= SYNTH_SEQ).length, 0);

describe.each(BACKENDS)('live feed on %s', (kind) => {
  let h: TestHub;
  let other: Awaited<ReturnType<typeof seedStore>>;
  let viewerDemo: string;
  let viewerOther: string;
  const open: Recorder[] = [];
  const logLines: string[] = [];
  const connect = (token?: string, how: 'query' | 'header' = 'query') => {
    const r = Recorder.connect(h.wsUrl, token, how);
    open.push(r);
    return r;
  };

  beforeAll(async () => {
    h = await openTestHub(kind, {
      demo: true,
      log: pino({ level: 'info' }, { write: (line: string) => logLines.push(line) }),
      // Small per-client buffers so the slow-client test overflows quickly; no hopeless close here
      // (feed.test.ts covers that).
      liveLimits: {
        highWaterBytes: 64 * 1024,
        liveHighWaterBytes: 32 * 1024,
        maxQueueBytes: 256 * 1024,
        closeAfterDroppedEvents: Number.MAX_SAFE_INTEGER,
        stallMs: 120_000,
      },
    });
    other = await seedStore(h.t.repos, 'Other');
    viewerDemo = await h.user('viewer', [DEMO_STORE_ID]);
    viewerOther = await h.user('viewer', [other.store.id]);
  }, 180_000);

  afterAll(async () => {
    for (const r of open) r.close();
    await h?.close();
  });

  it('closes a socket without a token with 1008 (policy violation)', async () => {
    const r = connect();
    const closed = await r.closedP;
    expect(closed.code).toBe(1008);
    expect(closed.reason).toMatch(/token/);
    expect(r.messages).toEqual([]);
  });

  it('closes a socket with a bad token with 1008, in the query or the header', async () => {
    for (const r of [connect('not-a-token'), connect('a.b.c', 'header'), connect(`${viewerDemo}x`)]) {
      const closed = await r.closedP;
      expect(closed.code).toBe(1008);
      expect(r.messages).toEqual([]);
    }
  });

  it('keeps the token out of the request logs', async () => {
    const r = connect(viewerDemo);
    await r.waitFor(is('hello'));
    r.close();
    const logs = logLines.join('');
    expect(logs).toContain('/ws?token=[hidden]');
    expect(logs).not.toContain(viewerDemo);
  });

  it('accepts the token in an Authorization header', async () => {
    const r = connect(viewerDemo, 'header');
    const hello = await r.waitFor(is('hello'));
    expect(hello.role).toBe('viewer');
    expect(hello.stores).toEqual([DEMO_STORE_ID]);
    r.close();
  });

  it('streams the demo box’s events, status and boxes to its store’s viewer, and nothing of it to another store', async () => {
    const demo = connect(viewerDemo);
    const stranger = connect(viewerOther);
    const admin = connect(h.adminToken);
    await Promise.all([demo, stranger, admin].map((r) => r.waitFor(is('hello'))));
    const events = await demo.waitFor(is('events', DEMO_STORE_ID), 90_000, 'demo events');
    expect(events.deviceId).toBe(DEMO_DEVICE_ID);
    expect(events.events.length).toBeGreaterThan(0);
    for (const e of events.events) expect(e.event.cameraId).toBe(DEMO_CAMERA_ID);
    // The feed sends events after they are stored.
    const stored = await h.t.repos.events.lastSeq(DEMO_DEVICE_ID);
    expect(stored).toBeGreaterThanOrEqual(Math.max(...events.events.map((e) => e.seq)));
    const live = await demo.waitFor(is('live', DEMO_STORE_ID), 30_000, 'live boxes');
    expect(live.cameraId).toBe(DEMO_CAMERA_ID);
    expect(live.tracks.cameraId).toBe(DEMO_CAMERA_ID);
    expect(live.tracks.width).toBe(768);
    // The administrator sees the demo store too.
    await admin.waitFor(is('events', DEMO_STORE_ID), 30_000, 'demo events for the admin');
    await sleep(500);
    // The other store's viewer got its hello and nothing else.
    expect(stranger.messages.map((m) => m.type)).toEqual(['hello']);
    expect(stranger.closed).toBeUndefined();
  }, 150_000);

  it('sends a device status change to its store only', async () => {
    const demo = connect(viewerDemo);
    const stranger = connect(viewerOther);
    await Promise.all([demo, stranger].map((r) => r.waitFor(is('hello'))));
    const status: DeviceStatus = {
      v: 1,
      state: 'online',
      at: Date.now(),
      connection: 1,
      software: 'test',
      configRevision: 0,
      outbox: { depth: 0, oldestAgeMs: 0, dropped: 0 },
      cameras: [],
    };
    h.hub.live.deviceStatus(DEMO_DEVICE_ID, status);
    h.hub.live.deviceStatus(other.device.id, { ...status, software: 'other' });
    const mine = await demo.waitFor(is('status', DEMO_STORE_ID));
    expect(mine.deviceId).toBe(DEMO_DEVICE_ID);
    const theirs = await stranger.waitFor(is('status', other.store.id));
    expect(theirs.status.software).toBe('other');
    await sleep(300);
    expect(stranger.of('status').every((m) => m.storeId === other.store.id)).toBe(true);
    expect(demo.of('status').every((m) => m.storeId === DEMO_STORE_ID)).toBe(true);
  });

  it('limits live boxes to the subscribed cameras, refusing cameras of other stores', async () => {
    const r = connect(viewerDemo);
    await r.waitFor(is('hello'));
    r.send({ type: 'subscribe', cameraId: other.camera.id });
    const error = await r.waitFor(is('error'));
    expect(error.message).toMatch(/no camera/);
    r.send({ type: 'subscribe', cameraId: DEMO_CAMERA_ID });
    const sub = await r.waitFor(is('subscribed'));
    expect(sub.live).toEqual([DEMO_CAMERA_ID]);
    await r.waitFor(is('live'), 30_000, 'live boxes of the subscribed camera');
    r.send({ type: 'unsubscribe' });
    await r.waitFor((m) => m.type === 'subscribed' && Array.isArray(m.live) && m.live.length === 0);
    await sleep(200); // boxes already on the way
    const before = r.of('live').length;
    await sleep(1500);
    expect(r.of('live').length).toBe(before);
    r.send({ type: 'ping', id: 'p1' });
    expect(await r.waitFor(is('pong'))).toEqual({ type: 'pong', id: 'p1' });
  }, 60_000);

  it('keeps a fast client up to date while a slow one falls behind, then tells the slow one what it missed', async () => {
    const fast = connect(viewerDemo);
    const slow = connect(viewerDemo);
    await Promise.all([fast, slow].map((r) => r.waitFor(is('hello'))));
    slow.ws.pause(); // stops reading: the hub's socket buffer, then its queue, fill up

    const BATCHES = 600;
    const SIZE = 250;
    for (let b = 0; b < BATCHES; b++) {
      h.hub.live.eventsStored(DEMO_DEVICE_ID, synthetic(b, SIZE));
      await new Promise((r) => setImmediate(r));
    }
    await fast.waitFor(
      (m) => m.type === 'events' && m.events.some((e) => e.seq === SYNTH_SEQ + BATCHES * SIZE - 1),
      30_000,
      'the last synthetic batch at the fast client',
    );
    // The fast client got everything, with no gap.
    expect(syntheticCount(fast)).toBe(BATCHES * SIZE);
    expect(fast.of('dropped')).toEqual([]);
    // Emitting never waited for the slow socket: its events were dropped from its queue, not held back
    // (no clock in this check: a busy machine may take any time).
    const stats = h.hub.live.stats();
    expect(stats.droppedEvents).toBeGreaterThan(0);

    slow.ws.resume();
    const notice = await slow.waitFor(is('dropped'), 30_000, 'a dropped notice');
    expect(notice.events).toBeGreaterThan(0);
    // Nothing was lost silently: what the slow client got plus what it was told it missed covers every
    // synthetic event (the notice may also count demo events dropped at the same time).
    const deadline = Date.now() + 20_000;
    const accounted = () => syntheticCount(slow) + slow.of('dropped').reduce((n, m) => n + m.events, 0);
    while (accounted() < BATCHES * SIZE && Date.now() < deadline) await sleep(100);
    expect(accounted()).toBeGreaterThanOrEqual(BATCHES * SIZE);
    expect(syntheticCount(slow)).toBeLessThan(BATCHES * SIZE);
    expect(slow.closed).toBeUndefined();
  }, 120_000);
});
