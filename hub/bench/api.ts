// API benchmark: analytics summary and time series over 1,000,000 stored events in PostgreSQL.
// Seeds a fresh schema straight with generate_series SQL (events, visits with paths, time per area,
// hourly summaries built from them), then times the API through app.inject (auth included).
// Run from the project root:  node --import tsx hub/bench/api.ts [--events 1000000] [--days 90] [--runs 15] [--keep]
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { sql } from 'drizzle-orm';
import pg from 'pg';
import { createUser } from '../src/api/users-command.ts';
import { buildApp } from '../src/app.ts';
import { openDatabase } from '../src/db/database.ts';
import { createRepositories } from '../src/db/repositories/index.ts';

const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '1000000' },
    days: { type: 'string', default: '90' },
    runs: { type: 'string', default: '15' },
    url: {
      type: 'string',
      default: process.env.TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test',
    },
    keep: { type: 'boolean', default: false },
  },
});
const EVENTS = Number(values.events);
const DAYS = Number(values.days);
const RUNS = Number(values.runs);
const CAMERAS = 4;
const START = Date.parse('2025-01-01T00:00:00Z');
const END = START + DAYS * 86_400_000;
const schema = `bench_api_${Date.now().toString(36)}`;
const dataDir = mkdtempSync(join(tmpdir(), 'oskartrack-bench-'));

const handle = await openDatabase({ databaseUrl: values.url, dataDir }, { schema, maxConnections: 4 });
await handle.migrate();
const repos = createRepositories(handle.db);
const exec = (q: ReturnType<typeof sql>) => handle.db.execute(q);
/** A number written into the SQL text (these are the script's own constants, never input). */
const n = (x: number) => sql.raw(String(x));

async function timed<T>(label: string, run: () => Promise<T>): Promise<T> {
  const t = performance.now();
  const out = await run();
  console.log(`  ${label}: ${((performance.now() - t) / 1000).toFixed(1)} s`);
  return out;
}

