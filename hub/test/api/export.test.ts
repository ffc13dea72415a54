/**
 * GET /api/export/visits and /api/export/numbers on both databases: CSV (BOM, friendly headers, names,
 * the store's local times, whole seconds) and Excel (opened with exceljs: bold frozen header, sized
 * columns, numbers as numbers, times as dates), file names with the first and last day chosen,
 * uploaded recordings left out unless asked, the range limit and the store scope.
 */
import ExcelJS from 'exceljs';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '../../src/api/users-command.ts';
import { BACKENDS, uid } from '../db/backends.ts';
import { type Fixture, openFixture, PASSWORD, visitClosed } from './fixture.ts';

const ZONE = 'America/New_York';
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const H = 3_600_000;
/** Local midnight of 23 November 2026 in New York (UTC-5 in November). */
const WEEK_FROM = Date.parse('2026-11-23T05:00:00Z');
const WEEK_TO = WEEK_FROM + 7 * 24 * H;

/** Each visit with the wall-clock time New York shows for its start and end. */
const VISITS = [
  // Before the first day, local time (22 Nov 23:59): left out.
  { camera: 'door', start: '2026-11-23T04:59:00Z', ms: 10_000, local: null },
  {
    camera: 'door',
    start: '2026-11-24T19:05:00Z',
    ms: 83_400,
    local: ['2026-11-24 14:05:00', '2026-11-24 14:06:23'],
    areas: ['Entrance', 'Bakery'],
  },
  {
    camera: 'till',
    start: '2026-11-29T04:30:00Z',
    ms: 1_600,
    local: ['2026-11-28 23:30:00', '2026-11-28 23:30:01'],
  },
  // The day after the last (30 Nov 00:10 local): left out.
  { camera: 'till', start: '2026-11-30T05:10:00Z', ms: 5_000, local: null },
] as const;
const RECORDED = {
  start: '2026-11-25T15:00:00Z',
  ms: 125_000,
  local: ['2026-11-25 10:00:00', '2026-11-25 10:02:05'],
};

const wall = (local: string) => new Date(`${local.replace(' ', 'T')}Z`);
const secs = (ms: number) => Math.round(ms / 1000);

/** One CSV line's fields (quoted ones unquoted). */
function fields(line: string): string[] {
  const out: string[] = [];
  for (const m of line.matchAll(/("(?:[^"]|"")*"|[^,]*)(,|$)/g)) {
    const f = m[1]!;
    out.push(f.startsWith('"') ? f.slice(1, -1).replaceAll('""', '"') : f);
    if (m[2] === '') break;
  }
  return out;
}

function csvRows(r: LightMyRequestResponse): string[][] {
  return r.body
    .replace(/^\uFEFF/, '')
    .split('\r\n')
    .filter(Boolean)
    .map(fields);
}

async function workbook(r: LightMyRequestResponse): Promise<ExcelJS.Worksheet> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(r.rawPayload as unknown as ArrayBuffer);
  const sheet = wb.worksheets[0];
  if (!sheet) throw new Error('the workbook has no sheet');
  return sheet;
}

const rowValues = (sheet: ExcelJS.Worksheet, n: number) => (sheet.getRow(n).values as unknown[]).slice(1);

