/**
 * Two hub processes on one PostgreSQL (two apps on one database here): the API's rate limits count
 * over both, in the database or in Redis when REDIS_URL is set, and sessions are shared (a token of
 * hub A works on hub B; signing out on A ends it on B).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AppOptions, buildApp } from '../../src/app.ts';
import { rateLimitHits } from '../../src/db/schema.ts';
import { type Fixture, freshAddress, openFixture, PASSWORD } from '../api/fixture.ts';
import { uid } from '../db/backends.ts';
import { waitFor } from '../ingest/helpers.ts';

function freePort(): Promise<number> {
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

/** A throwaway redis-server on a free port, nothing saved. */
async function startRedis(): Promise<{ url: string; stop: () => Promise<void> }> {
  const port = await freePort();
  const child: ChildProcess = spawn(
    'redis-server',
    ['--port', String(port), '--save', '', '--appendonly', 'no'],
    {
      stdio: 'ignore',
    },
  );
  const url = `redis://127.0.0.1:${port}`;
  const { Redis } = await import('ioredis');
  await waitFor(
    async () => {
      const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
      probe.on('error', () => {});
      try {
        await probe.connect();
        return (await probe.ping()) === 'PONG';
      } catch {
        return false;
      } finally {
        probe.disconnect();
      }
    },
    'redis-server answering',
    30_000,
  );
  return {
    url,
    stop: async () => {
      child.kill('SIGTERM');
      if (child.exitCode === null) await new Promise((r) => child.once('exit', r));
    },
  };
}

describe('limits and sessions shared by two hubs on PostgreSQL', () => {
  let f: Fixture;
  const apps: FastifyInstance[] = [];
  beforeAll(async () => {
    f = await openFixture('postgres');
  });
  afterAll(async () => {
    for (const app of apps) await app.close();
    await f?.close();
  });

  /** Another hub process on the fixture's database (same token secret, its own memory). */
  async function hub(options: Partial<AppOptions> = {}): Promise<FastifyInstance> {
    const app = await buildApp({
      settings: f.settings,
      db: f.t.handle,
      loginRateLimit: { perAddress: 4, windowMs: 60_000, freeFailures: 1000 },
      ...options,
    });
    apps.push(app);
    await app.ready();
    return app;
  }

  const login = (app: FastifyInstance, name: string, password: string, address: string) =>
    app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { name, password },
      remoteAddress: address,
    });

  /** Five tries from one address, alternating hubs: the fifth is refused whichever hub gets it. */
  async function sprayOver(a: FastifyInstance, b: FastifyInstance): Promise<number[]> {
    const address = freshAddress();
    const codes: number[] = [];
    for (let i = 0; i < 5; i++)
      codes.push((await login(i % 2 === 0 ? a : b, `someone-${i}-${uid()}`, 'x', address)).statusCode);
    return codes;
  }

  it('counts sign-in attempts from one address over both hubs, in the database', async () => {
    const codes = await sprayOver(await hub(), await hub());
    expect(codes).toEqual([401, 401, 401, 401, 429]);
    const rows = await f.t.db.$count(rateLimitHits);
    expect(rows).toBeGreaterThan(0);
  });

  it('counts them in Redis when REDIS_URL is set', async () => {
    const redis = await startRedis();
    process.env.REDIS_URL = redis.url;
    try {
      const a = await hub();
      const b = await hub();
      expect(await sprayOver(a, b)).toEqual([401, 401, 401, 401, 429]);
      const { Redis } = await import('ioredis');
      const client = new Redis(redis.url);
      const keys = await client.keys('oskartrack-rate-limit-*');
      client.disconnect();
      expect(keys.length).toBeGreaterThan(0);
      for (const app of [a, b]) await app.close();
    } finally {
      delete process.env.REDIS_URL;
      await redis.stop();
    }
  });

  it('a token from hub A works on hub B, and signing out on A ends it on B', async () => {
    const a = await hub();
    const b = await hub();
    const r = await login(a, f.names.viewerA, PASSWORD, freshAddress());
    expect(r.statusCode).toBe(200);
    const token = (r.json() as { accessToken: string }).accessToken;
    const me = (app: FastifyInstance) =>
      app.inject({ method: 'GET', url: '/api/auth/me', headers: { authorization: `Bearer ${token}` } });
    expect((await me(b)).statusCode).toBe(200);
    const out = await a.inject({
      method: 'POST',
      url: '/api/auth/logout',
      headers: { authorization: `Bearer ${token}` },
      payload: {},
    });
    expect(out.statusCode).toBeLessThan(300);
    expect((await me(b)).statusCode).toBe(401);
  });
});
