/**
 * Whole-system test helpers: the hub on free ports (in this process or as `oskartrack-hub serve`), the
 * agent's commands as child processes, the API as an installer uses it, a private PostgreSQL server,
 * and the zero-loss / zero-duplicate check (the agent's seqs against the hub's stored rows).
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { hubRequest } from '@oskartrack/agent/runtime/hub-request';
import type { TrackingEvent } from '@oskartrack/protocol';
import Database from 'better-sqlite3';
import { sql } from 'drizzle-orm';
import pg from 'pg';
import pino from 'pino';
import { type Db, queryRows } from '../../src/db/database.ts';
import { type RunningHub, type ServeOptions, startHub } from '../../src/server.ts';
import type { Settings } from '../../src/settings.ts';
import { dropSchema, randomSchema, TEST_DATABASE_URL } from '../db/backends.ts';

export { Resources } from '../broker/helpers.ts';

import type { Resources } from '../broker/helpers.ts';

const run = promisify(execFile);

export const silent = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
export const VIDEO = fileURLToPath(new URL('../../../../shared/data/pets09-s2l1/vtest.avi', import.meta.url));
export const MEDIA_DIR = dirname(VIDEO);
export const AGENT_BIN = fileURLToPath(new URL('../../../agent/bin/oskartrack-agent.js', import.meta.url));
export const HUB_BIN = fileURLToPath(new URL('../../bin/oskartrack-hub.js', import.meta.url));

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export async function waitFor(
  what: string,
  check: () => boolean | Promise<boolean>,
  timeoutMs = 20_000,
  everyMs = 25,
): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

export function uid(): string {
  return randomBytes(4).toString('hex');
}

/** A port nothing listens on right now (the kernel's pick). */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, host, () => {
      const address = s.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      s.close(() => resolve(port));
    });
  });
}

