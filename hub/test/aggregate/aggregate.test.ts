import type { TrackingEvent } from '@oskartrack/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type AggregateContext,
  dayStart,
  hourStart,
  nextDayStart,
  OccupancyTracker,
  rebuildSummaries,
  SummaryAccumulator,
} from '../../src/aggregate/index.ts';
import { BACKENDS, openTestDatabase, type TestDatabase } from '../db/backends.ts';
import { seedScene, sequence, visitorEvents } from '../ingest/helpers.ts';

const iso = (ms: number) => new Date(ms).toISOString();

describe('buckets', () => {
  it.each([
    ['2025-06-02T13:45:12.345Z', 'UTC', '2025-06-02T00:00:00.000Z'],
    ['2025-06-02T21:59:59.000Z', 'Europe/Berlin', '2025-06-01T22:00:00.000Z'],
    ['2025-06-02T22:00:00.000Z', 'Europe/Berlin', '2025-06-02T22:00:00.000Z'],
    ['2025-01-15T23:30:00.000Z', 'Europe/Berlin', '2025-01-15T23:00:00.000Z'],
    ['2025-06-02T18:29:00.000Z', 'Asia/Kolkata', '2025-06-01T18:30:00.000Z'],
    ['2025-06-02T18:30:00.000Z', 'Asia/Kolkata', '2025-06-02T18:30:00.000Z'],
    ['2025-06-02T03:00:00.000Z', 'America/New_York', '2025-06-01T04:00:00.000Z'],
    ['2025-03-30T12:00:00.000Z', 'Europe/Berlin', '2025-03-29T23:00:00.000Z'],
    ['2025-10-26T12:00:00.000Z', 'Europe/Berlin', '2025-10-25T22:00:00.000Z'],
  ])('%s in %s is in the day starting %s', (at, tz, start) => {
    expect(iso(dayStart(Date.parse(at), tz))).toBe(start);
  });

  it('days last 23 to 25 hours around daylight saving changes', () => {
    const spring = Date.parse('2025-03-30T12:00:00Z');
    expect(nextDayStart(spring, 'Europe/Berlin') - dayStart(spring, 'Europe/Berlin')).toBe(23 * 3_600_000);
    const autumn = Date.parse('2025-10-26T12:00:00Z');
    expect(nextDayStart(autumn, 'Europe/Berlin') - dayStart(autumn, 'Europe/Berlin')).toBe(25 * 3_600_000);
    expect(iso(nextDayStart(Date.parse('2025-06-02T10:00:00Z')))).toBe('2025-06-03T00:00:00.000Z');
  });

  it('hours are UTC hours', () => {
    expect(iso(hourStart(Date.parse('2025-06-02T13:59:59.999Z')))).toBe('2025-06-02T13:00:00.000Z');
  });
});