describe.each(BACKENDS)('exports for spreadsheets on %s', (kind) => {
  let f: Fixture;
  let storeId: string;
  let cameras: Record<'door' | 'till', string>;
  let bakery: string;
  let areaIds: Record<string, string>;
  let viewer: string;

  beforeAll(async () => {
    f = await openFixture(kind);
    const r = f.repos;
    const u = uid();
    storeId = (await r.stores.create({ id: `ex-${u}`, name: 'Café Démo', timezone: ZONE })).id;
    const device = await r.devices.create({ storeId, name: 'Box' });
    cameras = {
      door: (await r.cameras.create({ storeId, deviceId: device.id, name: 'Front door', source: '0' })).id,
      till: (await r.cameras.create({ storeId, name: 'Till, left', source: '0' })).id,
    };
    bakery = (
      await r.zones.createZone({
        cameraId: cameras.door,
        name: 'Bakery',
        polygon: [
          [10, 10],
          [200, 10],
          [10, 200],
        ],
      })
    ).id;
    const entrance = await r.zones.createZone({
      cameraId: cameras.door,
      name: 'Entrance',
      polygon: [
        [300, 300],
        [600, 300],
        [300, 470],
      ],
    });
    areaIds = { Bakery: bakery, Entrance: entrance.id };
    for (const [i, v] of VISITS.entries()) {
      const startedAt = new Date(v.start);
      const areas = 'areas' in v ? v.areas : [];
      await r.visits.create({
        cameraId: cameras[v.camera],
        trackId: i + 1,
        startedAt,
        endedAt: new Date(startedAt.getTime() + v.ms),
        zones: areas.map((name) => ({ zoneId: areaIds[name]!, dwellMs: 10_000 })),
      });
    }
    const upload = await r.uploads.create({
      storeId,
      cameraId: cameras.door,
      deviceId: device.id,
      createdBy: null,
      fileName: 'test.avi',
      sizeBytes: 1000,
      detector: 'hog',
      fps: null,
      startTime: new Date(RECORDED.start),
      framesTotal: null,
    });
    const recStart = Date.parse(RECORDED.start);
    await r.visits.createManyFromEvents(
      device.id,
      [
        {
          seq: 1,
          event: {
            ...visitClosed(cameras.door, recStart, 9),
            startedAt: recStart,
            durationMs: RECORDED.ms,
            zones: [{ zoneId: bakery, dwellMs: 5_000, entries: 1 }],
          },
        },
      ],
      { uploadId: upload.id },
    );
    await r.summaries.increment(SUMMARIES.map((s) => summaryRow(s, upload.id)));
    viewer = `viewer-ex-${u}`;
    await createUser(r, { name: viewer, password: PASSWORD, role: 'viewer', storeIds: [storeId] });
  });
  afterAll(async () => {
    await f?.close();
  });

  /** The numbers seeded: an hour of the door camera and its bakery area, a day, a recording's hour. */
  const SUMMARIES = [
    {
      period: 'hour',
      at: '2026-11-24T19:00:00Z',
      local: '2026-11-24 14:00:00',
      camera: 'door',
      area: null,
      v: { visitors: 3, entries: 2, exits: 1, dwellCount: 2, totalDwellMs: 167_000, peakOccupancy: 2 },
    },
    {
      period: 'hour',
      at: '2026-11-24T19:00:00Z',
      local: '2026-11-24 14:00:00',
      camera: 'door',
      area: 'bakery',
      v: { visitors: 1, entries: 1, exits: 0, dwellCount: 1, totalDwellMs: 40_400, peakOccupancy: 1 },
    },
    {
      period: 'day',
      at: '2026-11-24T05:00:00Z',
      local: '2026-11-24',
      camera: 'door',
      area: null,
      v: { visitors: 3, entries: 2, exits: 1, dwellCount: 2, totalDwellMs: 167_000, peakOccupancy: 2 },
    },
    {
      period: 'hour',
      at: '2026-11-25T15:00:00Z',
      local: '2026-11-25 10:00:00',
      camera: 'door',
      area: null,
      recorded: true,
      v: { visitors: 1, entries: 0, exits: 0, dwellCount: 1, totalDwellMs: 125_000, peakOccupancy: 1 },
    },
  ] as const;

  function summaryRow(s: (typeof SUMMARIES)[number], uploadId: string) {
    return {
      period: s.period,
      bucketStart: new Date(s.at),
      storeId,
      cameraId: cameras[s.camera],
      zoneId: s.area ? bakery : null,
      ...('recorded' in s ? { uploadId } : {}),
      ...s.v,
    };
  }

  const get = (url: string, query: Record<string, string>, token = f.tokens.admin) =>
    f.inject(token, { method: 'GET', url, query });
  const week = (extra: Record<string, string> = {}) => ({
    storeId,
    from: new Date(WEEK_FROM).toISOString(),
    to: new Date(WEEK_TO).toISOString(),
    ...extra,
  });

  const liveVisits = VISITS.filter((v) => v.local !== null);
  const VISIT_HEADER = [
    `Started (${ZONE})`,
    `Ended (${ZONE})`,
    'Time spent (seconds)',
    'Store',
    'Camera',
    'Areas',
  ];
  /** A visit's area names as the export lists them: alphabetical, comma-separated; '' for none. */
  const areaText = (v: (typeof VISITS)[number]) => ('areas' in v ? [...v.areas].sort().join(', ') : '');
  const cameraName = { door: 'Front door', till: 'Till, left' } as const;

  it('downloads a week of visits as CSV with local times, seconds and names, named after the days', async () => {
    const r = await get('/api/export/visits', week());
    expect(r.statusCode, r.body).toBe(200);
    expect(r.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(r.headers['content-disposition']).toBe(
      'attachment; filename="cafe-demo-visits-2026-11-23-to-2026-11-29.csv"',
    );
    expect(r.rawPayload.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    const lines = r.body
      .replace(/^\uFEFF/, '')
      .split('\r\n')
      .filter(Boolean);
    expect(lines[0]).toBe(VISIT_HEADER.join(','));
    expect(lines.slice(1)).toEqual(
      liveVisits.map((v) =>
        [
          v.local![0],
          v.local![1],
          secs(v.ms),
          'Café Démo',
          csvQuoted(cameraName[v.camera]),
          csvQuoted(areaText(v)),
        ].join(','),
      ),
    );
  });

  it('names a one-day file after that day and leaves out a camera not asked for', async () => {
    const day = { from: '2026-11-24T05:00:00.000Z', to: '2026-11-25T05:00:00.000Z' };
    const r = await get('/api/export/visits', { storeId, ...day, cameraId: cameras.till });
    expect(r.statusCode, r.body).toBe(200);
    expect(r.headers['content-disposition']).toBe('attachment; filename="cafe-demo-visits-2026-11-24.csv"');
    expect(csvRows(r)).toHaveLength(1);
    const door = await get('/api/export/visits', { storeId, ...day, cameraId: cameras.door });
    expect(
      csvRows(door)
        .slice(1)
        .map((row) => row[0]),
    ).toEqual(['2026-11-24 14:05:00']);
  });

  it('leaves the uploaded recording out unless asked, then marks it', async () => {
    const r = await get('/api/export/visits', week({ includeRecordings: 'true' }));
    const rows = csvRows(r);
    expect(rows[0]).toEqual([...VISIT_HEADER, 'From a recorded video']);
    expect(rows).toHaveLength(1 + liveVisits.length + 1);
    const recorded = rows.filter((row) => row[6] === 'Yes');
    expect(recorded).toEqual([
      [
        RECORDED.local[0],
        RECORDED.local[1],
        String(secs(RECORDED.ms)),
        'Café Démo',
        'Front door',
        'Bakery',
        'Yes',
      ],
    ]);
    const without = csvRows(await get('/api/export/visits', week()));
    expect(without.some((row) => row[0] === RECORDED.local[0])).toBe(false);
  });

  it('downloads the visits as an Excel workbook: bold frozen header, numbers and dates', async () => {
    const r = await get('/api/export/visits', week({ format: 'xlsx' }));
    expect(r.statusCode, r.body).toBe(200);
    expect(r.headers['content-type']).toBe(XLSX);
    expect(r.headers['content-disposition']).toBe(
      'attachment; filename="cafe-demo-visits-2026-11-23-to-2026-11-29.xlsx"',
    );
    const sheet = await workbook(r);
    expect(rowValues(sheet, 1)).toEqual(VISIT_HEADER);
    expect(sheet.getRow(1).getCell(1).font?.bold).toBe(true);
    expect(sheet.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
    expect(sheet.getColumn(1).width).toBeGreaterThanOrEqual(19);
    expect(sheet.rowCount).toBe(1 + liveVisits.length);
    for (const [i, v] of liveVisits.entries()) {
      expect(rowValues(sheet, i + 2).slice(0, 5)).toEqual([
        wall(v.local![0]),
        wall(v.local![1]),
        secs(v.ms),
        'Café Démo',
        cameraName[v.camera],
      ]);
      // No area: an empty cell.
      expect(sheet.getRow(i + 2).getCell(6).value).toBe(areaText(v) || null);
    }
    expect(sheet.getRow(2).getCell(1).numFmt).toBe('yyyy-mm-dd hh:mm:ss');
  });

  const hours = SUMMARIES.filter((s) => s.period === 'hour' && !('recorded' in s));
  const NUMBER_HEADER = (first: string) => [
    `${first} (${ZONE})`,
    'Store',
    'Camera',
    'Area',
    'Visitors',
    'Entrances',
    'Exits',
    'Average time spent (seconds)',
    'Most people inside',
  ];
  const numberRow = (s: (typeof SUMMARIES)[number]) => [
    s.local,
    'Café Démo',
    cameraName[s.camera],
    s.area ? 'Bakery' : 'Whole camera view',
    s.v.visitors,
    s.v.entries,
    s.v.exits,
    secs(s.v.totalDwellMs / s.v.dwellCount),
    s.v.peakOccupancy,
  ];

  it('downloads the hourly numbers per camera and area as CSV', async () => {
    const r = await get('/api/export/numbers', week({ period: 'hour' }));
    expect(r.statusCode, r.body).toBe(200);
    expect(r.headers['content-disposition']).toBe(
      'attachment; filename="cafe-demo-hourly-numbers-2026-11-23-to-2026-11-29.csv"',
    );
    expect(r.body.startsWith('\uFEFF')).toBe(true);
    const rows = csvRows(r);
    expect(rows[0]).toEqual(NUMBER_HEADER('Time'));
    expect(rows.slice(1)).toEqual(hours.map((s) => numberRow(s).map(String)));
    const all = csvRows(
      await get('/api/export/numbers', week({ period: 'hour', includeRecordings: 'true' })),
    );
    expect(all[0]).toEqual([...NUMBER_HEADER('Time'), 'From a recorded video']);
    expect(all.slice(1).map((row) => row.at(-1))).toEqual(['No', 'No', 'Yes']);
    expect(all[3]?.[0]).toBe('2026-11-25 10:00:00');
  });

  it('downloads the daily numbers as Excel with the day as a date', async () => {
    const r = await get('/api/export/numbers', week({ period: 'day', format: 'xlsx' }));
    expect(r.statusCode, r.body).toBe(200);
    expect(r.headers['content-type']).toBe(XLSX);
    expect(r.headers['content-disposition']).toBe(
      'attachment; filename="cafe-demo-daily-numbers-2026-11-23-to-2026-11-29.xlsx"',
    );
    const sheet = await workbook(r);
    expect(rowValues(sheet, 1)).toEqual(NUMBER_HEADER('Day'));
    const days = SUMMARIES.filter((s) => s.period === 'day');
    expect(sheet.rowCount).toBe(1 + days.length);
    const [day] = days;
    expect(rowValues(sheet, 2)).toEqual([wall(`${day!.local} 00:00:00`), ...numberRow(day!).slice(1)]);
    expect(sheet.getRow(2).getCell(1).numFmt).toBe('yyyy-mm-dd');
    expect(typeof sheet.getRow(2).getCell(5).value).toBe('number');
  });

  it("lets a viewer of the store download, and answers 404 for another store's viewer", async () => {
    const login = await f.login(viewer);
    const token = login.json().accessToken as string;
    expect((await get('/api/export/visits', week({ format: 'xlsx' }), token)).statusCode).toBe(200);
    expect((await get('/api/export/numbers', week(), f.tokens.viewerB)).statusCode).toBe(404);
    expect((await get('/api/export/visits', week(), f.tokens.viewerA)).statusCode).toBe(404);
    const other = await get('/api/export/visits', week({ cameraId: f.a.camera.id }));
    expect(other.statusCode).toBe(400);
  });

  it('describes both downloads and their two file types in the API document', async () => {
    const doc = (await f.inject(undefined, { method: 'GET', url: '/api/docs/json' })).json();
    for (const path of ['/api/export/visits', '/api/export/numbers']) {
      const get = doc.paths[path]?.get;
      expect(Object.keys(get?.responses?.['200']?.content ?? {}), path).toEqual([
        'text/csv; charset=utf-8',
        XLSX,
      ]);
      const names = (get?.parameters ?? []).map((p: { name: string }) => p.name);
      expect(names).toEqual(expect.arrayContaining(['format', 'includeRecordings', 'storeId', 'from', 'to']));
    }
  });

  it('refuses more than a year of visits or hours at once, saying what to do', async () => {
    const long = { storeId, from: '2024-01-01T00:00:00Z', to: '2025-06-01T00:00:00Z' };
    const r = await get('/api/export/visits', long);
    expect(r.statusCode).toBe(400);
    expect(r.json().message).toMatch(/choose fewer days/);
    expect((await get('/api/export/numbers', { ...long, period: 'hour' })).statusCode).toBe(400);
    expect((await get('/api/export/numbers', { ...long, period: 'day' })).statusCode).toBe(200);
  });
});

/** A CSV field as a spreadsheet program expects it: quoted when it holds a comma. */
function csvQuoted(text: string): string {
  return text.includes(',') ? `"${text}"` : text;
}
