/**
 * A whole hub for live feed and upload tests: `startHub` on free ports over a test database (PostgreSQL
 * schema or PGlite), a temporary data directory, users with tokens, and WebSocket clients that record
 * what they receive.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ServerMessage } from '@oskartrack/protocol';
import { pino } from 'pino';
import WebSocket from 'ws';
import { PETS_CLIP } from '../../../agent/test/support/clip.ts';
import { createUser } from '../../src/api/users-command.ts';
import type { DatabaseKind } from '../../src/db/database.ts';
import { type RunningHub, type ServeOptions, startHub } from '../../src/server.ts';
import type { Settings } from '../../src/settings.ts';
import { openTestDatabase, type TestDatabase, uid } from '../db/backends.ts';

export const PASSWORD = 'correct-horse-battery';

/** The PETS 2009 clip: Debian's opencv-doc copy, or the shared data folder. */
export const DEMO_CLIP = PETS_CLIP;

export interface TestHub {
  hub: RunningHub;
  t: TestDatabase;
  dataDir: string;
  settings: Settings;
  /** ws://host:port */
  wsUrl: string;
  /** Creates a user and returns an access token for them. */
  user(role: 'admin' | 'manager' | 'viewer', storeIds?: string[]): Promise<string>;
  /** An administrator's access token. */
  adminToken: string;
  close(): Promise<void>;
}

export async function login(url: string, name: string, password: string): Promise<string> {
  const r = await fetch(`${url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name, password }),
  });
  if (r.status !== 200) throw new Error(`login ${name}: ${r.status} ${await r.text()}`);
  return ((await r.json()) as { accessToken: string }).accessToken;
}

export async function openTestHub(
  kind: DatabaseKind,
  options: Omit<Partial<ServeOptions>, 'settings'> & { settings?: Partial<Settings> } = {},
): Promise<TestHub> {
  const t = await openTestDatabase(kind);
  const dataDir = mkdtempSync(join(tmpdir(), 'oskartrack-live-'));
  const { settings: extra, ...rest } = options;
  const settings: Settings = {
    databaseUrl: undefined,
    databaseSchema: undefined,
    dataDir,
    jwtSecret: `test-${uid()}-${uid()}-${uid()}-${uid()}-${uid()}`,
    ...extra,
  };
  const log = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
  // An administrator first, so the hub does not create (and print) one.
  const adminName = `admin-${uid()}`;
  await createUser(t.repos, { name: adminName, password: PASSWORD, role: 'admin' });
  let hub: RunningHub;
  try {
    hub = await startHub({
      settings,
      log,
      port: 0,
      host: '127.0.0.1',
      mqttPort: 0,
      insecure: true,
      db: t.handle,
      ...(options.demo && DEMO_CLIP ? { demoVideo: DEMO_CLIP } : {}),
      ...rest,
    });
  } catch (err) {
    await t.close();
    rmSync(dataDir, { recursive: true, force: true });
    throw err;
  }
  const adminToken = await login(hub.url, adminName, PASSWORD);
  return {
    hub,
    t,
    dataDir,
    settings,
    wsUrl: hub.url.replace(/^http/, 'ws'),
    adminToken,
    async user(role, storeIds = []) {
      const name = `${role}-${uid()}`;
      await createUser(t.repos, { name, password: PASSWORD, role, storeIds });
      return login(hub.url, name, PASSWORD);
    },
    async close() {
      await hub.stop();
      await t.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A WebSocket client that records every message and its close. */
export class Recorder {
  readonly messages: ServerMessage[] = [];
  /** Receive times (performance.now()) parallel to `messages`. */
  readonly times: number[] = [];
  closed: { code: number; reason: string } | undefined;
  readonly opened: Promise<void>;
  readonly closedP: Promise<{ code: number; reason: string }>;
  private waiters: { test: (m: ServerMessage) => boolean; resolve: (m: ServerMessage) => void }[] = [];
  onMessage: ((m: ServerMessage, raw: string) => void) | undefined;

  constructor(readonly ws: WebSocket) {
    this.opened = new Promise((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    this.closedP = new Promise((resolve) => {
      ws.once('close', (code, reason) => {
        this.closed = { code, reason: reason.toString() };
        resolve(this.closed);
      });
    });
    ws.on('error', () => undefined);
    ws.on('message', (data) => {
      const raw = data.toString();
      const m = JSON.parse(raw) as ServerMessage;
      this.messages.push(m);
      this.times.push(performance.now());
      this.onMessage?.(m, raw);
      this.waiters = this.waiters.filter((w) => {
        if (!w.test(m)) return true;
        w.resolve(m);
        return false;
      });
    });
  }

  static connect(wsUrl: string, token?: string, how: 'query' | 'header' = 'query'): Recorder {
    const url = token && how === 'query' ? `${wsUrl}/ws?token=${encodeURIComponent(token)}` : `${wsUrl}/ws`;
    const headers = token && how === 'header' ? { authorization: `Bearer ${token}` } : undefined;
    return new Recorder(new WebSocket(url, headers ? { headers } : {}));
  }

  of<T extends ServerMessage['type']>(type: T): Extract<ServerMessage, { type: T }>[] {
    return this.messages.filter((m): m is Extract<ServerMessage, { type: T }> => m.type === type);
  }

  /** The first message (already received or coming) that passes `test`. */
  waitFor<T extends ServerMessage>(
    test: (m: ServerMessage) => m is T,
    timeoutMs?: number,
    what?: string,
  ): Promise<T>;
  waitFor(test: (m: ServerMessage) => boolean, timeoutMs?: number, what?: string): Promise<ServerMessage>;
  waitFor(
    test: (m: ServerMessage) => boolean,
    timeoutMs = 20_000,
    what = 'a message',
  ): Promise<ServerMessage> {
    const found = this.messages.find(test);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${what} within ${timeoutMs} ms`)), timeoutMs);
      this.waiters.push({
        test,
        resolve: (m) => {
          clearTimeout(timer);
          resolve(m);
        },
      });
    });
  }

  send(message: object): void {
    this.ws.send(JSON.stringify(message));
  }

  close(): void {
    this.ws.terminate();
  }
}