describe('summary math', () => {
  const ctx: AggregateContext = {
    storeId: 's',
    timezone: 'UTC',
    zonesByCamera: new Map([['c', new Set(['z'])]]),
  };
  const T = Date.parse('2025-06-02T09:50:00Z');
  const MIN = 60_000;

  function run(events: TrackingEvent[]) {
    const acc = new SummaryAccumulator(ctx);
    const occ = new OccupancyTracker();
    for (const e of events) {
      acc.addEvent(e);
      occ.apply(e, acc);
    }
    return { rows: acc.deltas(), occ };
  }

  const row = (rows: ReturnType<typeof run>['rows'], period: string, at: number, zoneId: string | null) =>
    rows.find((r) => r.period === period && r.bucketStart.getTime() === at && r.zoneId === zoneId);

  it('counts visitors, entries, exits, time spent and peak per hour, area and camera', () => {
    const events = [
      ...visitorEvents('c', 'z', 'l', {
        trackId: 1,
        at: T,
        durationMs: 20 * MIN,
        zoneMs: 5 * MIN,
        crosses: true,
      }),
      ...visitorEvents('c', 'z', 'l', { trackId: 2, at: T + MIN, durationMs: 4 * MIN, zoneMs: 2 * MIN }),
      ...visitorEvents('c', 'x', 'l', { trackId: 3, at: T + 30 * MIN, durationMs: 5 * MIN, zoneMs: MIN }),
    ];
    const { rows, occ } = run(sequence(events).map((e) => e.event));
    const h9 = Date.parse('2025-06-02T09:00:00Z');
    const h10 = Date.parse('2025-06-02T10:00:00Z');
    expect(row(rows, 'hour', h9, null)).toMatchObject({
      visitors: 2,
      entries: 1,
      exits: 0,
      dwellCount: 1,
      totalDwellMs: 4 * MIN,
      peakOccupancy: 2,
    });
    // Visitor 1 leaves at 10:10, visitor 3 comes at 10:20: one at a time, but 1 was inside at 10:00.
    expect(row(rows, 'hour', h10, null)).toMatchObject({
      visitors: 1,
      exits: 1,
      dwellCount: 2,
      totalDwellMs: 25 * MIN,
      peakOccupancy: 1,
    });
    expect(row(rows, 'hour', h9, 'z')).toMatchObject({
      visitors: 1,
      entries: 2,
      exits: 2,
      dwellCount: 2,
      totalDwellMs: 7 * MIN,
      peakOccupancy: 2,
    });
    // The area 'x' does not exist: only the camera rows count visitor 3.
    expect(rows.some((r) => r.zoneId === 'x')).toBe(false);
    expect(row(rows, 'day', Date.parse('2025-06-02T00:00:00Z'), null)).toMatchObject({
      visitors: 3,
      entries: 1,
      exits: 1,
      dwellCount: 3,
      totalDwellMs: 29 * MIN,
      peakOccupancy: 2,
    });
    expect([...occ.snapshot().values()].every((n) => n === 0)).toBe(true);
  });

  it('ignores a "left" of someone never seen entering and counts a repeated "entered" once', () => {
    const left: TrackingEvent = {
      kind: 'zone_left',
      cameraId: 'c',
      at: T,
      trackId: 9,
      zoneId: 'z',
      dwellMs: 1,
    };
    const entered: TrackingEvent = {
      kind: 'zone_entered',
      cameraId: 'c',
      at: T + 1,
      trackId: 5,
      zoneId: 'z',
    };
    const { rows, occ } = run([left, entered, { ...entered, at: T + 2 }]);
    expect(occ.snapshot().get('c|z')).toBe(1);
    expect(row(rows, 'hour', hourStart(T), 'z')?.peakOccupancy).toBe(1);
  });

  it('forgets someone not heard of for 12 hours, and a track end empties its areas', () => {
    const occ = new OccupancyTracker();
    const acc = new SummaryAccumulator(ctx);
    occ.apply({ kind: 'track_started', cameraId: 'c', at: T, trackId: 1, box: [0, 0, 1, 1] }, acc);
    occ.apply({ kind: 'zone_entered', cameraId: 'c', at: T, trackId: 1, zoneId: 'z' }, acc);
    occ.apply(
      { kind: 'track_ended', cameraId: 'c', at: T + MIN, trackId: 1, firstSeen: T, durationMs: MIN },
      acc,
    );
    expect(occ.snapshot().size).toBe(0);
    occ.apply({ kind: 'track_started', cameraId: 'c', at: T, trackId: 2, box: [0, 0, 1, 1] }, acc);
    occ.apply(
      { kind: 'track_started', cameraId: 'c', at: T + 13 * 60 * MIN, trackId: 3, box: [0, 0, 1, 1] },
      acc,
    );
    expect(occ.snapshot().get('c|')).toBe(1);
  });
});

