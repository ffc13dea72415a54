/**
 * Opening hours through the API: set on a store, wrong hours refused with words that say what to fix,
 * and every figure leaving the night out. The store is in London (BST, UTC+1, in July), open Monday to
 * Saturday 09:00-18:00 local (08:00-17:00 UTC). Wednesday 2 July 2025 has two visits while open and
 * two at night; the expectations below are added up from that seed by hand.
 */
import type { SequencedEvent } from '@oskartrack/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SummaryDelta } from '../../src/db/repositories/index.ts';
import { BACKENDS, uid } from '../db/backends.ts';
import { type Fixture, H, openFixture } from './fixture.ts';

const WED = Date.parse('2025-07-02T00:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString();
const HOURS = {
  week: [1, 2, 3, 4, 5, 6].map((day) => ({ day, open: '09:00', close: '18:00' })),
  closedDates: [] as string[],
};

/** Visits: [start (UTC), duration ms, while open?]. */
const VISITS: [number, number, boolean][] = [
  [WED + 2 * H, 30_000, false], // 03:00 local
  [WED + 10 * H, 60_000, true], // 11:00 local
  [WED + 12.5 * H, 120_000, true], // 13:30 local
  [WED + 20 * H, 600_000, false], // 21:00 local
];

describe.each(BACKENDS)('opening hours on %s', (kind) => {
  let f: Fixture;
  let admin: string;
  let storeId: string;
  let zoneId: string;
  let zone2: string;

  const get = async (url: string, query: Record<string, string | string[]>) => {
    const r = await f.inject(admin, { method: 'GET', url, query });
    expect(r.statusCode, r.body).toBe(200);
    return r;
  };
  const day = (extra: Record<string, string> = {}) => ({
    storeId,
    from: iso(WED),
    to: iso(WED + 24 * H),
    ...extra,
  });
  const patch = (token: string, openingHours: unknown) =>
    f.inject(token, { method: 'PATCH', url: `/api/stores/${storeId}`, payload: { openingHours } });

  beforeAll(async () => {
    f = await openFixture(kind);
    admin = f.tokens.admin;
    const r = f.repos;
    const created = await f.inject(admin, {
      method: 'POST',
      url: '/api/stores',
      payload: { id: `oh-${uid()}`, name: 'Corner shop', timezone: 'Europe/London' },
    });
    expect(created.statusCode, created.body).toBe(201);
    expect(created.json().openingHours).toBeNull();
    storeId = created.json().id;
    const device = await r.devices.create({ storeId, name: 'box' });
    const camera = await r.cameras.create({
      storeId,
      deviceId: device.id,
      name: 'door',
      source: '0',
      frameWidth: 640,
      frameHeight: 480,
    });
    const square = (x: number): [number, number][] => [
      [x, 0],
      [x + 100, 0],
      [x + 100, 100],
      [x, 100],
    ];
    zoneId = (await r.zones.createZone({ cameraId: camera.id, name: 'Till', polygon: square(0) })).id;
    zone2 = (await r.zones.createZone({ cameraId: camera.id, name: 'Bakery', polygon: square(200) })).id;
    const line = await r.zones.createLine({
      cameraId: camera.id,
      name: 'Door',
      start: [0, 240],
      end: [640, 240],
      inSide: 'left',
    });
    for (const [i, [start, ms]] of VISITS.entries()) {
      await r.visits.create({
        cameraId: camera.id,
        trackId: 100 + i,
        startedAt: new Date(start),
        endedAt: new Date(start + ms),
        path: [
          { at: start, point: [50, 50] },
          { at: start + 1, point: [250, 50] },
        ],
        zones: [{ zoneId, dwellMs: 10_000 }],
      });
    }
    let seq = 0;
    const ev = (e: SequencedEvent['event']): SequencedEvent => ({ seq: ++seq, event: e });
    const base = { cameraId: camera.id };
    await r.events.insertEvents(device.id, [
      // Entries: one while open, two at night; one exit while open.
      ev({ kind: 'line_crossed', ...base, at: WED + 2 * H, trackId: 1, lineId: line.id, direction: 'in' }),
      ev({ kind: 'line_crossed', ...base, at: WED + 10 * H, trackId: 2, lineId: line.id, direction: 'in' }),
      ev({
        kind: 'line_crossed',
        ...base,
        at: WED + 12.5 * H,
        trackId: 2,
        lineId: line.id,
        direction: 'out',
      }),
      ev({ kind: 'line_crossed', ...base, at: WED + 20 * H, trackId: 3, lineId: line.id, direction: 'in' }),
      // Walks: at night Bakery -> Till; while open Till -> Bakery.
      ev({ kind: 'zone_entered', ...base, at: WED + 2 * H, trackId: 1, zoneId: zone2 }),
      ev({ kind: 'zone_entered', ...base, at: WED + 2 * H + 5000, trackId: 1, zoneId }),
      ev({ kind: 'zone_entered', ...base, at: WED + 10 * H, trackId: 2, zoneId }),
      ev({ kind: 'zone_entered', ...base, at: WED + 10 * H + 5000, trackId: 2, zoneId: zone2 }),
    ]);
    // Hourly summaries: 5 visitors at 02:00 UTC (night), 3 at 10:00 UTC (open), area rows alike.
    const rows: SummaryDelta[] = [];
    for (const [hour, visitors] of [
      [2, 5],
      [10, 3],
    ] as const) {
      const bucketStart = new Date(WED + hour * H);
      const key = { period: 'hour' as const, bucketStart, storeId, cameraId: camera.id };
      rows.push({
        ...key,
        zoneId: null,
        visitors,
        entries: visitors,
        dwellCount: visitors,
        totalDwellMs: 1000,
      });
      rows.push({ ...key, zoneId, visitors, entries: visitors, dwellCount: 1, totalDwellMs: 1000 });
    }
    await r.summaries.replace(rows);
  });

  afterAll(async () => {
    await f?.close();
  });

  it('refuses wrong hours with words that say what to fix, and keeps them from viewers', async () => {
    const backwards = await patch(admin, {
      week: [{ day: 1, open: '18:00', close: '09:00' }],
      closedDates: [],
    });
    expect(backwards.statusCode).toBe(400);
    expect(backwards.json().message).toMatch(/Monday.*closes at 09:00.*opens at 18:00/);
    const overlap = await patch(admin, {
      week: [
        { day: 5, open: '09:00', close: '13:00' },
        { day: 5, open: '12:00', close: '18:00' },
      ],
      closedDates: [],
    });
    expect(overlap.statusCode).toBe(400);
    expect(overlap.json().message).toMatch(/Friday 09:00-13:00 and 12:00-18:00 overlap/);
    const badDate = await patch(admin, { week: [], closedDates: ['2025-02-30'] });
    expect(badDate.statusCode).toBe(400);
    expect(badDate.json().message).toMatch(/"2025-02-30" is not a date/);
    const badTime = await patch(admin, { week: [{ day: 1, open: '9am', close: '18:00' }], closedDates: [] });
    expect(badTime.statusCode).toBe(400);
    const viewer = await patch(f.tokens.viewerA, HOURS);
    expect(viewer.statusCode).toBe(403);
    const stored = await get(`/api/stores/${storeId}`, {});
    expect(stored.json().openingHours).toBeNull();
  });

  it('counts every figure over the whole day while no hours are set', async () => {
    const s = (await get('/api/analytics/summary', day())).json();
    expect(s).toMatchObject({ visitors: 4, entries: 3, exits: 1 });
    expect(s.averageTimeSpentMs).toBe((30_000 + 60_000 + 120_000 + 600_000) / 4);
    const hours = (await get('/api/analytics/timeseries', day({ interval: 'hour' }))).json();
    expect(hours.points).toHaveLength(24);
  });

  it('leaves the night out of summary, series, areas, flows, heatmap, durations, compare and CSV', async () => {
    const set = await patch(admin, HOURS);
    expect(set.statusCode, set.body).toBe(200);
    expect(set.json().openingHours).toEqual(HOURS);

    const open = VISITS.filter((v) => v[2]);
    const s = (await get('/api/analytics/summary', day())).json();
    expect(s).toMatchObject({ source: 'raw', visitors: open.length, entries: 1, exits: 1 });
    expect(s.averageTimeSpentMs).toBe((60_000 + 120_000) / 2);
    expect(s.busiestHourOfDay.hour).toBeGreaterThanOrEqual(9);

    // Hours 08:00-16:00 UTC are open (09:00-18:00 local): 9 points, none at night.
    const hours = (await get('/api/analytics/timeseries', day({ interval: 'hour' }))).json();
    expect(hours.points.map((p: { start: string }) => new Date(p.start).getUTCHours())).toEqual([
      8, 9, 10, 11, 12, 13, 14, 15, 16,
    ]);
    expect(hours.points.reduce((n: number, p: { visitors: number }) => n + p.visitors, 0)).toBe(2);

    const zones = (await get('/api/analytics/zones', day())).json();
    expect(zones.zones).toEqual([expect.objectContaining({ zoneId, visitors: 2 })]);

    const flows = (await get('/api/analytics/flows', day())).json().flows;
    expect(flows).toEqual(
      expect.arrayContaining([
        { fromZoneId: null, toZoneId: zoneId, count: 1 },
        { fromZoneId: zoneId, toZoneId: zone2, count: 1 },
      ]),
    );
    expect(flows).toHaveLength(2);

    const camera = (await f.repos.cameras.list({ storeId }))[0]!;
    const heat = (
      await get('/api/analytics/heatmap', { cameraId: camera.id, from: day().from, to: day().to })
    ).json();
    expect(heat.total).toBe(2 * open.length);

    const durations = (await get('/api/analytics/visit-durations', day())).json();
    expect(durations.visits).toBe(open.length);

    const compare = (
      await get('/api/analytics/compare', {
        storeIds: [storeId, f.a.store.id],
        from: day().from,
        to: day().to,
      })
    ).json();
    const mine = compare.stores.find((c: { storeId: string }) => c.storeId === storeId);
    expect(mine.visitors).toBe(open.length);

    const csv = (await get('/api/export/summaries.csv', day({ period: 'hour' }))).body;
    const lines = csv.trim().split(/\r?\n/).slice(1);
    expect(lines).toHaveLength(2); // the 10:00 UTC hour: camera row and area row
    expect(lines.every((l) => l.includes(iso(WED + 10 * H).slice(0, 13)))).toBe(true);
  });

  it('answers long ranges from the open hours of the summaries, and leaves closed dates out', async () => {
    const week = { storeId, from: iso(WED - 3 * 24 * H), to: iso(WED + 4 * 24 * H) };
    const s = (await get('/api/analytics/summary', week)).json();
    expect(s).toMatchObject({ source: 'summaries', visitors: 3, entries: 3 });
    const zones = (await get('/api/analytics/zones', week)).json();
    expect(zones.zones).toEqual([expect.objectContaining({ zoneId, visitors: 3 })]);
    // Stores compared (the comparisons' one query over the summaries): the same open hours.
    const table = (await get('/api/analytics/stores-table', { from: week.from, to: week.to })).json();
    expect(table.stores.find((r: { storeId: string }) => r.storeId === storeId)).toMatchObject({
      visitors: 3,
    });
    const days = (await get('/api/export/summaries.csv', { ...week, period: 'day' })).body;
    const dayRows = days.trim().split(/\r?\n/).slice(1);
    expect(dayRows).toHaveLength(2);
    expect(dayRows.every((l) => /,3,3,0,/.test(l))).toBe(true);

    // Closed on Wednesday 2 July: that day goes from the daily series, its visitors from the totals.
    const closed = await patch(admin, { ...HOURS, closedDates: ['2025-07-02'] });
    expect(closed.statusCode, closed.body).toBe(200);
    const series = (await get('/api/analytics/timeseries', { ...week, interval: 'day' })).json();
    const starts = series.points.map((p: { start: string }) => p.start);
    // Local days from Sunday 29 June: Sunday is closed by the week, Wednesday by the date.
    expect(starts).toEqual([
      '2025-06-29T23:00:00.000Z',
      '2025-06-30T23:00:00.000Z',
      '2025-07-02T23:00:00.000Z',
      '2025-07-03T23:00:00.000Z',
      '2025-07-04T23:00:00.000Z',
    ]);
    expect((await get('/api/analytics/summary', week)).json().visitors).toBe(0);

    const cleared = await patch(admin, null);
    expect(cleared.json().openingHours).toBeNull();
    expect((await get('/api/analytics/summary', week)).json().visitors).toBe(8);
  });
});
