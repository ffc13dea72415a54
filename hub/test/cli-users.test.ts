/**
 * `oskartrack-hub users create` beside a running hub: on the embedded database it refuses, saying
 * what to do, and the hub never gets a user it did not see created; on PostgreSQL (a server, made to
 * be shared) the user is created and the running hub signs them in.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { type RunningHub, startHub } from '../src/server.ts';
import type { Settings } from '../src/settings.ts';
import { dropSchema, randomSchema, TEST_DATABASE_URL, uid } from './db/backends.ts';

const BIN = fileURLToPath(new URL('../bin/oskartrack-hub.js', import.meta.url));
const PASSWORD = 'a-long-enough-password';
const dirs: string[] = [];

/** Runs `oskartrack-hub users create NAME --role admin` with the password on standard input. */
function usersCreate(name: string, env: Record<string, string>): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [BIN, 'users', 'create', name, '--role', 'admin'],
      { env: { ...process.env, DATABASE_URL: '', OSKARTRACK_DB_SCHEMA: '', ...env }, timeout: 120_000 },
      (error, stdout, stderr) => {
        const code = error ? ((error as { code?: number }).code ?? -1) : 0;
        resolve({ code, output: `${stdout}${stderr}` });
      },
    );
    child.stdin?.end(`${PASSWORD}\n`);
  });
}

async function startTestHub(extra: Partial<Settings>): Promise<{ hub: RunningHub; dataDir: string }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'oskartrack-cli-users-'));
  dirs.push(dataDir);
  const settings: Settings = {
    databaseUrl: undefined,
    databaseSchema: undefined,
    dataDir,
    jwtSecret: `test-${uid()}-${uid()}-${uid()}-${uid()}-${uid()}`,
    ...extra,
  };
  const hub = await startHub({
    settings,
    log: pino({ level: 'silent' }),
    port: 0,
    host: '127.0.0.1',
    mqttPort: 0,
    insecure: true,
  });
  return { hub, dataDir };
}

function login(hub: RunningHub, name: string): Promise<Response> {
  return fetch(`${hub.url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name, password: PASSWORD }),
  });
}

afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('oskartrack-hub users create beside a running hub', () => {
  it('refuses on the embedded database, saying what to do, and creates nobody', async () => {
    const { hub, dataDir } = await startTestHub({});
    try {
      const name = `carol-${uid()}`;
      const r = await usersCreate(name, { OSKARTRACK_DATA_DIR: dataDir });
      expect(r.code, r.output).toBe(1);
      expect(r.output).toContain(`the hub is running on this embedded database (pid ${process.pid},`);
      expect(r.output).toContain('create the user in the dashboard');
      expect(r.output).not.toContain('created admin');
      expect((await login(hub, name)).status).toBe(401);
    } finally {
      await hub.stop();
    }
    // With the hub stopped, the same command works and the next hub signs the user in.
    const name = `dave-${uid()}`;
    const r = await usersCreate(name, { OSKARTRACK_DATA_DIR: dataDir });
    expect(r.code, r.output).toBe(0);
    expect(r.output).toContain(`created admin ${name}`);
    const next = await startHub({
      settings: {
        databaseUrl: undefined,
        databaseSchema: undefined,
        dataDir,
        jwtSecret: `x-${uid()}-${uid()}-${uid()}-${uid()}`,
      },
      log: pino({ level: 'silent' }),
      port: 0,
      host: '127.0.0.1',
      mqttPort: 0,
      insecure: true,
    });
    try {
      expect((await login(next, name)).status).toBe(200);
    } finally {
      await next.stop();
    }
  }, 400_000);

  it('creates the user on PostgreSQL while the hub runs, and the hub signs them in', async () => {
    const schema = randomSchema();
    const { hub, dataDir } = await startTestHub({ databaseUrl: TEST_DATABASE_URL, databaseSchema: schema });
    try {
      const name = `erin-${uid()}`;
      const r = await usersCreate(name, {
        OSKARTRACK_DATA_DIR: dataDir,
        DATABASE_URL: TEST_DATABASE_URL,
        OSKARTRACK_DB_SCHEMA: schema,
      });
      expect(r.code, r.output).toBe(0);
      expect(r.output).toContain(`created admin ${name}`);
      expect((await login(hub, name)).status).toBe(200);
    } finally {
      await hub.stop();
      await dropSchema(schema);
    }
  }, 300_000);
});
