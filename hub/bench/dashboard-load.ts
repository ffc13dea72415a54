/**
 * 50 dashboard users at once on one hub: autocannon's 50 connections, each signed in as a real user
 * (an administrator of the whole chain, as head office), loading the dashboard's pages over and over
 * (the Overview cards, Numbers, Visitors, Compare: bench/year/dashboard-queries.ts, in that order).
 * The hub is `oskartrack-hub serve` in a child process; reports p50 / p99, non-2xx answers and
 * time-outs per query, and requests/s, on PostgreSQL (a chain's year) and on the embedded database.
 *
 *   node --import tsx hub/bench/dashboard-load.ts [--url URL [--schema NAME]] [--events 10000000]
 *        [--stores 100] [--embedded-events 1000000] [--embedded-stores 10] [--connections 50]
 *        [--seconds 20] [--only summary] [--exclude stores-table,compare] [--skip-postgres]
 *        [--skip-embedded] [--answer-cache on|off|both] [--rounds 1]
 *
 * Without --url the PostgreSQL year is generated first into a throwaway server of its own; the
 * embedded database is always generated (into a temporary data folder; PGlite is one process's, so
 * the load runs against the hub that opens it).
 *
 * --answer-cache: the hub keeps answers of ended ranges (on, the default), computes every one (off), or
 * both one after the other on the same data (off first). This tool repeats the same 17 URLs, so with
 * the cache on nearly every request after the first of each URL is a hit. --rounds N: N loads of
 * --seconds each against the same hub, each reported (the first from a cold hub, the others warm).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { sql } from 'drizzle-orm';
import { createUser } from '../src/api/users-command.ts';
import { openDatabase, queryRows } from '../src/db/database.ts';
import { createRepositories } from '../src/db/repositories/index.ts';
import { DAY_MS } from './year/chain.ts';
import { benchDatabase } from './year/cluster.ts';
import { type DashboardQuery, dashboardQueries } from './year/dashboard-queries.ts';
import { computeDayRows } from './year/day-rows.ts';
import { generateYear } from './year/generate.ts';
import { startHubProcess } from './year/hub-process.ts';
import { type LoadResult, runLoad } from './year/load.ts';

const { values } = parseArgs({
  options: {
    url: { type: 'string' },
    schema: { type: 'string' },
    events: { type: 'string', default: '10000000' },
    stores: { type: 'string', default: '100' },
    'embedded-events': { type: 'string', default: '1000000' },
    'embedded-stores': { type: 'string', default: '10' },
    connections: { type: 'string', default: '50' },
    seconds: { type: 'string', default: '20' },
    only: { type: 'string' },
    exclude: { type: 'string' },
    'skip-postgres': { type: 'boolean', default: false },
    'skip-embedded': { type: 'boolean', default: false },
    'answer-cache': { type: 'string', default: 'on' },
    rounds: { type: 'string', default: '1' },
  },
});
const SECRET = 'bench-secret-0123456789-abcdefghijklmnop';
const PASSWORD = 'bench-password';
const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

/** A user to sign in as, the first store and camera, and the day after the data. */
async function prepare(settings: { databaseUrl?: string; dataDir: string; schema?: string }) {
  const handle = await openDatabase(
    { databaseUrl: settings.databaseUrl, dataDir: settings.dataDir },
    { ...(settings.schema ? { schema: settings.schema } : {}), lockCommand: 'dashboard-load' },
  );
  try {
    const [f] = await queryRows<{ events: string; last: Date; store: string; camera: string }>(
      handle.db,
      sql`SELECT (SELECT count(*) FROM tracking_events) AS events,
            (SELECT max(bucket_start) FROM analytics_summaries) AS last,
            (SELECT min(id) FROM stores) AS store,
            (SELECT min(id) FROM cameras WHERE store_id = (SELECT min(id) FROM stores)) AS camera`,
    );
    const name = `load-${Date.now().toString(36)}`;
    await createUser(createRepositories(handle.db), { name, password: PASSWORD, role: 'admin' });
    const to = Math.ceil(new Date(f!.last).getTime() / DAY_MS) * DAY_MS;
    const rows = await computeDayRows(handle.db, to);
    console.log(`day rows computed: ${rows.computed} in ${rows.seconds.toFixed(1)} s`);
    return { name, events: Number(f!.events), queries: dashboardQueries(f!.store, f!.camera, to) };
  } finally {
    await handle.close();
  }
}

