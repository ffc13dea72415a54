// Reports benchmark: the monthly report of every store (100 stores by default) as Excel and PDF.
// Seeds a fresh PostgreSQL schema with two months of hourly summaries (whole camera and three areas
// per store) straight from generate_series SQL, then times the report: numbers, summary, Excel, PDF,
// and the longest the event loop was held up meanwhile.
// Run from the project root:  node --import tsx hub/bench/reports.ts [--stores 100] [--keep]
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { sql } from 'drizzle-orm';
import pg from 'pg';
import { AnalyticsService } from '../src/api/analytics.ts';
import { openDatabase } from '../src/db/database.ts';
import { createRepositories } from '../src/db/repositories/index.ts';
import type { Mailer } from '../src/mail/mailer.ts';
import { lastCompleteRange } from '../src/reports/period.ts';
import { ReportService } from '../src/reports/service.ts';

const { values } = parseArgs({
  options: {
    stores: { type: 'string', default: '100' },
    url: {
      type: 'string',
      default: process.env.TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test',
    },
    keep: { type: 'boolean', default: false },
  },
});
const STORES = Number(values.stores);
const ZONES = ['Entrance', 'Tills', 'Bakery'];
const TIMEZONES = ['Europe/Berlin', 'Europe/London', 'America/New_York', 'Asia/Tokyo'];
const FROM = '2026-10-01T00:00:00Z';
const TO = '2026-12-01T00:00:00Z';
const schema = `bench_reports_${Date.now().toString(36)}`;
const dataDir = mkdtempSync(join(tmpdir(), 'oskartrack-bench-'));
const handle = await openDatabase({ databaseUrl: values.url, dataDir }, { schema, maxConnections: 4 });
await handle.migrate();
const repos = createRepositories(handle.db);
const n = (x: number) => sql.raw(String(x));
const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

async function seed(): Promise<void> {
  const t = performance.now();
  await handle.db.execute(sql`
    INSERT INTO stores (id, name, timezone)
    SELECT 'store-' || i, 'Store ' || lpad(i::text, 3, '0'), (ARRAY[${sql.join(
      TIMEZONES.map((z) => sql`${z}`),
      sql`, `,
    )}])[1 + i % ${n(TIMEZONES.length)}]
    FROM generate_series(1, ${n(STORES)}) i`);
  await handle.db.execute(sql`
    INSERT INTO cameras (id, store_id, name, source) SELECT 'cam-' || i, 'store-' || i, 'Door', '0'
    FROM generate_series(1, ${n(STORES)}) i`);
  await handle.db.execute(sql`
    INSERT INTO zones (id, camera_id, name, polygon)
    SELECT 'zone-' || i || '-' || z, 'cam-' || i, (ARRAY['Entrance', 'Tills', 'Bakery'])[z], '[[0,0],[10,0],[10,10]]'::jsonb
    FROM generate_series(1, ${n(STORES)}) i, generate_series(1, ${n(ZONES.length)}) z`);
  // Visitors follow the hour of the day and the store; zone rows get a share of them.
  await handle.db.execute(sql`
    INSERT INTO analytics_summaries (period, bucket_start, store_id, camera_id, zone_id, visitors, entries, exits, dwell_count, total_dwell_ms)
    SELECT 'hour', h, 'store-' || i, 'cam-' || i, z.id,
      v, v, v, v, v * (60000 + (i % 7) * 20000)
    FROM generate_series(1, ${n(STORES)}) i,
      generate_series(${FROM}::timestamptz, ${TO}::timestamptz - interval '1 hour', interval '1 hour') h,
      LATERAL (SELECT NULL::text AS id UNION ALL SELECT 'zone-' || i || '-' || g FROM generate_series(1, ${n(ZONES.length)}) g) z,
      LATERAL (SELECT (greatest(0, 12 - abs(extract(hour FROM h)::int - 13)) * (1 + i % 5)
        / (CASE WHEN z.id IS NULL THEN 1 ELSE 3 END))::int AS v) c`);
  const rows = await handle.db.execute(sql`SELECT count(*)::int AS n FROM analytics_summaries`);
  const count = (rows as unknown as { rows: { n: number }[] }).rows[0]?.n;
  console.log(`seeded ${STORES} stores, ${count} hourly summary rows in ${seconds(performance.now() - t)}`);
}

const noMail: Mailer = { send: async () => undefined, configured: async () => false };

try {
  await seed();
  const service = new ReportService({
    analytics: new AnalyticsService(repos),
    stores: repos.stores,
    settings: repos.settings,
    mailer: noMail,
  });
  const range = lastCompleteRange('monthly', new Date('2026-12-02T09:00:00Z'), 'Europe/Berlin');
  const delays: string[] = [];
  /** Runs one step, noting the longest the event loop waited meanwhile. */
  const step = async <T>(label: string, run: () => Promise<T>): Promise<[T, number]> => {
    const delay = monitorEventLoopDelay({ resolution: 10 });
    delay.enable();
    const t = performance.now();
    const out = await run();
    const ms = performance.now() - t;
    delay.disable();
    delays.push(`${label} ${(delay.max / 1e6).toFixed(0)} ms`);
    return [out, ms];
  };
  const [report, tNumbers] = await step('numbers', () => service.build(null, range));
  const summary = await service.summarize(report);
  const [xlsx, tExcel] = await step('Excel', () => service.excel(report, summary.text));
  const [pdf, tPdf] = await step('PDF', () => service.pdf(report, summary.text));
  console.log(`monthly report of ${report.stores.length} stores (${range.first.year}-${range.first.month})`);
  console.log(`  numbers (analytics): ${seconds(tNumbers)}`);
  console.log(
    `  Excel: ${seconds(tExcel)} (${(xlsx.content.length / 1024).toFixed(0)} KiB, ${xlsx.filename})`,
  );
  console.log(`  PDF: ${seconds(tPdf)} (${(pdf.content.length / 1024).toFixed(0)} KiB, ${pdf.filename})`);
  console.log(
    `  Excel + PDF: ${seconds(tExcel + tPdf)}; total with the numbers: ${seconds(tNumbers + tExcel + tPdf)}`,
  );
  console.log(`  longest event-loop delay: ${delays.join(', ')}`);
  console.log(`  summary: ${summary.text}`);
  console.log(
    `machine: ${cpus().length} cores (${cpus()[0]?.model}), load ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );
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