export function tempDir(resources: Resources, prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `oskartrack-${prefix}-`));
  resources.add(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A fresh schema in the test PostgreSQL server (dropped afterwards): hub settings for it. */
export function postgresSettings(resources: Resources, dataDir: string): Settings {
  const schema = randomSchema();
  resources.add(() => dropSchema(schema));
  return { databaseUrl: TEST_DATABASE_URL, databaseSchema: schema, dataDir, mediaDir: MEDIA_DIR };
}

/**
 * `startHub` on free ports, 127.0.0.1, plain HTTP and MQTT unless `tls` (then its own CA in the data
 * folder); stopped with the test's resources (a second stop is harmless).
 */
export async function startTestHub(
  resources: Resources,
  settings: Settings,
  options: {
    mqttPort?: number;
    port?: number;
    tls?: boolean;
    host?: string;
    publicUrl?: string;
    /** An external broker instead of the embedded one. */
    external?: Pick<ServeOptions, 'mqttUrl' | 'mqttUsername' | 'mqttPassword' | 'mqttCa'>;
  } = {},
): Promise<RunningHub> {
  const hub = await startHub({
    settings,
    log: silent,
    host: options.host ?? '127.0.0.1',
    port: options.port ?? 0,
    mqttPort: options.mqttPort ?? 0,
    ...(options.tls ? {} : { insecure: true }),
    ...(options.publicUrl ? { publicUrl: options.publicUrl } : {}),
    ...options.external,
  });
  let stopped = false;
  const stop = hub.stop.bind(hub);
  hub.stop = async () => {
    if (stopped) return;
    stopped = true;
    await stop();
  };
  resources.add(() => hub.stop());
  return hub;
}

/** The hub's HTTP API as a signed-in user sees it. */
export class Api {
  private token: string | undefined;

  /** `ca`: an https hub's certificate authority, the only one trusted (as on an enrolled box). */
  constructor(
    readonly base: string,
    readonly ca?: string,
  ) {}

  static async login(base: string, name: string, password: string, ca?: string): Promise<Api> {
    const api = new Api(base, ca);
    const r = await api.call<{ accessToken: string }>('POST', '/api/auth/login', { name, password });
    if (r.status !== 200) throw new Error(`login failed (${r.status}): ${JSON.stringify(r.body)}`);
    api.token = r.body.accessToken;
    return api;
  }

  async call<T = unknown>(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; body: T }> {
    const headers: Record<string, string> = {};
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    if (this.ca) {
      const r = await hubRequest(new URL(path, this.base), {
        method,
        headers,
        ca: this.ca,
        ...(body !== undefined ? { body } : {}),
      });
      return { status: r.status, body: r.body as T };
    }
    const res = await fetch(new URL(path, this.base), {
      method,
      headers,
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      signal: AbortSignal.timeout(15_000),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
  }

  /** A call that must succeed (2xx); its body. */
  async ok<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
    const r = await this.call<T>(method, path, body);
    if (r.status >= 300) throw new Error(`${method} ${path} failed (${r.status}): ${JSON.stringify(r.body)}`);
    return r.body;
  }
}

/** A child process with its output kept (the last 64 KiB of each stream). */
export interface Child {
  proc: ChildProcess;
  stdout(): string;
  stderr(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  alive(): boolean;
  /** SIGTERM, then SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

export function spawnNode(
  resources: Resources,
  script: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv = {},
  nodeArgs: readonly string[] = [],
): Child {
  const proc = spawn(process.execPath, [...nodeArgs, script, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, LOG_LEVEL: 'warn', NODE_ENV: 'test', ...env },
  });
  let out = '';
  let err = '';
  const keep = (s: string) => (s.length > 65_536 ? s.slice(-65_536) : s);
  proc.stdout!.on('data', (b: Buffer) => {
    out = keep(out + b.toString());
  });
  proc.stderr!.on('data', (b: Buffer) => {
    err = keep(err + b.toString());
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    proc.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const alive = () => proc.exitCode === null && proc.signalCode === null;
  const child: Child = {
    proc,
    stdout: () => out,
    stderr: () => err,
    exited,
    alive,
    async stop(graceMs = 5000) {
      if (!alive()) return;
      proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
  resources.add(() => child.stop());
  return child;
}

/** Runs a command to its end: exit code and output. */
export async function runNode(
  resources: Resources,
  script: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv = {},
  timeoutMs = 60_000,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawnNode(resources, script, args, env);
  const timer = setTimeout(() => child.proc.kill('SIGKILL'), timeoutMs);
  const { code } = await child.exited;
  clearTimeout(timer);
  return { code, stdout: child.stdout(), stderr: child.stderr() };
}

/** The seqs the hub stored for a device, ascending. */
export async function storedSeqs(db: Db, deviceId: string): Promise<number[]> {
  const rows = await queryRows<{ seq: string | number }>(
    db,
    sql`SELECT seq FROM tracking_events WHERE device_id = ${deviceId} ORDER BY seq`,
  );
  return rows.map((row) => Number(row.seq));
}

/** The same through a plain connection (for a database the test reaches without the hub). */
export async function storedSeqsAt(
  url: string,
  deviceId: string,
  before?: Date,
): Promise<{ seqs: number[]; entries: number }> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const rows = await client.query<{ seq: string }>(
      before
        ? 'SELECT seq FROM tracking_events WHERE device_id = $1 AND received_at < $2 ORDER BY seq'
        : 'SELECT seq FROM tracking_events WHERE device_id = $1 ORDER BY seq',
      before ? [deviceId, before] : [deviceId],
    );
    const sum = await client.query<{ n: string | null }>(
      `SELECT sum(s.entries) AS n FROM analytics_summaries s JOIN devices d ON d.store_id = s.store_id
       WHERE d.id = $1 AND s.period = 'hour' AND s.zone_id IS NULL`,
      [deviceId],
    );
    return { seqs: rows.rows.map((r) => Number(r.seq)), entries: Number(sum.rows[0]?.n ?? 0) };
  } finally {
    await client.end();
  }
}

/** Hourly `entries` of a store's camera rows: one per stored `line_crossed` in, if nothing counted twice. */
export async function hourlyEntries(db: Db, storeId: string): Promise<number> {
  const rows = await queryRows<{ n: string | number | null }>(
    db,
    sql`SELECT sum(entries) AS n FROM analytics_summaries
        WHERE store_id = ${storeId} AND period = 'hour' AND zone_id IS NULL`,
  );
  return Number(rows[0]?.n ?? 0);
}

/** Stored `line_crossed` events of a device going in. */
export async function storedCrossingsIn(db: Db, deviceId: string): Promise<number> {
  const rows = await queryRows<{ n: string | number }>(
    db,
    sql`SELECT count(*) AS n FROM tracking_events
        WHERE device_id = ${deviceId} AND kind = 'line_crossed' AND payload->>'direction' = 'in'`,
  );
  return Number(rows[0]?.n ?? 0);
}

export function range(from: number, to: number): number[] {
  return Array.from({ length: Math.max(0, to - from + 1) }, (_, i) => from + i);
}

/** What an agent's outbox file says, read by another process (read-only). */
export function outboxOnDisk(path: string): { lastSeq: number; depth: number; firstSeq: number | null } {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    db.pragma('busy_timeout = 5000');
    const counter = db.prepare("SELECT value FROM outbox_counters WHERE name = 'seq'").get() as
      | { value: number }
      | undefined;
    const rows = db.prepare('SELECT count(*) AS n, min(seq) AS first FROM outbox_events').get() as {
      n: number;
      first: number | null;
    };
    return { lastSeq: counter?.value ?? 0, depth: rows.n, firstSeq: rows.first };
  } finally {
    db.close();
  }
}

/** A line crossing `n` on a camera: the test's stand-in for what the engine appends. */
export function crossing(cameraId: string, lineId: string, n: number): TrackingEvent {
  return { kind: 'line_crossed', cameraId, at: Date.now(), trackId: n, lineId, direction: 'in' };
}

// ---- a private PostgreSQL server -------------------------------------------------------------------

function postgresBin(): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((v) => existsSync(join(root, v, 'bin', 'pg_ctl')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (versions.length === 0) throw new Error(`no PostgreSQL server under ${root}: install postgresql`);
  return join(root, versions[0]!, 'bin');
}

/**
 * A PostgreSQL server of the test's own, started with Debian's initdb and pg_ctl on a free port in a
 * temporary folder, so stopping it disturbs nothing else. PostgreSQL refuses to run as root: as root,
 * the folder belongs to `postgres` and the tools run through `runuser`.
 */
export class PrivatePostgres {
  private constructor(
    readonly dir: string,
    readonly port: number,
    private readonly bin: string,
    private readonly asRoot: boolean,
  ) {}

  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }

  static async start(resources: Resources): Promise<PrivatePostgres> {
    const bin = postgresBin();
    const asRoot = process.getuid?.() === 0;
    const dir = mkdtempSync(join(tmpdir(), 'oskartrack-pg-'));
    resources.add(() => rmSync(dir, { recursive: true, force: true }));
    if (asRoot) {
      const { stdout } = await run('id', ['-u', 'postgres']);
      const { stdout: gid } = await run('id', ['-g', 'postgres']);
      chownSync(dir, Number(stdout.trim()), Number(gid.trim()));
    }
    const server = new PrivatePostgres(dir, await freePort(), bin, asRoot);
    await server.tool('initdb', ['-D', join(dir, 'data'), '-U', 'postgres', '-A', 'trust', '--no-sync']);
    await server.start();
    resources.add(() => server.stop('immediate').catch(() => undefined));
    return server;
  }

  private tool(name: string, args: string[]): Promise<{ stdout: string; stderr: string }> {
    const path = join(this.bin, name);
    return this.asRoot
      ? run('runuser', ['-u', 'postgres', '--', path, ...args], { cwd: this.dir, timeout: 60_000 })
      : run(path, args, { cwd: this.dir, timeout: 60_000 });
  }

  async start(): Promise<void> {
    const options = [
      `-p ${this.port}`,
      '-c listen_addresses=127.0.0.1',
      `-c unix_socket_directories=${this.dir}`,
      // Commits stay synchronous (what the outage test is about); fsync only matters to a power cut.
      '-c fsync=off',
    ].join(' ');
    await this.tool('pg_ctl', [
      'start',
      '-w',
      '-t',
      '60',
      '-D',
      join(this.dir, 'data'),
      '-l',
      join(this.dir, 'server.log'),
      '-o',
      options,
    ]);
  }

  async stop(mode: 'fast' | 'immediate' = 'fast'): Promise<void> {
    await this.tool('pg_ctl', ['stop', '-w', '-t', '60', '-m', mode, '-D', join(this.dir, 'data')]);
  }
}
