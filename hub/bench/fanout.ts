/**
 * WebSocket fan-out benchmark: the whole hub (`startHub`, embedded broker, ingest into PostgreSQL, the
 * live feed at `/ws`) with 50 signed-in WebSocket clients. Events are stored through the ingest's own
 * path (`Ingest.submit`: queue, transaction, summaries, then onStored); the time measured runs from the
 * moment onStored hands the commit to the live feed to the moment the LAST client has received it.
 *
 *   node --import tsx hub/bench/fanout.ts [--clients 50] [--commits 400] [--interval-ms 10]
 *
 * Scenarios: one event per commit; 100 events per commit (a busy store's micro-batch); and both again
 * with one client that has stopped reading (the others must not notice it). Each batch is awaited (one
 * commit each), then `--interval-ms` passes. The clients run in a worker thread of this process (their
 * own event loop, sharing the machine's CPUs with the hub); times are absolute (timeOrigin + now). Uses BENCH_DATABASE_URL, TEST_DATABASE_URL or postgres://postgres@127.0.0.1:5432/test in a
 * fresh schema dropped at the end; `--pglite` uses an in-memory PGlite instead.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import type { ServerMessage } from '@oskartrack/protocol';
import { PROTOCOL_VERSION, type SequencedEvent } from '@oskartrack/protocol';
import pg from 'pg';
import pino from 'pino';
import WebSocket from 'ws';
import { createUser } from '../src/api/users-command.ts';
import { type DatabaseHandle, openDatabase } from '../src/db/database.ts';
import { createRepositories } from '../src/db/repositories/index.ts';
import { startHub } from '../src/server.ts';

const { values: args } = parseArgs({
  options: {
    clients: { type: 'string', default: '50' },
    commits: { type: 'string', default: '400' },
    'interval-ms': { type: 'string', default: '10' },
    pglite: { type: 'boolean', default: false },
  },
});
const CLIENTS = Number(args.clients);
const COMMITS = Number(args.commits);
const INTERVAL_MS = Number(args['interval-ms']);
const DB_URL =
  process.env.BENCH_DATABASE_URL ||
  process.env.TEST_DATABASE_URL ||
  'postgres://postgres@127.0.0.1:5432/test';
const PASSWORD = 'fan-out-bench-password';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

interface Row {
  scenario: string;
  clients: number;
  eventsPerCommit: number;
  commits: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  missing: number;
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'oskartrack-fanout-'));
  const schema = `bench_${randomBytes(5).toString('hex')}`;
  const usePglite = args.pglite;
  const settings = {
    databaseUrl: usePglite ? undefined : DB_URL,
    databaseSchema: undefined,
    dataDir,
    jwtSecret: randomBytes(24).toString('hex'),
  };
  const db: DatabaseHandle = usePglite
    ? await openDatabase(settings, { inMemory: true })
    : await openDatabase(settings, { schema });
  await db.migrate();
  const repos = createRepositories(db.db);
  const store = await repos.stores.create({ id: 'bench-store', name: 'Bench store' });
  const device = await repos.devices.create({ id: 'bench-box', storeId: store.id, name: 'Bench box' });
  const camera = await repos.cameras.create({
    id: 'bench-cam',
    storeId: store.id,
    deviceId: device.id,
    name: 'Door',
    source: 'rtsp://10.0.0.1/stream',
  });
  const line = await repos.zones.createLine({
    id: 'door',
    cameraId: camera.id,
    name: 'Door',
    start: [0, 240],
    end: [640, 240],
    inSide: 'left',
  });
  await createUser(repos, { name: 'bench-admin', password: PASSWORD, role: 'admin' });
  await createUser(repos, { name: 'bench-viewer', password: PASSWORD, role: 'viewer', storeIds: [store.id] });

  const log = pino({ level: 'warn' });
  const hub = await startHub({ settings, log, port: 0, host: '127.0.0.1', mqttPort: 0, insecure: true, db });
  const login = await fetch(`${hub.url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'bench-viewer', password: PASSWORD }),
  });
  const { accessToken } = (await login.json()) as { accessToken: string };

  // Stamp every commit as the feed gets it (the onStored hand-over), in absolute milliseconds so the
  // clients' thread can be compared.
  const storedAt = new Map<number, number>();
  const feed = hub.live;
  const original = feed.eventsStored.bind(feed);
  feed.eventsStored = (deviceId, events) => {
    storedAt.set(events[0]!.seq, performance.timeOrigin + performance.now());
    original(deviceId, events);
  };

  const wsUrl = `${hub.url.replace(/^http/, 'ws')}/ws?token=${encodeURIComponent(accessToken)}`;
  // Node 20 does not apply `--import tsx` to a worker's entry: register tsx inside the worker first.
  const boot = `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then((m) => { m.register(); return import(${JSON.stringify(import.meta.url)}); });`;
  const clients = new Worker(boot, {
    eval: true,
    workerData: { wsUrl, clients: CLIENTS } satisfies ClientsData,
  });
  let failed: unknown;
  clients.on('error', (err) => {
    failed = err;
  });
  const ask = (command: Command) =>
    new Promise<Reply>((resolve, reject) => {
      if (failed) reject(failed);
      clients.once('message', resolve);
      clients.postMessage(command);
    });
  await ask({ type: 'ready' });

  let seq = 0;
  const rows: Row[] = [];
  async function scenario(name: string, perCommit: number, measured: number): Promise<void> {
    await ask({ type: 'measure', clients: measured });
    storedAt.clear();
    for (let c = 0; c < COMMITS; c++) {
      const events: SequencedEvent[] = Array.from({ length: perCommit }, (_, i) => ({
        seq: seq + i + 1,
        event: {
          kind: 'line_crossed',
          cameraId: camera.id,
          at: Date.now(),
          trackId: seq + i + 1,
          lineId: line.id,
          direction: 'in',
        },
      }));
      seq += perCommit;
      // One commit per batch: wait for it, then pause (a store sends a batch every so often).
      await hub.ingest.submit(device.id, { v: PROTOCOL_VERSION, sentAt: Date.now(), floor: 1, events });
      await sleep(INTERVAL_MS);
    }
    await sleep(500);
    let reply = await ask({ type: 'report' });
    const deadline = Date.now() + 10_000;
    const complete = (r: Reply) =>
      [...storedAt.keys()].every((k) => (r.type === 'report' ? (r.received[k]?.n ?? 0) : 0) >= measured);
    while (!complete(reply) && Date.now() < deadline) {
      await sleep(200);
      reply = await ask({ type: 'report' });
    }
    if (reply.type !== 'report') throw new Error('the clients did not report');
    const latencies: number[] = [];
    let missing = 0;
    for (const [key, t0] of storedAt) {
      const r = reply.received[key];
      if (!r || r.n < measured) missing++;
      else latencies.push(r.last - t0);
    }
    latencies.sort((a, b) => a - b);
    rows.push({
      scenario: name,
      clients: measured,
      eventsPerCommit: perCommit,
      commits: storedAt.size,
      p50: percentile(latencies, 50),
      p95: percentile(latencies, 95),
      p99: percentile(latencies, 99),
      max: latencies.at(-1) ?? Number.NaN,
      missing,
    });
  }

  await scenario('1 event per commit', 1, CLIENTS);
  await scenario('100 events per commit', 100, CLIENTS);
  // The last client stops reading; the others are measured.
  await ask({ type: 'pause-last' });
  await scenario('1 event per commit, 1 client not reading', 1, CLIENTS - 1);
  await scenario('100 events per commit, 1 client not reading', 100, CLIENTS - 1);
  const stats = feed.stats();

  const ms = (v: number) => (Number.isFinite(v) ? v.toFixed(1) : '-');
  console.log(
    `\nWebSocket fan-out: time from an event stored (onStored) to the last client receiving it\n` +
      `(${usePglite ? 'PGlite in memory' : 'PostgreSQL'}, ${cpus().length} CPUs, load ${loadavg()[0]!.toFixed(2)}, ` +
      `${INTERVAL_MS} ms between commits, clients in a worker thread)\n`,
  );
  console.log(
    '| scenario | clients measured | events per commit | commits | p50 ms | p95 ms | p99 ms | max ms | not received |',
  );
  console.log('|---|---|---|---|---|---|---|---|---|');
  for (const r of rows) {
    console.log(
      `| ${r.scenario} | ${r.clients} | ${r.eventsPerCommit} | ${r.commits} | ${ms(r.p50)} | ${ms(r.p95)} | ${ms(r.p99)} | ${ms(r.max)} | ${r.missing} |`,
    );
  }
  console.log(
    `\nfeed: ${stats.sent} messages sent, ${stats.droppedEvents} events dropped (for the client not reading), ` +
      `${stats.closedSlow} clients closed as too slow`,
  );

  await ask({ type: 'close' });
  await clients.terminate();
  await hub.stop();
  await db.close();
  if (!usePglite) {
    const client = new pg.Client({ connectionString: DB_URL });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await client.end();
  }
  rmSync(dataDir, { recursive: true, force: true });
}

// ---- the clients' thread ----

interface ClientsData {
  wsUrl: string;
  clients: number;
}
type Command =
  | { type: 'ready' }
  | { type: 'measure'; clients: number }
  | { type: 'pause-last' }
  | { type: 'report' }
  | { type: 'close' };
type Reply = { type: 'ok' } | { type: 'report'; received: Record<number, { n: number; last: number }> };

async function clientsThread(data: ClientsData): Promise<void> {
  const port = parentPort!;
  const sockets: WebSocket[] = [];
  /** Only the first `measured` clients count. */
  let measured = 0;
  let received: Record<number, { n: number; last: number }> = {};
  const ready: Promise<void>[] = [];
  for (let i = 0; i < data.clients; i++) {
    const ws = new WebSocket(data.wsUrl);
    sockets.push(ws);
    ready.push(
      new Promise<void>((resolve, reject) => {
        ws.once('error', reject);
        ws.on('message', (raw) => {
          const at = performance.timeOrigin + performance.now();
          const m = JSON.parse(raw.toString()) as ServerMessage;
          if (m.type === 'hello') resolve();
          if (m.type !== 'events' || i >= measured) return;
          const key = m.events[0]!.seq;
          const r = received[key] ?? { n: 0, last: 0 };
          received[key] = r;
          r.n++;
          r.last = Math.max(r.last, at);
        });
      }),
    );
  }
  port.on('message', async (c: Command) => {
    if (c.type === 'ready') await Promise.all(ready);
    else if (c.type === 'measure') {
      measured = c.clients;
      received = {};
    } else if (c.type === 'pause-last') sockets.at(-1)!.pause();
    else if (c.type === 'report') {
      port.postMessage({ type: 'report', received } satisfies Reply);
      return;
    } else if (c.type === 'close') for (const ws of sockets) ws.terminate();
    port.postMessage({ type: 'ok' } satisfies Reply);
  });
}

if (isMainThread) await main();
else await clientsThread(workerData as ClientsData);
