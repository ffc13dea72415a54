/**
 * The fleet's hubs: `oskartrack-hub serve` processes on one database and one external broker (the
 * dynsec admin account), each with a data folder of its own holding the same signing key, and one
 * JWT secret, so a dashboard token from one hub works on every hub.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createUser } from '../../src/api/users-command.ts';
import { openDatabase } from '../../src/db/database.ts';
import { createRepositories } from '../../src/db/repositories/index.ts';
import { loadOrCreateSigningKey, signingKeyPath } from '../../src/identity/signing-key.ts';
import type { FleetBroker } from './broker.ts';
import type { FleetDatabase } from './database.ts';
import { freePort, waitUntil } from './net.ts';

const HUB_BIN = fileURLToPath(new URL('../../bin/oskartrack-hub.js', import.meta.url));

export interface HubCluster {
  broker: FleetBroker;
  database: FleetDatabase;
  /** A folder the hubs' data folders go in. */
  workDir: string;
}

function clusterEnv(c: HubCluster, jwtSecret: string): NodeJS.ProcessEnv {
  return {
    ...process.env,
    DATABASE_URL: c.database.url,
    ...(c.database.schema ? { OSKARTRACK_DB_SCHEMA: c.database.schema } : {}),
    OSKARTRACK_JWT_SECRET: jwtSecret,
    OSKARTRACK_MQTT_PASSWORD: c.broker.admin.password,
    LOG_LEVEL: process.env.FLEET_HUB_LOG_LEVEL ?? 'warn',
    NODE_ENV: 'production',
  };
}

export class HubProcess {
  private output = '';
  private readonly child: ChildProcess;
  readonly exited: Promise<void>;

  constructor(
    readonly index: number,
    readonly url: string,
    args: string[],
    env: NodeJS.ProcessEnv,
  ) {
    this.child = spawn(process.execPath, [HUB_BIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const keep = (b: Buffer) => {
      this.output = (this.output + b.toString()).slice(-4_000_000);
    };
    this.child.stdout!.on('data', keep);
    this.child.stderr!.on('data', keep);
    this.exited = new Promise((resolve) => this.child.once('exit', () => resolve()));
  }

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  get log(): string {
    return this.output;
  }

  /** Up to 5 minutes: three hubs compiling their TypeScript at once on a busy 2-core machine are slow. */
  async ready(): Promise<void> {
    try {
      await waitUntil(
        `hub ${this.index} ready`,
        () => {
          if (!this.alive) throw new Error(`hub ${this.index} exited at start`);
          return this.output.includes('OskarTrack is running');
        },
        300_000,
        100,
      );
    } catch (error) {
      throw new Error(`${(error as Error).message}; its output:\n${this.output.slice(-5000)}`);
    }
  }

  /** The crash: no goodbye, no acks for what it was storing. */
  kill(): Promise<void> {
    if (this.alive) this.child.kill('SIGKILL');
    return this.exited;
  }

  async stop(): Promise<void> {
    if (!this.alive) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 15_000);
    await this.exited;
    clearTimeout(timer);
  }
}

/**
 * The tables and the first administrator, in this process (the same functions as `oskartrack-hub
 * migrate` and `users create`, without two more process starts on a busy machine).
 */
async function migrateWithAdmin(
  database: FleetDatabase,
  dataDir: string,
  admin: { name: string; password: string },
): Promise<void> {
  const handle = await openDatabase(
    { databaseUrl: database.url, dataDir, databaseSchema: database.schema },
    { maxConnections: 2 },
  );
  try {
    await handle.migrate();
    await createUser(createRepositories(handle.db), { ...admin, role: 'admin' });
  } finally {
    await handle.close();
  }
}

function spawnHub(c: HubCluster, env: NodeJS.ProcessEnv, dataDir: string, i: number, port: number) {
  const args = ['serve', '--host', '127.0.0.1', '--port', String(port), '--insecure'];
  args.push('--mqtt-url', c.broker.url, '--mqtt-username', c.broker.admin.username);
  return new HubProcess(i, `http://127.0.0.1:${port}`, args, { ...env, OSKARTRACK_DATA_DIR: dataDir });
}

/**
 * The broker line of the hub's /api/health. A hub whose broker administration failed at start (for
 * instance "the broker did not answer getClient within 10000 ms" on a loaded machine) runs on without
 * managing box accounts: it still enrolls boxes, which then can never log in. Undefined: fine.
 */
async function brokerProblem(hub: HubProcess): Promise<string | undefined> {
  const res = await fetch(new URL('/api/health', hub.url), { signal: AbortSignal.timeout(30_000) });
  const body = (await res.json()) as { broker?: { ok: boolean; detail?: string } | null };
  return body.broker?.ok ? undefined : (body.broker?.detail ?? 'no broker line in /api/health');
}

/** Hub `i`, started again (at most twice) while it cannot manage box accounts; `restarts` says why. */
async function startManagedHub(
  c: HubCluster,
  env: NodeJS.ProcessEnv,
  firstDir: string,
  i: number,
  restarts: string[],
): Promise<HubProcess> {
  const dataDir = join(c.workDir, `hub-${i}`);
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  if (i > 0) copyFileSync(signingKeyPath(firstDir), signingKeyPath(dataDir));
  const port = await freePort();
  for (let attempt = 0; ; attempt++) {
    const hub = spawnHub(c, env, dataDir, i, port);
    try {
      await hub.ready();
    } catch (error) {
      await hub.stop();
      throw error;
    }
    const problem = await brokerProblem(hub);
    if (!problem) return hub;
    await hub.stop();
    restarts.push(`hub ${i}: ${problem}`);
    if (attempt >= 2) throw new Error(`hub ${i} could not manage the box accounts on the broker: ${problem}`);
  }
}

export interface StartedHubs {
  hubs: HubProcess[];
  admin: { name: string; password: string };
  /** Hubs started again because they could not manage the box accounts on the broker: why. */
  restarts: string[];
  stop(): Promise<void>;
}

/** Migrates, makes the first administrator and the signing key, then starts `count` hubs. */
export async function startHubs(c: HubCluster, count: number): Promise<StartedHubs> {
  const env = clusterEnv(c, randomBytes(32).toString('hex'));
  const admin = { name: 'fleet-admin', password: randomBytes(18).toString('base64url') };
  const firstDir = join(c.workDir, 'hub-0');
  mkdirSync(firstDir, { recursive: true, mode: 0o700 });
  await migrateWithAdmin(c.database, firstDir, admin);
  // Made here once, as the first hub would; the others get a copy.
  await loadOrCreateSigningKey(firstDir);
  const hubs: HubProcess[] = [];
  const restarts: string[] = [];
  const stop = async () => {
    await Promise.all(hubs.map((h) => h.stop()));
  };
  try {
    // One after another: hubs sharing the broker's admin account that start together can cut each
    // other's broker administration sessions (see brokerProblem).
    for (let i = 0; i < count; i++) hubs.push(await startManagedHub(c, env, firstDir, i, restarts));
    return { hubs, admin, stop, restarts };
  } catch (error) {
    await stop();
    throw error;
  }
}
