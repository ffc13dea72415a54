/**
 * The real hub for browser tests: embedded PGlite in a temp folder, the embedded broker, the live feed
 * and uploads, and the demo box (the real agent playing the PETS 2009 clip), all on free ports.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { PETS_CLIP } from '../../../agent/test/support/clip.ts';

export const DEMO_VIDEO = PETS_CLIP;

export const DASHBOARD_DIR = fileURLToPath(new URL('../../', import.meta.url));

function newest(path: string): number {
  const s = statSync(path);
  if (!s.isDirectory()) return s.mtimeMs;
  return Math.max(s.mtimeMs, ...readdirSync(path).map((name) => newest(join(path, name))));
}

/** Builds dashboard/dist when it is missing or older than the sources (the hub serves it). */
export function buildDashboardIfStale(): boolean {
  const built = join(DASHBOARD_DIR, 'dist', 'index.html');
  const sources = ['src', 'public', 'index.html', 'vite.config.ts']
    .map((p) => join(DASHBOARD_DIR, p))
    .filter((p) => existsSync(p));
  if (existsSync(built) && statSync(built).mtimeMs >= Math.max(...sources.map(newest))) return false;
  execFileSync(
    process.execPath,
    [join(DASHBOARD_DIR, '..', 'node_modules', 'vite', 'bin', 'vite.js'), 'build'],
    {
      cwd: DASHBOARD_DIR,
      stdio: 'pipe',
      timeout: 180_000,
    },
  );
  return true;
}

export interface TestHub {
  url: string;
  admin: { name: string; password: string };
  dataDir: string;
  stop(): Promise<void>;
}

export async function startTestHub(): Promise<TestHub> {
  if (!DEMO_VIDEO) throw new Error('the PETS 2009 clip (vtest.avi) is missing: run scripts/setup.sh');
  const dataDir = await mkdtemp(join(tmpdir(), 'oskartrack-dashboard-'));
  const log = pino({ level: process.env.OSKARTRACK_TEST_LOG ?? 'silent' });
  // The demo box is a child process that inherits the environment: keep its log to warnings.
  process.env.LOG_LEVEL ??= 'warn';
  const { startHub } = await import('@oskartrack/hub/server');
  const hub = await startHub({
    settings: {
      databaseUrl: undefined,
      databaseSchema: undefined,
      dataDir,
      mediaDir: join(dataDir, 'media'),
    },
    log,
    port: 0,
    host: '127.0.0.1',
    mqttPort: 0,
    insecure: true,
    demo: true,
    demoVideo: DEMO_VIDEO,
  });
  if (!hub.admin) throw new Error('the hub created no first administrator');
  return {
    url: hub.url,
    admin: hub.admin,
    dataDir,
    async stop() {
      await hub.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
