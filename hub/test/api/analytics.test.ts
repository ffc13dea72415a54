import type { SequencedEvent } from '@oskartrack/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SummaryDelta } from '../../src/db/repositories/index.ts';
import { BACKENDS, uid } from '../db/backends.ts';
import { DAY0, type Fixture, H, openFixture } from './fixture.ts';

const JUNE = Date.parse('2025-06-01T00:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString();

describe.each(BACKENDS)('analytics on %s', (kind) => {
  let f: Fixture;
  let admin: string;
  let storeId: string;
  let store2: string;
  let cameraId: string;
  let zones: { z1: string; z2: string; z3: string };

  beforeAll(async () => {
    f = await openFixture(kind);
    admin = f.tokens.admin;
    const r = f.repos;
    const u = uid();
    storeId = (await r.stores.create({ id: `an-${u}`, name: 'Analytics', timezone: 'Europe/Berlin' })).id;
    store2 = (await r.stores.create({ id: `an2-${u}`, name: 'Second' })).id;
    const device = await r.devices.create({ storeId, name: 'box' });
    const camera = await r.cameras.create({
      storeId,
      deviceId: device.id,
      name: 'c',
      source: '0',
      frameWidth: 640,
      frameHeight: 480,
    });
    const camera2 = await r.cameras.create({ storeId: store2, name: 'c2', source: '0' });
    cameraId = camera.id;
    const square = (x: number): [number, number][] => [
      [x, 0],
      [x + 100, 0],
      [x + 100, 100],
      [x, 100],
    ];
    zones = {
      z1: (await r.zones.createZone({ cameraId, name: 'Till', polygon: square(0) })).id,
      z2: (await r.zones.createZone({ cameraId, name: 'Bakery', polygon: square(200) })).id,
      z3: (await r.zones.createZone({ cameraId, name: 'Fruit', polygon: square(400) })).id,
    };
    const line = await r.zones.createLine({
      cameraId,
      name: 'Door',
      start: [0, 240],
      end: [640, 240],
      inSide: 'left',
    });
    const visit = (start: number, ms: number, path: [number, number][], zs: [string, number][]) =>
      r.visits.create({
        cameraId,
        trackId: 1,
        startedAt: new Date(start),
        endedAt: new Date(start + ms),
        path: path.map((point, i) => ({ at: start + i, point })),
        zones: zs.map(([zoneId, dwellMs]) => ({ zoneId, dwellMs })),
      });
    await visit(
      DAY0 + 10 * H,
      60_000,
      [
        [10, 10],
        [630, 470],
      ],
      [
        [zones.z1, 20_000],
        [zones.z2, 30_000],
      ],
    );
    await visit(DAY0 + 10.5 * H, 120_000, [[320, 240]], [[zones.z1, 10_000]]);
    await visit(DAY0 + 14 * H, 30_000, [[700, 10]], [[zones.z3, 5_000]]);

    let seq = 0;
    const ev = (e: SequencedEvent['event']): SequencedEvent => ({ seq: ++seq, event: e });
    const base = { cameraId };
    const crossings = ['in', 'in', 'out', 'in', 'out', 'in'] as const;
    await r.events.insertEvents(device.id, [
      ...crossings.map((direction, i) =>
        ev({
          kind: 'line_crossed',
          ...base,
          at: DAY0 + 10 * H + i * 60_000,
          trackId: 10 + i,
          lineId: line.id,
          direction,
        }),
      ),
      ev({ kind: 'zone_entered', ...base, at: DAY0 + 10 * H, trackId: 1, zoneId: zones.z1 }),
      ev({ kind: 'zone_entered', ...base, at: DAY0 + 10 * H + 10_000, trackId: 1, zoneId: zones.z2 }),
      ev({ kind: 'zone_entered', ...base, at: DAY0 + 10.5 * H, trackId: 2, zoneId: zones.z1 }),
      ev({ kind: 'zone_entered', ...base, at: DAY0 + 14 * H, trackId: 3, zoneId: zones.z3 }),
      ev({ kind: 'zone_entered', ...base, at: DAY0 + 14 * H + 5000, trackId: 3, zoneId: zones.z1 }),
      ev({ kind: 'zone_entered', ...base, at: DAY0 + 14 * H + 9000, trackId: 3, zoneId: zones.z1 }),
    ]);

    // Three days of hourly summaries in June: 2 visitors, 1 entry, 1 exit, 2 stays of 1 s each per hour.
    const rows: SummaryDelta[] = [];
    for (let h = 0; h < 72; h++) {
      const bucketStart = new Date(JUNE + h * H);
      rows.push({
        period: 'hour',
        bucketStart,
        storeId,
        cameraId,
        zoneId: null,
        visitors: 2,
        entries: 1,
        exits: 1,
        dwellCount: 2,
        totalDwellMs: 2000,
      });
      rows.push({
        period: 'hour',
        bucketStart,
        storeId,
        cameraId,
        zoneId: zones.z1,
        visitors: 1,
        entries: 1,
        dwellCount: 1,
        totalDwellMs: 4000,
      });
      rows.push({
        period: 'hour',
        bucketStart,
        storeId: store2,
        cameraId: camera2.id,
        zoneId: null,
        visitors: 5,
        dwellCount: 5,
        totalDwellMs: 500,
      });
    }
    await r.summaries.replace(rows);
  });
  afterAll(async () => {
    await f?.close();
  });

  const get = async (url: string, query: Record<string, string | string[]>) => {
    const r = await f.inject(admin, { method: 'GET', url, query });
    expect(r.statusCode, r.body).toBe(200);
    return r.json();
  };
  const day = () => ({ storeId, from: iso(DAY0), to: iso(DAY0 + 24 * H) });
  const june = () => ({ storeId, from: iso(JUNE), to: iso(JUNE + 72 * H) });

  it('summarises a day from the raw data: visitors, entries, exits, time spent, busiest hour', async () => {
    const s = await get('/api/analytics/summary', day());
    expect(s).toMatchObject({
      source: 'raw',
      visitors: 3,
      entries: 4,
      exits: 2,
      averageTimeSpentMs: 70_000,
      busiestHour: { start: iso(DAY0 + 10 * H), visitors: 2 },
      busiestHourOfDay: { hour: 12, visitors: 2 },
    });
    const cam = await get('/api/analytics/summary', { ...day(), cameraId });
    expect(cam.visitors).toBe(3);
    const empty = await get('/api/analytics/summary', { storeId, from: iso(DAY0 - 5 * H), to: iso(DAY0) });
    expect(empty).toMatchObject({
      visitors: 0,
      averageTimeSpentMs: 0,
      busiestHour: null,
      busiestHourOfDay: null,
    });
  });

  it('answers long ranges from the hourly summaries', async () => {
    const s = await get('/api/analytics/summary', june());
    expect(s).toMatchObject({
      source: 'summaries',
      visitors: 144,
      entries: 72,
      exits: 72,
      averageTimeSpentMs: 1000,
    });
    expect(s.busiestHour.visitors).toBe(2);
    const forced = await get('/api/analytics/summary', { ...day(), source: 'summaries' });
    expect(forced).toMatchObject({ source: 'summaries', visitors: 0 });
  });

  it('gives time series per hour and per store-local day, gaps filled with zeros', async () => {
    const hours = await get('/api/analytics/timeseries', { ...day(), interval: 'hour' });
    expect(hours.points).toHaveLength(24);
    expect(hours.points[10]).toMatchObject({
      start: iso(DAY0 + 10 * H),
      visitors: 2,
      entries: 4,
      exits: 2,
      averageTimeSpentMs: 90_000,
    });
    expect(hours.points[14].visitors).toBe(1);
    expect(hours.points.reduce((n: number, p: { visitors: number }) => n + p.visitors, 0)).toBe(3);

    const days = await get('/api/analytics/timeseries', { ...june(), interval: 'day' });
    expect(days).toMatchObject({ source: 'summaries', timezone: 'Europe/Berlin' });
    // Berlin is UTC+2 in June: local days start at 22:00 UTC.
    expect(days.points.map((p: { start: string }) => p.start)).toEqual([
      '2025-05-31T22:00:00.000Z',
      '2025-06-01T22:00:00.000Z',
      '2025-06-02T22:00:00.000Z',
      '2025-06-03T22:00:00.000Z',
    ]);
    expect(days.points.map((p: { visitors: number }) => p.visitors)).toEqual([44, 48, 48, 4]);
    const rawDays = await get('/api/analytics/timeseries', { ...day(), interval: 'day' });
    // The UTC day touches two Berlin days (the second from 22:00 UTC).
    expect(rawDays.points.map((p: { start: string; visitors: number }) => [p.start, p.visitors])).toEqual([
      ['2025-06-30T22:00:00.000Z', 3],
      ['2025-07-01T22:00:00.000Z', 0],
    ]);
  });

  it('gives per-area numbers with names, flows between areas, and a heatmap', async () => {
    const z = await get('/api/analytics/zones', day());
    const byName = Object.fromEntries(z.zones.map((x: { name: string }) => [x.name, x]));
    expect(byName.Till).toMatchObject({ zoneId: zones.z1, visitors: 2, averageTimeSpentMs: 15_000 });
    expect(byName.Bakery).toMatchObject({ visitors: 1, averageTimeSpentMs: 30_000 });
    expect(byName.Fruit).toMatchObject({ visitors: 1, averageTimeSpentMs: 5_000 });
    const zs = await get('/api/analytics/zones', june());
    expect(zs.zones).toEqual([
      expect.objectContaining({ zoneId: zones.z1, name: 'Till', visitors: 72, averageTimeSpentMs: 4000 }),
    ]);

    const flows = (await get('/api/analytics/flows', day())).flows;
    const pairs = Object.fromEntries(
      flows.map((x: { fromZoneId: string | null; toZoneId: string; count: number }) => [
        `${x.fromZoneId}>${x.toZoneId}`,
        x.count,
      ]),
    );
    expect(pairs).toEqual({
      [`null>${zones.z1}`]: 2,
      [`${zones.z1}>${zones.z2}`]: 1,
      [`null>${zones.z3}`]: 1,
      [`${zones.z3}>${zones.z1}`]: 1,
    });

    const heat = await get('/api/analytics/heatmap', { cameraId, from: iso(DAY0), to: iso(DAY0 + 24 * H) });
    expect(heat).toMatchObject({ width: 640, height: 480, cols: 32, rows: 24, total: 3, max: 1 });
    expect(heat.grid).toHaveLength(24);
    expect(heat.grid[0][0]).toBe(1);
    expect(heat.grid[23][31]).toBe(1);
    expect(heat.grid[12][16]).toBe(1);
    const coarse = await get('/api/analytics/heatmap', {
      cameraId,
      from: iso(DAY0),
      to: iso(DAY0 + 24 * H),
      cols: '2',
      rows: '2',
    });
    expect(coarse.grid).toEqual([
      [1, 0],
      [0, 2],
    ]);
    // A year and more: the daily heatmap cells answer, with the day's points among them.
    const year = await get('/api/analytics/heatmap', {
      cameraId,
      from: iso(DAY0),
      to: iso(DAY0 + 400 * 24 * H),
    });
    expect(year.source).toBe('summaries');
    expect(year.grid[0][0]).toBeGreaterThanOrEqual(1);
    expect(year.grid[23][31]).toBeGreaterThanOrEqual(1);
    const tooLong = await f.inject(admin, {
      method: 'GET',
      url: '/api/analytics/heatmap',
      query: { cameraId, from: iso(DAY0), to: iso(DAY0 + 4000 * 24 * H) },
    });
    expect(tooLong.statusCode).toBe(400);
    expect(tooLong.json().message).toMatch(/choose a range of at most 3660 days/);
  });

  it('compares stores side by side', async () => {
    const c = await get('/api/analytics/compare', {
      storeIds: [storeId, store2],
      from: iso(JUNE),
      to: iso(JUNE + 72 * H),
    });
    expect(c.source).toBe('summaries');
    expect(c.stores).toEqual([
      { storeId, name: 'Analytics', visitors: 144, entries: 72, exits: 72, averageTimeSpentMs: 1000 },
      { storeId: store2, name: 'Second', visitors: 360, entries: 0, exits: 0, averageTimeSpentMs: 100 },
    ]);
    const all = await get('/api/analytics/compare', { from: iso(DAY0), to: iso(DAY0 + 24 * H) });
    expect(all.stores.find((s: { storeId: string }) => s.storeId === storeId).visitors).toBe(3);
    expect(all.stores.length).toBeGreaterThanOrEqual(4);
  });

  it('exports visits and summaries as CSV', async () => {
    const v = await f.inject(admin, { method: 'GET', url: '/api/export/visits.csv', query: day() });
    expect(v.statusCode).toBe(200);
    expect(v.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(v.headers['content-disposition']).toMatch(
      /^attachment; filename="visits-an-[a-f0-9]+-2025-07-01-2025-07-02\.csv"$/,
    );
    const lines = v.body.split('\r\n').filter(Boolean);
    expect(lines[0]).toBe(
      'visit_id,store_id,camera_id,customer_id,track_id,started_at,ended_at,duration_ms,path_points',
    );
    expect(lines).toHaveLength(4);
    expect(lines[1]).toContain(
      `${storeId},${cameraId},,1,2025-07-01T10:00:00.000Z,2025-07-01T10:01:00.000Z,60000,2`,
    );

    const s = await f.inject(admin, { method: 'GET', url: '/api/export/summaries.csv', query: june() });
    const rows = s.body.split('\r\n').filter(Boolean);
    expect(rows).toHaveLength(1 + 144);
    expect(rows[1]).toBe(`hour,2025-06-01T00:00:00.000Z,${storeId},${cameraId},,2,1,1,2,2000,1000,0`);
    expect(rows[2]).toBe(
      `hour,2025-06-01T00:00:00.000Z,${storeId},${cameraId},${zones.z1},1,1,0,1,4000,4000,0`,
    );
  });
});