try {
  console.log(`seeding ${EVENTS.toLocaleString('en')} events over ${DAYS} days into schema ${schema}`);
  const store = await repos.stores.create({
    id: 'bench-store',
    name: 'Bench store',
    timezone: 'Europe/Berlin',
  });
  const device = await repos.devices.create({ id: 'bench-dev', storeId: store.id, name: 'Bench box' });
  for (let c = 0; c < CAMERAS; c++) {
    const cameraId = `bench-cam-${c}`;
    await repos.cameras.create({
      id: cameraId,
      storeId: store.id,
      deviceId: device.id,
      name: `Camera ${c}`,
      source: String(c),
      frameWidth: 640,
      frameHeight: 480,
    });
    for (let z = 0; z < 2; z++) {
      await repos.zones.createZone({
        id: `bench-z-${c}-${z}`,
        cameraId,
        name: `Area ${c}.${z}`,
        polygon: [
          [z * 320, 0],
          [z * 320 + 300, 0],
          [z * 320 + 300, 470],
          [z * 320, 470],
        ],
      });
    }
    await repos.zones.createLine({
      id: `bench-line-${c}`,
      cameraId,
      name: 'Door',
      start: [0, 240],
      end: [640, 240],
      inSide: 'left',
    });
  }
  const step = (END - START) / EVENTS;
  // Kinds per g % 10: 0-1 line crossings, 2-4 zone_entered, 5-7 zone_left, 8 track_started, 9 track_ended.
  await timed('events', () =>
    exec(sql`
      INSERT INTO tracking_events (device_id, seq, kind, at, store_id, camera_id, track_id, zone_id, line_id, payload)
      SELECT 'bench-dev', g, k.kind, to_timestamp((${n(START)} + g * ${n(step)}) / 1000.0), 'bench-store', cam, g / 10,
        CASE WHEN k.kind IN ('zone_entered', 'zone_left') THEN 'bench-z-' || (g % ${n(CAMERAS)}) || '-' || (g / 7 % 2) END,
        CASE WHEN k.kind = 'line_crossed' THEN 'bench-line-' || (g % ${n(CAMERAS)}) END,
        jsonb_build_object('kind', k.kind, 'cameraId', cam, 'at', floor(${n(START)} + g * ${n(step)})::bigint, 'trackId', g / 10)
          || CASE WHEN k.kind = 'line_crossed'
               THEN jsonb_build_object('lineId', 'bench-line-' || (g % ${n(CAMERAS)}), 'direction', CASE WHEN g % 20 < 10 THEN 'in' ELSE 'out' END)
             WHEN k.kind IN ('zone_entered', 'zone_left') THEN jsonb_build_object('zoneId', 'bench-z-' || (g % ${n(CAMERAS)}) || '-' || (g / 7 % 2))
             ELSE '{}'::jsonb END
      FROM generate_series(1::bigint, ${n(EVENTS)}) AS g,
        LATERAL (SELECT 'bench-cam-' || (g % ${n(CAMERAS)}) AS cam,
          (ARRAY['line_crossed','line_crossed','zone_entered','zone_entered','zone_entered','zone_left','zone_left','zone_left','track_started','track_ended'])[g % 10 + 1] AS kind) k`),
  );
  const VISITS = Math.round(EVENTS / 10);
  const vstep = (END - START) / VISITS;
  await timed('visits', () =>
    exec(sql`
      INSERT INTO visits (store_id, camera_id, track_id, started_at, ended_at, duration_ms, path)
      SELECT 'bench-store', 'bench-cam-' || (g % ${n(CAMERAS)}), g,
        to_timestamp((${n(START)} + g * ${n(vstep)}) / 1000.0),
        to_timestamp((${n(START)} + g * ${n(vstep)}) / 1000.0) + (10 + g % 590) * interval '1 second',
        (10 + g % 590) * 1000,
        (SELECT jsonb_agg(jsonb_build_object('at', floor(${n(START)} + g * ${n(vstep)})::bigint + i * 1000,
           'point', jsonb_build_array((g * 37 + i * 101) % 640, (g * 53 + i * 67) % 480))) FROM generate_series(0, 7) i)
      FROM generate_series(1::bigint, ${n(VISITS)}) AS g`),
  );
  await timed('time per area', () =>
    exec(sql`
      INSERT INTO zone_visits (visit_id, zone_id, store_id, started_at, dwell_ms, entries)
      SELECT id, 'bench-z-' || substr(camera_id, 11) || '-' || (id % 2), store_id, started_at, duration_ms / 2, 1 FROM visits`),
  );
  await timed('hourly summaries', () =>
    exec(sql`
      INSERT INTO analytics_summaries (period, bucket_start, store_id, camera_id, zone_id, visitors, entries, exits, dwell_count, total_dwell_ms)
      SELECT 'hour', h, 'bench-store', cam, NULL, sum(v), sum(ein), sum(eout), sum(v), sum(d) FROM (
        SELECT date_trunc('hour', started_at) h, camera_id cam, count(*) v, 0 ein, 0 eout, sum(duration_ms) d FROM visits GROUP BY 1, 2
        UNION ALL
        SELECT date_trunc('hour', at), camera_id, 0, count(*) FILTER (WHERE payload->>'direction' = 'in'),
          count(*) FILTER (WHERE payload->>'direction' = 'out'), 0
        FROM tracking_events WHERE kind = 'line_crossed' GROUP BY 1, 2
      ) x GROUP BY h, cam;
      INSERT INTO analytics_summaries (period, bucket_start, store_id, camera_id, zone_id, visitors, entries, dwell_count, total_dwell_ms)
      SELECT 'hour', date_trunc('hour', zv.started_at), zv.store_id, z.camera_id, zv.zone_id, count(*), sum(zv.entries), count(*), sum(zv.dwell_ms)
      FROM zone_visits zv JOIN zones z ON z.id = zv.zone_id GROUP BY 2, 3, 4, 5`),
  );
  await timed('analyze', () => exec(sql`ANALYZE`));
  const counts =
    (await exec(sql`SELECT (SELECT count(*) FROM tracking_events) e, (SELECT count(*) FROM visits) v,
    (SELECT count(*) FROM analytics_summaries) s`)) as unknown as {
      rows: { e: string; v: string; s: string }[];
    };
  const c = counts.rows[0]!;
  console.log(
    `  stored: ${Number(c.e).toLocaleString('en')} events, ${Number(c.v).toLocaleString('en')} visits, ${Number(c.s).toLocaleString('en')} summary rows`,
  );

  await createUser(repos, { name: 'bench', password: 'bench-password', role: 'admin' });
  const app = await buildApp({
    settings: {
      databaseUrl: values.url,
      databaseSchema: schema,
      dataDir,
      jwtSecret: 'bench-secret-0123456789-abcdefghijklmnop',
    },
    db: handle,
  });
  const login = await app.inject({
    method: 'POST',
    url: '/api/auth/login',
    payload: { name: 'bench', password: 'bench-password' },
  });
  const token = login.json().accessToken as string;
  const iso = (ms: number) => new Date(ms).toISOString();
  const all = { storeId: store.id, from: iso(START), to: iso(END) };
  const week = { storeId: store.id, from: iso(END - 7 * 86_400_000), to: iso(END) };
  const day = { storeId: store.id, from: iso(END - 86_400_000), to: iso(END) };
  const cases: [string, string, Record<string, string>][] = [
    [`summary, ${DAYS} days (auto: summaries)`, '/api/analytics/summary', all],
    [`summary, ${DAYS} days, raw events forced`, '/api/analytics/summary', { ...all, source: 'raw' }],
    ['summary, 24 h (auto: raw)', '/api/analytics/summary', day],
    [
      `time series by hour, ${DAYS} days (summaries)`,
      '/api/analytics/timeseries',
      { ...all, interval: 'hour' },
    ],
    [
      `time series by day, ${DAYS} days (summaries)`,
      '/api/analytics/timeseries',
      { ...all, interval: 'day' },
    ],
    [
      `time series by hour, ${DAYS} days, raw events forced`,
      '/api/analytics/timeseries',
      { ...all, interval: 'hour', source: 'raw' },
    ],
    ['time series by hour, 24 h (auto: raw)', '/api/analytics/timeseries', { ...day, interval: 'hour' }],
    [`per-area statistics, ${DAYS} days (summaries)`, '/api/analytics/zones', all],
    ['flows between areas, 7 days (events)', '/api/analytics/flows', week],
    [
      'heatmap 32x24, 7 days (visit paths)',
      '/api/analytics/heatmap',
      { cameraId: 'bench-cam-0', from: week.from, to: week.to },
    ],
    ['events page of 100, 7 days', '/api/events', { ...week, limit: '100' }],
  ];
  console.log(
    `\n${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, load ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}; ${RUNS} runs each after 2 warm-ups`,
  );
  console.log('| query | median ms | p95 ms | min ms |\n|---|---:|---:|---:|');
  const results: Record<string, { median: number; p95: number; min: number }> = {};
  for (const [label, url, query] of cases) {
    const once = async () => {
      const t = performance.now();
      const r = await app.inject({
        method: 'GET',
        url,
        query,
        headers: { authorization: `Bearer ${token}` },
      });
      if (r.statusCode !== 200) throw new Error(`${label}: ${r.statusCode} ${r.body}`);
      return performance.now() - t;
    };
    await once();
    await once();
    const times: number[] = [];
    for (let i = 0; i < RUNS; i++) times.push(await once());
    times.sort((a, b) => a - b);
    const pick = (q: number) => times[Math.min(times.length - 1, Math.ceil(q * times.length) - 1)]!;
    results[label] = { median: pick(0.5), p95: pick(0.95), min: times[0]! };
    console.log(
      `| ${label} | ${pick(0.5).toFixed(1)} | ${pick(0.95).toFixed(1)} | ${times[0]!.toFixed(1)} |`,
    );
  }
  await app.close();
} finally {
  await handle.close();
  if (!values.keep) {
    const client = new pg.Client({ connectionString: values.url });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await client.end();
  }
  rmSync(dataDir, { recursive: true, force: true });
}
