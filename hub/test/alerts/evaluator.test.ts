/**
 * The alert evaluation against a real database (PostgreSQL and PGlite): each condition fires once,
 * stays fired on re-evaluation, clears once; two evaluations at the same time (two hub processes, on
 * PostgreSQL two connection pools) fire one alert; deliveries are queued per channel target in the
 * same transaction; a storm of one store shares a group id.
 */
import type { AlertChannels, AlertKind, DeviceStatus } from '@oskartrack/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluateAlerts } from '../../src/alerts/evaluator.ts';
import { openDatabase } from '../../src/db/database.ts';
import type { AlertRow } from '../../src/db/repositories/index.ts';
import {
  BACKENDS,
  openTestDatabase,
  seedStore,
  TEST_DATABASE_URL,
  type TestDatabase,
  uid,
} from '../db/backends.ts';

const MIN = 60_000;
const CHANNELS: AlertChannels = {
  email: ['owner@example.com', 'night@example.com'],
  webhook: 'https://hooks.example.com/alerts',
  mqtt: true,
};
const NONE: AlertChannels = { email: [], webhook: null, mqtt: false };

function status(
  cameras: DeviceStatus['cameras'],
  at: number,
  state: 'online' | 'offline' = 'online',
): DeviceStatus {
  return {
    v: 1,
    state,
    at,
    connection: 1,
    software: 'test',
    configRevision: 1,
    outbox: { depth: 0, oldestAgeMs: 0, dropped: 0 },
    cameras,
  };
}

