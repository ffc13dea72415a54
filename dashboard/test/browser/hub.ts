/**
 * Starts the real hub for browser tests: embedded PGlite in a temp folder, the embedded broker and the
 * demo box (the real agent playing the PETS 2009 clip), everything on free ports. The live feed and
 * uploads are mounted when the hub's modules for them exist (they are optional here).
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyPluginAsync } from 'fastify';
import pino from 'pino';

export const DEMO_VIDEO = [
  '/usr/share/doc/opencv-doc/examples/data/vtest.avi',
  '/work/shared/data/pets09-s2l1/vtest.avi',
].find((p) => existsSync(p));

export interface TestHub {
  url: string;
  admin: { name: string; password: string };
  dataDir: string;
  stop(): Promise<void>;
}

/** Plugins the hub may offer that `startHub` does not mount by itself (the live feed, uploads). */
async function optionalPlugins(): Promise<FastifyPluginAsync[]> {
  const found: FastifyPluginAsync[] = [];
  const candidates = ['live/index', 'live/plugin', 'uploads/index', 'uploads/plugin'];
  for (const name of candidates) {
    const file = new URL(`../../../hub/src/${name}.ts`, import.meta.url);
    if (!existsSync(file)) continue;
    const mod = (await import(file.href)) as { default?: unknown };
    if (typeof mod.default === 'function') found.push(mod.default as FastifyPluginAsync);
  }
  return found;
}

export async function startTestHub(): Promise<TestHub> {
  if (!DEMO_VIDEO) throw new Error('the PETS 2009 clip (vtest.avi) is missing: run scripts/setup.sh');
  const dataDir = await mkdtemp(join(tmpdir(), 'oskartrack-dashboard-'));
  const log = pino({ level: process.env.OSKARTRACK_TEST_LOG ?? 'warn' });
  const { startHub } = await import('@oskartrack/hub/server');
  const serverSource = await import('node:fs/promises').then((fs) =>
    fs.readFile(new URL('../../../hub/src/server.ts', import.meta.url), 'utf8'),
  );
  // When server.ts mounts the live feed and uploads itself, do not mount them twice.
  const plugins = /live|upload/i.test(serverSource.replace(/\/\/.*|\/\*[\s\S]*?\*\//g, ''))
    ? []
    : await optionalPlugins();
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
    demo: true,
    demoVideo: DEMO_VIDEO,
    ...(plugins.length ? { plugins } : {}),
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
