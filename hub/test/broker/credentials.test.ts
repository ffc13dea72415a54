import { describe, expect, it } from 'vitest';
import {
  createDeviceAuthenticator,
  generateSecret,
  hashSecret,
  looksLikeSecret,
  verifySecret,
} from '../../src/broker/credentials.ts';

describe('device secrets', () => {
  it('are 256-bit url-safe strings, different every time', () => {
    const secrets = new Set(Array.from({ length: 100 }, () => generateSecret()));
    expect(secrets.size).toBe(100);
    for (const s of secrets) {
      expect(s).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(looksLikeSecret(s)).toBe(true);
      expect(encodeURIComponent(s)).toBe(s);
    }
  });

  it('hash with argon2id and verify; a wrong secret or a malformed hash is false, never a throw', async () => {
    const secret = generateSecret();
    const hash = await hashSecret(secret);
    expect(hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(hash).not.toContain(secret);
    expect(await verifySecret(hash, secret)).toBe(true);
    expect(await verifySecret(hash, generateSecret())).toBe(false);
    expect(await verifySecret(hash, '')).toBe(false);
    expect(await verifySecret('not-a-hash', secret)).toBe(false);
    expect(await verifySecret('$argon2id$v=19$garbage', secret)).toBe(false);
    expect(await hashSecret(secret)).not.toBe(hash); // salted
  });

  it('verification runs off the event loop', async () => {
    const secret = generateSecret();
    const hash = await hashSecret(secret);
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    const started = performance.now();
    await Promise.all(Array.from({ length: 4 }, () => verifySecret(hash, secret)));
    const elapsed = performance.now() - started;
    clearInterval(timer);
    // While four argon2 runs take their time, the loop keeps turning.
    expect(ticks).toBeGreaterThan(Math.min(5, elapsed / 10));
  });
});

describe('device authenticator', () => {
  async function setup() {
    const secret = generateSecret();
    const hashes = new Map<string, string | null>([['dev-1', await hashSecret(secret)]]);
    let lookups = 0;
    let time = 0;
    const auth = createDeviceAuthenticator({
      lookup: async (id) => {
        lookups++;
        return hashes.get(id);
      },
      cacheTtlMs: 1000,
      now: () => time,
    });
    return {
      secret,
      hashes,
      auth,
      lookups: () => lookups,
      advance: (ms: number) => {
        time += ms;
      },
    };
  }

  it('caches a successful verification, per stored hash, for a while', async () => {
    const t = await setup();
    expect(await t.auth.authenticate('dev-1', t.secret)).toBe(true);
    expect(await t.auth.authenticate('dev-1', t.secret)).toBe(true);
    expect(t.auth.stats()).toEqual({ cached: 1, verifications: 1 });
    expect(t.lookups()).toBe(2); // the stored hash is read every time
    t.advance(1001);
    expect(await t.auth.authenticate('dev-1', t.secret)).toBe(true);
    expect(t.auth.stats().verifications).toBe(2);
  });

  it('never caches a failure and misses the cache for another secret', async () => {
    const t = await setup();
    expect(await t.auth.authenticate('dev-1', 'wrong')).toBe(false);
    expect(await t.auth.authenticate('dev-1', t.secret)).toBe(true);
    expect(await t.auth.authenticate('dev-1', 'wrong')).toBe(false);
    expect(t.auth.stats().verifications).toBe(3);
  });

  it('a revoked or replaced credential takes effect at once', async () => {
    const t = await setup();
    expect(await t.auth.authenticate('dev-1', t.secret)).toBe(true);
    t.hashes.set('dev-1', null);
    expect(await t.auth.authenticate('dev-1', t.secret)).toBe(false);
    const next = generateSecret();
    t.hashes.set('dev-1', await hashSecret(next));
    expect(await t.auth.authenticate('dev-1', t.secret)).toBe(false);
    expect(await t.auth.authenticate('dev-1', next)).toBe(true);
  });

  it('unknown devices and absurd secrets are refused without argon2', async () => {
    const t = await setup();
    expect(await t.auth.authenticate('nobody', t.secret)).toBe(false);
    expect(await t.auth.authenticate('dev-1', 'x'.repeat(10_000))).toBe(false);
    expect(await t.auth.authenticate('dev-1', '')).toBe(false);
    expect(t.auth.stats().verifications).toBe(0);
  });

  it('a storm of concurrent logins with one secret runs argon2 once', async () => {
    const t = await setup();
    const results = await Promise.all(
      Array.from({ length: 20 }, () => t.auth.authenticate('dev-1', t.secret)),
    );
    expect(results.every(Boolean)).toBe(true);
    expect(t.auth.stats().verifications).toBe(1);
  });

  it('a failing lookup rejects (the broker answers "server unavailable")', async () => {
    const auth = createDeviceAuthenticator({
      lookup: async () => {
        throw new Error('database down');
      },
    });
    await expect(auth.authenticate('dev-1', 'x')).rejects.toThrow('database down');
  });
});
