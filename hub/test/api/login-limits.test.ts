import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AppOptions, buildApp } from '../../src/app.ts';
import { BACKENDS, uid } from '../db/backends.ts';
import { type Fixture, freshAddress, openFixture, PASSWORD } from './fixture.ts';

const WAIT = /too many wrong passwords from this address for this account: try again in (\d+) seconds?/;

describe.each(BACKENDS)('sign-in limits on %s', (kind) => {
  let f: Fixture;
  let now = Date.parse('2030-01-01T00:00:00Z');
  const apps: FastifyInstance[] = [];
  beforeAll(async () => {
    f = await openFixture(kind);
  });
  afterAll(async () => {
    for (const app of apps) await app.close();
    await f?.close();
  });

  /** A second app on the fixture's database, with its own limits and a clock the test moves. */
  async function appWith(options: Partial<AppOptions> = {}): Promise<FastifyInstance> {
    const app = await buildApp({
      settings: f.settings,
      db: f.t.handle,
      auth: { clock: () => now },
      loginRateLimit: { freeFailures: 2, firstDelayMs: 1000, maxDelayMs: 8000, perAddress: 1000 },
      ...options,
    });
    apps.push(app);
    await app.ready();
    return app;
  }
  const login = (
    app: FastifyInstance,
    name: string,
    password: string,
    address: string,
    forwardedFor?: string,
  ) =>
    app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { name, password },
      remoteAddress: address,
      ...(forwardedFor ? { headers: { 'x-forwarded-for': forwardedFor } } : {}),
    });
  /** The seconds a 429 says to wait, checked against its Retry-After header. */
  function waitOf(r: Awaited<ReturnType<typeof login>>): number {
    expect(r.statusCode).toBe(429);
    const seconds = Number(WAIT.exec(r.json().message)?.[1]);
    expect(Number(r.headers['retry-after'])).toBe(seconds);
    return seconds;
  }

  it('wrong passwords from one address never keep the user out from another address', async () => {
    const app = await appWith();
    const attacker = freshAddress();
    const name = f.names.admin;
    expect((await login(app, name, 'guess-1', attacker)).statusCode).toBe(401);
    expect((await login(app, name, 'guess-2', attacker)).statusCode).toBe(401);
    expect(waitOf(await login(app, name, 'guess-3', attacker))).toBe(1);
    // Even the right password waits from the attacker's address: the guess is not checked at all.
    expect(waitOf(await login(app, name, PASSWORD, attacker))).toBe(1);
    expect((await login(app, name, PASSWORD, freshAddress())).statusCode).toBe(200);
  });

  it('makes each wait twice the last, up to the cap, and a correct password starts over', async () => {
    const app = await appWith();
    const address = freshAddress();
    const name = f.names.viewerA;
    expect((await login(app, name, 'wrong', address)).statusCode).toBe(401);
    expect((await login(app, name, 'wrong', address)).statusCode).toBe(401);
    const waits: number[] = [];
    for (let i = 0; i < 5; i++) {
      const seconds = waitOf(await login(app, name, 'wrong', address));
      waits.push(seconds);
      now += seconds * 1000;
      expect((await login(app, name, 'wrong', address)).statusCode).toBe(401);
    }
    expect(waits).toEqual([1, 2, 4, 8, 8]);
    now += waitOf(await login(app, name, 'wrong', address)) * 1000;
    expect((await login(app, name, PASSWORD, address)).statusCode).toBe(200);
    expect((await login(app, name, 'wrong', address)).statusCode).toBe(401);
    expect((await login(app, name, 'wrong', address)).statusCode).toBe(401);
    expect(waitOf(await login(app, name, 'wrong', address))).toBe(1);
  });

  it('treats a name that does not exist like one that does', async () => {
    const app = await appWith();
    const address = freshAddress();
    const nobody = `nobody-${uid()}`;
    const codes = [];
    for (let i = 0; i < 2; i++) codes.push((await login(app, nobody, 'wrong', address)).statusCode);
    expect(codes).toEqual([401, 401]);
    expect(waitOf(await login(app, nobody, 'wrong', address))).toBe(1);
  });

  it('keeps the wait in the database: another hub on it (or a restarted one) knows it', async () => {
    const first = await appWith();
    const second = await appWith();
    const address = freshAddress();
    const name = f.names.managerA;
    expect((await login(first, name, 'wrong', address)).statusCode).toBe(401);
    expect((await login(second, name, 'wrong', address)).statusCode).toBe(401);
    expect(waitOf(await login(first, name, PASSWORD, address))).toBe(1);
    expect(waitOf(await login(second, name, PASSWORD, address))).toBe(1);
    now += 1000;
    expect((await login(second, name, PASSWORD, address)).statusCode).toBe(200);
  });

  it('still limits one address trying many names (password spraying)', async () => {
    const app = await appWith({ loginRateLimit: { perAddress: 4, windowMs: 60_000 } });
    const address = freshAddress();
    const codes = [];
    for (let i = 0; i < 5; i++)
      codes.push((await login(app, `someone-${i}-${uid()}`, 'x', address)).statusCode);
    expect(codes).toEqual([401, 401, 401, 401, 429]);
    const blocked = await login(app, f.names.admin, PASSWORD, address);
    expect(blocked.statusCode).toBe(429);
    expect(blocked.json().message).toMatch(/too many sign-in attempts from this address; try again in/);
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
    expect((await login(app, f.names.admin, PASSWORD, freshAddress())).statusCode).toBe(200);
  });

  it('ignores X-Forwarded-For unless the proxy is trusted', async () => {
    const proxy = freshAddress();
    const name = f.names.viewerB;
    // Not trusted: a client cannot dodge its limit by writing the header.
    const plain = await appWith();
    expect((await login(plain, name, 'wrong', proxy, freshAddress())).statusCode).toBe(401);
    expect((await login(plain, name, 'wrong', proxy, freshAddress())).statusCode).toBe(401);
    expect(waitOf(await login(plain, name, PASSWORD, proxy, freshAddress()))).toBe(1);

    // Trusted: each user behind the proxy has an address of their own.
    const behind = await appWith({ trustProxy: [proxy] });
    const attacker = freshAddress();
    expect((await login(behind, name, 'wrong', proxy, attacker)).statusCode).toBe(401);
    expect((await login(behind, name, 'wrong', proxy, attacker)).statusCode).toBe(401);
    expect(waitOf(await login(behind, name, PASSWORD, proxy, attacker))).toBe(1);
    expect((await login(behind, name, PASSWORD, proxy, freshAddress())).statusCode).toBe(200);
    // The header from anyone but the trusted proxy is still ignored.
    const stranger = freshAddress();
    for (let i = 0; i < 2; i++) await login(behind, name, 'wrong', stranger, freshAddress());
    expect(waitOf(await login(behind, name, PASSWORD, stranger, freshAddress()))).toBe(1);
  });

  it('takes a hop count and settings.trustProxy too', async () => {
    const hops = await appWith({ trustProxy: 1 });
    const viaSettings = await appWith({ settings: { ...f.settings, trustProxy: true } });
    for (const app of [hops, viaSettings]) {
      const proxy = freshAddress();
      const attacker = freshAddress();
      for (let i = 0; i < 2; i++) await login(app, f.names.viewerB, 'wrong', proxy, attacker);
      expect(waitOf(await login(app, f.names.viewerB, PASSWORD, proxy, attacker))).toBe(1);
      expect((await login(app, f.names.viewerB, PASSWORD, proxy, freshAddress())).statusCode).toBe(200);
    }
  });

  it("limits enrollment by the client's address behind a trusted proxy, not the proxy's", async () => {
    const proxy = freshAddress();
    const enroll = (app: FastifyInstance, forwardedFor: string) =>
      app.inject({
        method: 'POST',
        url: '/api/enroll',
        payload: { code: `no-such-code-${uid()}` },
        remoteAddress: proxy,
        headers: { 'x-forwarded-for': forwardedFor },
      });
    const limits = { enrollRateLimit: { perAddress: 2, windowMs: 60_000 } };
    const behind = await appWith({ ...limits, trustProxy: [proxy] });
    const client = freshAddress();
    const codes = [];
    for (let i = 0; i < 3; i++) codes.push((await enroll(behind, client)).statusCode);
    expect(codes.slice(0, 2)).not.toContain(429);
    expect(codes[2]).toBe(429);
    expect((await enroll(behind, freshAddress())).statusCode).not.toBe(429);

    const plain = await appWith(limits);
    const shared = [];
    for (let i = 0; i < 3; i++) shared.push((await enroll(plain, freshAddress())).statusCode);
    expect(shared[2]).toBe(429);
  });
});
