import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from './cluster/processes.ts';
import { openTestDatabase, TEST_DATABASE_URL } from './db/backends.ts';

const run = promisify(execFile);
const BIN = fileURLToPath(new URL('../bin/oskartrack-hub.js', import.meta.url));
const dataDir = mkdtempSync(join(tmpdir(), 'oskartrack-cli-'));

/** Runs `oskartrack-hub` and returns its exit code and output (it must fail before starting anything). */
async function hub(args: string[], env: Record<string, string> = {}) {
  try {
    await run(process.execPath, [BIN, ...args], {
      env: { ...process.env, OSKARTRACK_DATA_DIR: dataDir, ...env },
      timeout: 120_000,
    });
    return { code: 0, output: '' };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? -1, output: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

describe('oskartrack-hub serve --trust-proxy', () => {
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('refuses a proxy that is not true, a hop count or addresses, saying what to give', async () => {
    const r = await hub(['serve', '--trust-proxy', 'proxy.example.com']);
    expect(r.code).toBe(1);
    expect(r.output).toContain(
      '--trust-proxy: "proxy.example.com" is not an address or CIDR range; give true',
    );
  }, 150_000);

  it('refuses a wrong OSKARTRACK_TRUST_PROXY through the log, saying what to give', async () => {
    const r = await hub(['serve'], { OSKARTRACK_TRUST_PROXY: 'my-proxy' });
    expect(r.code).toBe(1);
    // The log line is JSON when not on a terminal: quotes come escaped.
    expect(r.output).toMatch(
      /"msg":"OSKARTRACK_TRUST_PROXY: \\"my-proxy\\" is not an address or CIDR range; give true/,
    );
  }, 150_000);
});

describe('oskartrack-hub serve that cannot start', () => {
  it('exits with the reason, though it had opened a database listener before failing', async () => {
    // On PostgreSQL the hub listens for the other hubs' notices before it reaches the broker: that
    // connection stays open after the failure and kept the failed hub running.
    const t = await openTestDatabase('postgres');
    try {
      const broker = `mqtt://127.0.0.1:${await freePort()}`;
      const r = await hub(['serve', '--insecure', '--port', '0', '--mqtt-url', broker], {
        DATABASE_URL: TEST_DATABASE_URL,
        OSKARTRACK_DB_SCHEMA: t.schema ?? '',
        OSKARTRACK_JWT_SECRET: 'a'.repeat(64),
      });
      expect(r.code).toBe(1);
      expect(r.output).toContain('ECONNREFUSED');
    } finally {
      await t.close();
    }
  }, 150_000);

  it('names a port already in use and the option that moves the hub, without a stack', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = String((taken.address() as AddressInfo).port);
    try {
      const web = await hub([
        'serve',
        '--insecure',
        '--host',
        '127.0.0.1',
        '--mqtt-port',
        '0',
        '--port',
        port,
      ]);
      expect(web.code).toBe(1);
      expect(web.output).toContain(
        `port ${port} on 127.0.0.1 is already in use (another hub, or another program): stop that program, or start the hub with --port and a free port`,
      );
      expect(web.output).not.toContain('"stack"');
      const mqtt = await hub([
        'serve',
        '--insecure',
        '--host',
        '127.0.0.1',
        '--port',
        '0',
        '--mqtt-port',
        port,
      ]);
      expect(mqtt.code).toBe(1);
      expect(mqtt.output).toContain('start the hub with --mqtt-port and a free port');
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  }, 150_000);
});