describe.each(BACKENDS)('alert evaluation on %s', (kind) => {
  let t: TestDatabase;
  const statuses = new Map<string, DeviceStatus>();
  /** When the hub got each status, if not when the unit made it (a unit whose clock is off). */
  const received = new Map<string, number>();
  const statusOf = (id: string) => {
    const status = statuses.get(id);
    return status && { status, receivedAt: received.get(id) ?? status.at };
  };
  beforeAll(async () => {
    t = await openTestDatabase(kind);
  });
  afterAll(() => t?.close());

  const evaluate = (now: number, db = t.db) => evaluateAlerts({ db, statusOf, now });
  const ofRule = (rows: AlertRow[], ruleId: string) => rows.filter((a) => a.ruleId === ruleId);
  const rule = (storeId: string, k: AlertKind, threshold: number, channels = NONE) =>
    t.repos.alerts.createRule({ storeId, kind: k, threshold, channels });
  const historyOf = async (storeId: string) => (await t.repos.alerts.history({ storeIds: [storeId] })).items;

  /** A store whose unit was last heard from `minutesAgo` minutes before `now` and is offline. */
  async function offlineStore(now: number, minutesAgo: number) {
    const s = await seedStore(t.repos, 'Offline');
    await t.repos.devices.touch(s.device.id, new Date(now - minutesAgo * MIN));
    return s;
  }

  it('fires a unit offline once, with a delivery per channel target, and clears it once', async () => {
    const now = Date.now();
    const s = await offlineStore(now, 65);
    const r = await rule(s.store.id, 'box_offline', 30, CHANNELS);

    const first = ofRule((await evaluate(now)).fired, r.id);
    expect(first).toHaveLength(1);
    expect(first[0]).toMatchObject({ subject: s.device.id, state: 'firing', storeId: s.store.id });
    expect(first[0]!.message).toBe(`Camera unit '${s.device.name}' has been offline for 65 minutes`);
    const fired = await t.repos.alerts.deliveriesOf(first[0]!.id);
    expect(fired.map((d) => [d.channel, d.target, d.event]).sort()).toEqual([
      ['email', 'night@example.com', 'firing'],
      ['email', 'owner@example.com', 'firing'],
      ['mqtt', '', 'firing'],
      ['webhook', 'https://hooks.example.com/alerts', 'firing'],
    ]);
    expect(fired.every((d) => d.deliveredAt === null && d.attempts === 0)).toBe(true);

    // Still offline: nothing new, the same alert still firing.
    const again = await evaluate(now + MIN);
    expect(ofRule(again.fired, r.id)).toEqual([]);
    expect(ofRule(again.cleared, r.id)).toEqual([]);
    expect(await historyOf(s.store.id)).toHaveLength(1);

    // Back online: cleared once, with the clearing's deliveries.
    await t.repos.devices.recordStatus(s.device.id, status([], now + 2 * MIN), new Date(now + 2 * MIN));
    const back = await evaluate(now + 2 * MIN);
    expect(ofRule(back.cleared, r.id).map((a) => a.id)).toEqual([first[0]!.id]);
    const after = await t.repos.alerts.deliveriesOf(first[0]!.id);
    expect(after.filter((d) => d.event === 'cleared')).toHaveLength(4);
    const third = await evaluate(now + 3 * MIN);
    expect(ofRule(third.cleared, r.id)).toEqual([]);
    expect(ofRule(third.fired, r.id)).toEqual([]);
    const history = await historyOf(s.store.id);
    expect(history).toHaveLength(1);
    expect(history[0]).toMatchObject({ state: 'cleared', clearedAt: new Date(now + 2 * MIN) });
  });

  it('does not fire before the threshold, nor for a unit never heard from', async () => {
    const now = Date.now();
    const s = await offlineStore(now, 20);
    const never = await t.repos.devices.create({
      id: `dev-new-${uid()}`,
      storeId: s.store.id,
      name: 'New unit',
    });
    const r = await rule(s.store.id, 'box_offline', 30);
    expect(ofRule((await evaluate(now)).fired, r.id)).toEqual([]);
    const later = ofRule((await evaluate(now + 11 * MIN)).fired, r.id);
    expect(later.map((a) => a.subject)).toEqual([s.device.id]);
    expect(later.map((a) => a.subject)).not.toContain(never.id);
  });

  it('after a hub restart neither fires nor clears a unit offline until it had time to come back', async () => {
    const now = Date.now();
    const s = await offlineStore(now, 65);
    const r = await rule(s.store.id, 'box_offline', 30);
    const fired = ofRule((await evaluate(now)).fired, r.id);
    expect(fired).toHaveLength(1);
    const other = await t.repos.devices.create({
      id: `dev-${uid()}`,
      storeId: s.store.id,
      name: 'Other unit',
    });
    await t.repos.devices.touch(other.id, new Date(now - 65 * MIN));
    // The hub restarted a minute ago: the firing alert stays, the other unit is not told of yet.
    const restarted = await evaluateAlerts({
      db: t.db,
      statusOf,
      now: now + 2 * MIN,
      watchingSince: now + MIN,
    });
    expect(ofRule(restarted.cleared, r.id)).toEqual([]);
    expect(ofRule(restarted.fired, r.id)).toEqual([]);
    // Still away 31 minutes after the restart: now it is told.
    const later = await evaluateAlerts({ db: t.db, statusOf, now: now + 32 * MIN, watchingSince: now + MIN });
    expect(ofRule(later.fired, r.id).map((a) => a.subject)).toEqual([other.id]);
  });

  it('fires one alert when two hub processes evaluate at the same time', async () => {
    const now = Date.now();
    const s = await offlineStore(now, 90);
    const r = await rule(s.store.id, 'box_offline', 30, CHANNELS);
    // On PostgreSQL the second "process" has its own connections; PGlite has one connection only.
    const other =
      kind === 'postgres'
        ? await openDatabase(
            { databaseUrl: TEST_DATABASE_URL, dataDir: '/tmp' },
            { schema: t.schema!, maxConnections: 2 },
          )
        : undefined;
    try {
      const results = await Promise.all([evaluate(now), evaluate(now, other?.db ?? t.db), evaluate(now)]);
      const fired = results.flatMap((res) => ofRule(res.fired, r.id));
      expect(fired).toHaveLength(1);
    } finally {
      await other?.close();
    }
    const history = await historyOf(s.store.id);
    expect(history).toHaveLength(1);
    expect(await t.repos.alerts.deliveriesOf(history[0]!.id)).toHaveLength(4);
  });

  it('groups a storm of more than five alerts of one store, not fewer', async () => {
    const now = Date.now();
    const big = await offlineStore(now, 60);
    for (let i = 0; i < 6; i++) {
      const d = await t.repos.devices.create({
        id: `dev-${uid()}`,
        storeId: big.store.id,
        name: `Unit ${i}`,
      });
      await t.repos.devices.touch(d.id, new Date(now - 60 * MIN));
    }
    const small = await offlineStore(now, 60);
    const bigRule = await rule(big.store.id, 'box_offline', 30);
    const smallRule = await rule(small.store.id, 'box_offline', 30);
    const result = await evaluate(now);
    const storm = ofRule(result.fired, bigRule.id);
    expect(storm).toHaveLength(7);
    const group = storm[0]!.details.group;
    expect(typeof group).toBe('string');
    for (const a of storm) expect(a.details.group).toBe(group);
    const calm = ofRule(result.fired, smallRule.id);
    expect(calm).toHaveLength(1);
    expect(calm[0]!.details.group).toBeUndefined();
  });

  it('counts people inside from the stored tracks and says the limit', async () => {
    const now = Date.now();
    const s = await seedStore(t.repos, 'Crowded');
    const started = (seq: number, trackId: number) => ({
      seq,
      event: {
        kind: 'track_started' as const,
        cameraId: s.camera.id,
        at: now - 5 * MIN,
        trackId,
        box: [10, 10, 50, 120] as [number, number, number, number],
      },
    });
    await t.repos.events.insertEvents(s.device.id, [
      started(1, 1),
      started(2, 2),
      started(3, 3),
      {
        seq: 4,
        event: {
          kind: 'track_ended',
          cameraId: s.camera.id,
          at: now - MIN,
          trackId: 3,
          firstSeen: now - 5 * MIN,
          durationMs: 1000,
        },
      },
    ]);
    const r = await rule(s.store.id, 'people_inside', 1);
    const fired = ofRule((await evaluate(now)).fired, r.id);
    expect(fired).toHaveLength(1);
    expect(fired[0]!.message).toBe(`${s.store.name}: 2 people inside (your limit is 1)`);
    expect(fired[0]!.subject).toBe(s.store.id);
    // Both leave: the alert clears.
    await t.repos.events.insertEvents(s.device.id, [
      {
        seq: 5,
        event: {
          kind: 'track_ended',
          cameraId: s.camera.id,
          at: now,
          trackId: 1,
          firstSeen: now - 5 * MIN,
          durationMs: 1000,
        },
      },
      {
        seq: 6,
        event: {
          kind: 'track_ended',
          cameraId: s.camera.id,
          at: now,
          trackId: 2,
          firstSeen: now - 5 * MIN,
          durationMs: 1000,
        },
      },
    ]);
    expect(ofRule((await evaluate(now + MIN)).cleared, r.id)).toHaveLength(1);
  });

  it('ends a crowd alert only below nine tenths of the limit', async () => {
    const now = Date.now();
    const s = await seedStore(t.repos, 'Hovering');
    let seq = 0;
    const start = (trackId: number) => ({
      seq: ++seq,
      event: {
        kind: 'track_started' as const,
        cameraId: s.camera.id,
        at: now - MIN,
        trackId,
        box: [10, 10, 50, 120] as [number, number, number, number],
      },
    });
    const end = (trackId: number) => ({
      seq: ++seq,
      event: {
        kind: 'track_ended' as const,
        cameraId: s.camera.id,
        at: now,
        trackId,
        firstSeen: now - MIN,
        durationMs: 1,
      },
    });
    await t.repos.events.insertEvents(
      s.device.id,
      Array.from({ length: 11 }, (_, i) => start(i + 1)),
    );
    const r = await rule(s.store.id, 'people_inside', 10);
    expect(ofRule((await evaluate(now)).fired, r.id)).toHaveLength(1);
    // 9 inside: under the limit, but not below nine tenths of it: still going on.
    await t.repos.events.insertEvents(s.device.id, [end(1), end(2)]);
    const hovering = await evaluate(now + MIN);
    expect(ofRule(hovering.cleared, r.id)).toEqual([]);
    expect(ofRule(hovering.fired, r.id)).toEqual([]);
    await t.repos.events.insertEvents(s.device.id, [end(3)]);
    expect(ofRule((await evaluate(now + 2 * MIN)).cleared, r.id)).toHaveLength(1);
  });

  it("says a covered picture with the store's clock time, and keeps it while the unit is not heard", async () => {
    const s = await seedStore(t.repos, 'Covered');
    await t.repos.stores.update(s.store.id, { timezone: 'Europe/Berlin' });
    const since = Date.parse('2026-03-01T13:05:00Z'); // 14:05 in Berlin (winter time, UTC+1)
    const now = since + 3 * MIN;
    statuses.set(
      s.device.id,
      status(
        [{ cameraId: s.camera.id, state: 'running', fps: 10, picture: 'covered', pictureSince: since }],
        now,
      ),
    );
    const atOnce = await rule(s.store.id, 'picture_changed', 0);
    const lasting = await rule(s.store.id, 'picture_changed', 5);
    const first = await evaluate(now);
    expect(ofRule(first.fired, atOnce.id).map((a) => a.message)).toEqual([
      'Entrance camera: the picture looks covered since 14:05',
    ]);
    expect(ofRule(first.fired, lasting.id)).toEqual([]);
    expect(ofRule((await evaluate(since + 6 * MIN)).fired, lasting.id)).toHaveLength(1);

    // The unit's status is unknown (a restarted hub): its camera alerts neither clear nor fire again.
    statuses.delete(s.device.id);
    const unknown = await evaluate(since + 7 * MIN);
    expect(ofRule(unknown.cleared, atOnce.id)).toEqual([]);
    expect(ofRule(unknown.fired, atOnce.id)).toEqual([]);

    // The picture is fine again: both clear.
    statuses.set(
      s.device.id,
      status([{ cameraId: s.camera.id, state: 'running', fps: 10 }], since + 8 * MIN),
    );
    const fine = await evaluate(since + 8 * MIN);
    expect(ofRule(fine.cleared, atOnce.id)).toHaveLength(1);
    expect(ofRule(fine.cleared, lasting.id)).toHaveLength(1);
  });

  it('fires a camera without picture, and clears the alerts of a rule switched off', async () => {
    const s = await seedStore(t.repos, 'Stopped');
    const now = Date.now();
    statuses.set(
      s.device.id,
      status(
        [
          {
            cameraId: s.camera.id,
            state: 'reconnecting',
            fps: 0,
            problem: 'unreachable',
            since: now - 12 * MIN,
          },
        ],
        now,
      ),
    );
    const r = await rule(s.store.id, 'camera_stopped', 10);
    const fired = ofRule((await evaluate(now)).fired, r.id);
    expect(fired.map((a) => a.message)).toEqual([
      'Entrance camera: no picture for 12 minutes (the camera does not answer at its address)',
    ]);
    await t.repos.alerts.updateRule(r.id, { enabled: false });
    expect(ofRule((await evaluate(now + MIN)).cleared, r.id)).toHaveLength(1);
    expect(ofRule((await evaluate(now + 2 * MIN)).fired, r.id)).toEqual([]);
  });

  it('ends the alerts of a camera switched off', async () => {
    const s = await seedStore(t.repos, 'Switched off');
    const now = Date.now();
    statuses.set(
      s.device.id,
      status([{ cameraId: s.camera.id, state: 'failed', fps: 0, since: now - 30 * MIN }], now),
    );
    const r = await rule(s.store.id, 'camera_stopped', 10);
    expect(ofRule((await evaluate(now)).fired, r.id)).toHaveLength(1);
    await t.repos.cameras.update(s.camera.id, { enabled: false });
    expect(ofRule((await evaluate(now + MIN)).cleared, r.id)).toHaveLength(1);
  });

  it('fires counts waiting to be sent for longer than the threshold', async () => {
    const s = await seedStore(t.repos, 'Backlog');
    const now = Date.now();
    const st = { ...status([], now - 5 * MIN), outbox: { depth: 1234, oldestAgeMs: 30 * MIN, dropped: 0 } };
    await t.repos.devices.recordStatus(s.device.id, st, new Date(now - 5 * MIN));
    const r = await rule(s.store.id, 'backlog_growing', 30);
    const fired = ofRule((await evaluate(now)).fired, r.id);
    expect(fired.map((a) => a.message)).toEqual([
      `Camera unit '${s.device.name}' has 1,234 counts waiting to be sent, the oldest for 35 minutes: check its internet connection`,
    ]);
  });

  it("judges a camera's times by the hub's clock when its unit's clock is an hour behind", async () => {
    const s = await seedStore(t.repos, 'Slow clock');
    await t.repos.stores.update(s.store.id, { timezone: 'Europe/Berlin' });
    const now = Date.parse('2026-03-01T13:06:00Z'); // the hub's clock: 14:06 in Berlin
    const unitNow = now - 60 * MIN; // the unit's clock
    statuses.set(
      s.device.id,
      status(
        [
          {
            cameraId: s.camera.id,
            state: 'reconnecting',
            fps: 0,
            problem: 'unreachable',
            since: unitNow - 2 * MIN,
            picture: 'covered',
            pictureSince: unitNow - MIN,
          },
        ],
        unitNow,
      ),
    );
    received.set(s.device.id, now);
    const stopped = await rule(s.store.id, 'camera_stopped', 10);
    const covered = await rule(s.store.id, 'picture_changed', 0);
    const lasting = await rule(s.store.id, 'picture_changed', 5);
    const first = await evaluate(now);
    expect(ofRule(first.fired, stopped.id)).toEqual([]);
    expect(ofRule(first.fired, lasting.id)).toEqual([]);
    expect(ofRule(first.fired, covered.id).map((a) => a.message)).toEqual([
      'Entrance camera: the picture looks covered since 14:05',
    ]);
    expect(ofRule((await evaluate(now + 3 * MIN)).fired, lasting.id)).toEqual([]);
    const later = await evaluate(now + 7 * MIN);
    expect(ofRule(later.fired, stopped.id)).toEqual([]);
    expect(ofRule(later.fired, lasting.id)).toHaveLength(1);
    expect(ofRule((await evaluate(now + 9 * MIN)).fired, stopped.id).map((a) => a.message)).toEqual([
      'Entrance camera: no picture for 11 minutes (the camera does not answer at its address)',
    ]);
  });

  it("counts the time since a unit's status on the hub's clock when the unit's clock is an hour behind", async () => {
    const s = await seedStore(t.repos, 'Slow backlog');
    const now = Date.now();
    const unitNow = now - 60 * MIN;
    const st = { ...status([], unitNow), outbox: { depth: 40, oldestAgeMs: 20 * MIN, dropped: 0 } };
    await t.repos.devices.recordStatus(s.device.id, st, new Date(now));
    statuses.set(s.device.id, st);
    received.set(s.device.id, now);
    const r = await rule(s.store.id, 'backlog_growing', 30);
    expect(ofRule((await evaluate(now)).fired, r.id)).toEqual([]);
    expect(ofRule((await evaluate(now + 9 * MIN)).fired, r.id)).toEqual([]);
    const fired = ofRule((await evaluate(now + 11 * MIN)).fired, r.id);
    expect(fired.map((a) => a.message)).toEqual([
      `Camera unit '${s.device.name}' has 40 counts waiting to be sent, the oldest for 31 minutes: check its internet connection`,
    ]);
  });
});