async function signIn(url: string, name: string): Promise<string> {
  const r = await fetch(`${url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name, password: PASSWORD }),
  });
  if (!r.ok) throw new Error(`login failed: ${r.status} ${await r.text()}`);
  return ((await r.json()) as { accessToken: string }).accessToken;
}

function report(title: string, events: number, r: LoadResult): void {
  console.log(
    `\n${title}: ${events.toLocaleString('en')} events; ${r.connections} connections for ${r.seconds} s; ` +
      `${Math.round(r.requests / r.seconds)} requests/s; ${r.errors} errors, ${r.timeouts} time-outs; load ${load()}`,
  );
  console.log(
    '| query | requests | p50 ms | p99 ms | max ms | non-2xx | time-outs | p99 < 200 ms |\n|---|---:|---:|---:|---:|---:|---:|---|',
  );
  for (const q of r.perQuery) {
    console.log(
      `| ${q.label} | ${q.count} | ${q.p50.toFixed(0)} | ${q.p99.toFixed(0)} | ${q.max.toFixed(0)} | ${q.non2xx} | ${q.timeouts} | ${q.p99 < 200 ? 'yes' : 'no'} |`,
    );
  }
}

const cacheRuns: boolean[] =
  values['answer-cache'] === 'both' ? [false, true] : [values['answer-cache'] !== 'off'];

async function loadOn(
  title: string,
  settings: { databaseUrl?: string; dataDir: string; schema?: string },
): Promise<void> {
  for (const cache of cacheRuns) {
    await loadOnce(`${title}, answer cache ${cache ? 'on' : 'off'}`, settings, cache);
  }
}

async function loadOnce(
  title: string,
  settings: { databaseUrl?: string; dataDir: string; schema?: string },
  cache: boolean,
): Promise<void> {
  const prepared = await prepare(settings);
  const hub = await startHubProcess({ ...settings, jwtSecret: SECRET, noAnswerCache: !cache });
  try {
    const token = await signIn(hub.url, prepared.name);
    const excluded = (values.exclude ?? '').split(',').filter(Boolean);
    const queries: DashboardQuery[] = prepared.queries
      .filter((q) => !values.only || q.path.endsWith(`/${values.only}`))
      .filter((q) => !excluded.some((e) => q.path.endsWith(`/${e}`)));
    const rounds = Number(values.rounds);
    for (let round = 1; round <= rounds; round++) {
      const r = await runLoad({
        url: hub.url,
        token,
        queries,
        connections: Number(values.connections),
        seconds: Number(values.seconds),
      });
      report(rounds > 1 ? `${title}, round ${round} of ${rounds}` : title, prepared.events, r);
    }
  } finally {
    await hub.stop();
  }
}

console.log(`${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, load ${load()}, node ${process.version}`);
if (!values['skip-postgres']) {
  const pgDb = await benchDatabase(values.url, false);
  const dataDir = mkdtempSync(join(tmpdir(), 'oskartrack-load-'));
  try {
    if (!values.url) {
      await generateYear({
        url: pgDb.url,
        events: Number(values.events),
        stores: Number(values.stores),
        days: 365,
        log: (line) => console.log(line),
      });
    }
    await loadOn('PostgreSQL', {
      databaseUrl: pgDb.url,
      dataDir,
      ...(values.schema ? { schema: values.schema } : {}),
    });
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
    await pgDb.release();
  }
}
if (!values['skip-embedded']) {
  const dataDir = mkdtempSync(join(tmpdir(), 'oskartrack-load-'));
  try {
    await generateYear({
      dataDir,
      events: Number(values['embedded-events']),
      stores: Number(values['embedded-stores']),
      days: 365,
      log: (line) => console.log(line),
    });
    await loadOn('Embedded database (PGlite)', { dataDir });
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}
