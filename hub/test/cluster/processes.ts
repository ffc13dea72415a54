/**
 * Hub processes for the cluster tests: `oskartrack-hub serve` on one PostgreSQL schema and one
 * private Mosquitto with dynamic security, each with a data folder of its own holding the same
 * signing key, and one token secret; plus a box set up through the API as an installer would.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import type { EnrollReply } from '@oskartrack/protocol';
import { createUser } from '../../src/api/users-command.ts';
import { createRepositories } from '../../src/db/repositories/index.ts';
import { loadOrCreateSigningKey, signingKeyPath } from '../../src/identity/signing-key.ts';
import { TEST_DATABASE_URL, type TestDatabase } from '../db/backends.ts';
import type { DynsecMosquitto } from '../support/mosquitto-dynsec.ts';
import { HUB_BIN, waitFor } from '../system/helpers.ts';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const address = s.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      s.close(() => resolve(port));
    });
  });
}

export class HubProcess {
  private output = '';
  private readonly child: ChildProcess;
  readonly exited: Promise<void>;

  constructor(
    readonly name: string,
    readonly url: string,
    args: string[],
    env: NodeJS.ProcessEnv,
  ) {
    this.child = spawn(process.execPath, [HUB_BIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const keep = (b: Buffer) => {
      this.output = (this.output + b.toString()).slice(-200_000);
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

  async ready(): Promise<void> {
    try {
      await waitFor(
        `${this.name} ready`,
        () => {
          if (!this.alive) throw new Error(`${this.name} exited at start:\n${this.output}`);
          return this.output.includes('OskarTrack is running');
        },
        180_000,
      );
    } catch (error) {
      // What the hub printed says where its start stopped.
      if (this.alive) throw new Error(`${(error as Error).message}; its output:\n${this.output}`);
      throw error;
    }
  }

  /** The crash: no goodbye, nothing acknowledged of what it was storing. */
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

export interface Cluster {
  hubs: HubProcess[];
  admin: { name: string; password: string };
  stop(): Promise<void>;
}

/** The first administrator and the signing key made here, then `count` hubs started at once. */
export async function startHubs(
  t: TestDatabase,
  broker: DynsecMosquitto,
  workDir: string,
  count: number,
): Promise<Cluster> {
  const admin = { name: 'cluster-admin', password: randomBytes(18).toString('base64url') };
  await createUser(createRepositories(t.db), { ...admin, role: 'admin' });
  const firstDir = join(workDir, 'hub-0');
  mkdirSync(firstDir, { recursive: true, mode: 0o700 });
  await loadOrCreateSigningKey(firstDir);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: TEST_DATABASE_URL,
    OSKARTRACK_DB_SCHEMA: t.schema,
    OSKARTRACK_JWT_SECRET: randomBytes(32).toString('hex'),
    OSKARTRACK_MQTT_PASSWORD: broker.admin.password,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'warn',
  };
  const hubs: HubProcess[] = [];
  const stop = async () => {
    await Promise.all(hubs.map((h) => h.stop()));
  };
  const start = async (i: number) => {
    const dataDir = join(workDir, `hub-${i}`);
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    if (i > 0) copyFileSync(signingKeyPath(firstDir), signingKeyPath(dataDir));
    const port = await freePort();
    const hub = new HubProcess(
      `hub ${i}`,
      `http://127.0.0.1:${port}`,
      ['serve', '--host', '127.0.0.1', '--port', String(port), '--insecure'].concat(
        ['--mqtt-url', broker.url, '--mqtt-username', broker.admin.username],
        ['--instance-id', `test-hub-${i}`],
      ),
      { ...env, OSKARTRACK_DATA_DIR: dataDir },
    );
    hubs.push(hub);
    await hub.ready();
  };
  try {
    await Promise.all(Array.from({ length: count }, (_, i) => start(i)));
  } catch (error) {
    await stop();
    throw error;
  }
  hubs.sort((a, b) => a.name.localeCompare(b.name));
  return { hubs, admin, stop };
}

export async function call<T>(
  url: string,
  method: string,
  path: string,
  body: unknown,
  token?: string,
): Promise<T> {
  const r = await fetch(`${url}${path}`, {
    method,
    headers: {
      'content-type': 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify(body),
  });
  const text = await r.text();
  if (!r.ok) throw new Error(`${method} ${path} failed (${r.status}): ${text}`);
  return JSON.parse(text) as T;
}

export async function signIn(url: string, admin: { name: string; password: string }): Promise<string> {
  return (await call<{ accessToken: string }>(url, 'POST', '/api/auth/login', admin)).accessToken;
}

export interface Box {
  deviceId: string;
  storeId: string;
  secret: string;
  mqttUrl: string;
  cameraId: string;
  hubKey: string;
}

/** A store, an enrollment code, the box's enrollment (its broker account) and its camera. */
export async function enrollBox(url: string, token: string): Promise<Box> {
  const store = await call<{ id: string }>(url, 'POST', '/api/stores', { name: 'Cluster shop' }, token);
  const { code } = await call<{ code: string }>(
    url,
    'POST',
    `/api/stores/${store.id}/enrollment-codes`,
    {},
    token,
  );
  const box = await call<EnrollReply>(url, 'POST', '/api/enroll', { code, name: 'Cluster box' });
  const camera = await call<{ id: string }>(
    url,
    'POST',
    '/api/cameras',
    {
      storeId: store.id,
      deviceId: box.deviceId,
      name: 'Entrance',
      source: 'rtsp://10.0.0.10/stream',
      frameWidth: 1280,
      frameHeight: 720,
    },
    token,
  );
  return {
    deviceId: box.deviceId,
    storeId: store.id,
    secret: box.secret,
    mqttUrl: box.mqtt.url,
    cameraId: camera.id,
    hubKey: box.signingKey,
  };
}
