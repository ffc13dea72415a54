/**
 * Fleet simulator: a private Mosquitto with dynamic security, a PostgreSQL, several
 * `oskartrack-hub serve` processes sharing both (MQTT 5 shared subscriptions split the ingest), and
 * simulated boxes (the agent's own link and outbox, each box with its own broker account, enrolled
 * through the hubs' API) in worker threads, plus dashboard WebSockets spread over the hubs.
 *
 *   node --import tsx hub/bench/fleet.ts [--boxes 1000] [--hubs 3] [--threads 2] [--kill-hub]
 *        [--steady-seconds 30] [--speed 10] [--visitors-per-minute 20]
 *        [--outage-shop-minutes 10] [--outage-seconds 20] [--dashboards 500] [--dashboard-shops 5]
 *        [--batch-size 500] [--ack-timeout-ms 30000] [--database-url postgres://...] [--json FILE]
 *
 * Box settings not given are the agent's own defaults (batches of 500, 4 in flight, 30 s ack time-out).
 *
 * Reports: events/s stored in the steady phase (all hubs), publish-to-ack p50/p95/p99, dashboard
 * fan-out per hub (stored to received), the time for every box to reconnect and drain after the
 * broker outage (and the drain rate), and the exactly-once check over every seq of every box.
 * Without --database-url it starts a throwaway PostgreSQL (initdb + pg_ctl); with it, a fresh schema
 * there, dropped at the end. Exits 1 when anything was lost or stored twice.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { exactlyOnceHolds } from './fleet/exactly-once.ts';
import { DEFAULT_OPTIONS, type FleetOptions } from './fleet/options.ts';
import { formatReport } from './fleet/report.ts';
import { runFleet } from './fleet/run.ts';

const d = DEFAULT_OPTIONS;
const { values: a } = parseArgs({
  options: {
    boxes: { type: 'string', default: String(d.boxes) },
    hubs: { type: 'string', default: String(d.hubs) },
    threads: { type: 'string', default: String(d.threads) },
    'setup-concurrency': { type: 'string', default: String(d.setupConcurrency) },
    'visitors-per-minute': { type: 'string', default: String(d.visitorsPerMinute) },
    'steady-seconds': { type: 'string', default: String(d.steadySeconds) },
    speed: { type: 'string', default: String(d.speed) },
    'outage-shop-minutes': { type: 'string', default: String(d.outageShopMinutes) },
    'outage-seconds': { type: 'string', default: String(d.outageSeconds) },
    'kill-hub': { type: 'boolean', default: false },
    dashboards: { type: 'string', default: String(d.dashboards) },
    'dashboard-shops': { type: 'string', default: String(d.dashboardShops) },
    'drain-timeout-seconds': { type: 'string', default: String(d.drainTimeoutSeconds) },
    'batch-size': { type: 'string' },
    'ack-timeout-ms': { type: 'string' },
    'database-url': { type: 'string' },
    json: { type: 'string' },
  },
});

const say = (line: string) => process.stdout.write(`${new Date().toISOString()} ${line}\n`);
const options: FleetOptions = {
  ...d,
  boxes: Number(a.boxes),
  hubs: Number(a.hubs),
  threads: Number(a.threads),
  setupConcurrency: Number(a['setup-concurrency']),
  visitorsPerMinute: Number(a['visitors-per-minute']),
  steadySeconds: Number(a['steady-seconds']),
  speed: Number(a.speed),
  outageShopMinutes: Number(a['outage-shop-minutes']),
  outageSeconds: Number(a['outage-seconds']),
  killHub: a['kill-hub'] === true,
  dashboards: Number(a.dashboards),
  dashboardShops: Number(a['dashboard-shops']),
  drainTimeoutSeconds: Number(a['drain-timeout-seconds']),
  databaseUrl: a['database-url'],
  link: {
    ...(a['batch-size'] ? { batchSize: Number(a['batch-size']) } : {}),
    ...(a['ack-timeout-ms'] ? { ackTimeoutMs: Number(a['ack-timeout-ms']) } : {}),
  },
  say,
};

/** The code measured: the commit, and the product files changed on top of it (other work in progress). */
function codeState(): { commit: string; changedProductFiles: string[] } {
  const git = (args: string[]) => execFileSync('git', args, { encoding: 'utf8' }).trim();
  const changed = git(['status', '--porcelain', '--', 'hub/src', 'agent/src', 'protocol/src']);
  return {
    commit: git(['rev-parse', '--short', 'HEAD']),
    changedProductFiles: changed ? changed.split('\n').map((l) => l.slice(3)) : [],
  };
}

const code = codeState();
const loadBefore = loadavg();
const report = await runFleet(options);
const context = { cpus: cpus().length, loadBefore: loadBefore.map((l) => l.toFixed(2)).join(' '), code };
process.stdout.write(
  `\n${formatReport(report, options)}\ncode: ${code.commit}, ${code.changedProductFiles.length} product files changed on top\nmachine: ${context.cpus} CPUs, load before ${context.loadBefore}, after ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}\n`,
);
if (a.json)
  writeFileSync(
    a.json,
    `${JSON.stringify({ options: { ...options, say: undefined }, report, context }, null, 2)}\n`,
  );
process.exitCode = exactlyOnceHolds(report.exactlyOnce) ? 0 : 1;