describe.each(BACKENDS)('rebuildSummaries on %s', (kind) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await openTestDatabase(kind);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('recomputes whole store-local days from the stored events and replaces wrong rows', async () => {
    const scene = await seedScene(t.repos, 'America/New_York');
    const at = Date.parse('2025-06-03T03:30:00Z'); // 23:30 on June 2nd in New York
    const events = sequence([
      ...visitorEvents(scene.camera.id, scene.zone.id, scene.line.id, {
        trackId: 1,
        at,
        durationMs: 60 * 60_000,
        zoneMs: 10 * 60_000,
        crosses: true,
      }),
      ...visitorEvents(scene.camera.id, scene.zone.id, scene.line.id, {
        trackId: 2,
        at: at + 60_000,
        durationMs: 5 * 60_000,
        zoneMs: 2 * 60_000,
      }),
    ]);
    await t.repos.events.insertEvents(scene.device.id, events);
    // A wrong row inside the range and one outside it.
    const wrongDay = new Date('2025-06-02T04:00:00Z');
    const outside = new Date('2025-05-20T04:00:00Z');
    await t.repos.summaries.increment([
      {
        period: 'day',
        bucketStart: wrongDay,
        storeId: scene.store.id,
        cameraId: scene.camera.id,
        zoneId: null,
        visitors: 99,
      },
      {
        period: 'day',
        bucketStart: outside,
        storeId: scene.store.id,
        cameraId: scene.camera.id,
        zoneId: null,
        visitors: 7,
      },
    ]);
    const result = await rebuildSummaries(t.db, {
      storeId: scene.store.id,
      from: new Date('2025-06-02T12:00:00Z'),
      to: new Date('2025-06-03T12:00:00Z'),
    });
    // Widened to whole New York days: June 2nd 00:00 EDT to June 4th 00:00 EDT.
    expect(iso(result.from.getTime())).toBe('2025-06-02T04:00:00.000Z');
    expect(iso(result.to.getTime())).toBe('2025-06-04T04:00:00.000Z');
    expect(result.events).toBe(events.length);
    const days = await t.repos.summaries.list({
      period: 'day',
      storeId: scene.store.id,
      zoneId: null,
      from: new Date('2025-05-01T00:00:00Z'),
      to: new Date('2025-07-01T00:00:00Z'),
    });
    expect(days.map((d) => [iso(d.bucketStart.getTime()), d.visitors])).toEqual([
      ['2025-05-20T04:00:00.000Z', 7],
      ['2025-06-02T04:00:00.000Z', 2],
      ['2025-06-03T04:00:00.000Z', 0],
    ]);
    // The long visit ended on June 3rd (local): its time and exit count there.
    expect(days[2]).toMatchObject({ exits: 1, dwellCount: 1, totalDwellMs: 60 * 60_000, peakOccupancy: 1 });
    expect(days[1]).toMatchObject({ entries: 1, dwellCount: 1, peakOccupancy: 2 });
    const hours = await t.repos.summaries.list({
      period: 'hour',
      storeId: scene.store.id,
      zoneId: scene.zone.id,
      from: new Date('2025-06-01T00:00:00Z'),
      to: new Date('2025-06-05T00:00:00Z'),
    });
    expect(hours.map((h) => [iso(h.bucketStart.getTime()), h.visitors, h.entries, h.peakOccupancy])).toEqual([
      ['2025-06-03T03:00:00.000Z', 1, 2, 2],
      ['2025-06-03T04:00:00.000Z', 1, 0, 0],
    ]);
    // Running it again changes nothing.
    const before = await t.repos.summaries.list({
      period: 'hour',
      storeId: scene.store.id,
      from: new Date('2025-06-01T00:00:00Z'),
      to: new Date('2025-06-05T00:00:00Z'),
    });
    await rebuildSummaries(t.db, {
      storeId: scene.store.id,
      from: new Date('2025-06-02T12:00:00Z'),
      to: new Date('2025-06-03T12:00:00Z'),
    });
    const after = await t.repos.summaries.list({
      period: 'hour',
      storeId: scene.store.id,
      from: new Date('2025-06-01T00:00:00Z'),
      to: new Date('2025-06-05T00:00:00Z'),
    });
    expect(after.map(({ id: _i, updatedAt: _u, ...r }) => r)).toEqual(
      before.map(({ id: _i, updatedAt: _u, ...r }) => r),
    );
  });
});
