/**
 * Device credentials: a random secret per device (shown once, at enrollment), stored only as an
 * argon2id hash. Verification runs on libuv's thread pool (`@node-rs/argon2` is async), never on the
 * event loop, and successful verifications are cached so a reconnect storm after a hub restart costs
 * one argon2 run per device, not one per attempt.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { generateSecret, hashSecret, MAX_SECRET_LENGTH, verifySecret } from '../api/secrets.ts';
import { NotFoundError } from '../db/errors.ts';

/** The same secret shape as `generateSecret` makes: url-safe base64 of 32 bytes, no padding. */
const SECRET_SHAPE = /^[A-Za-z0-9_-]{43}$/;

export { generateSecret, hashSecret, MAX_SECRET_LENGTH, verifySecret };

/** Whether a string has the shape `generateSecret` produces (a cheap check before any hashing). */
export function looksLikeSecret(secret: string): boolean {
  return SECRET_SHAPE.test(secret);
}

/** Finds a device's stored credential hash: null or undefined when the device has none or is unknown. */
export type CredentialLookup = (deviceId: string) => Promise<string | null | undefined>;

/** A lookup over `repos.devices` (an unknown device is simply "no credential"). */
export function credentialLookup(devices: {
  credentialHash(id: string): Promise<string | null>;
}): CredentialLookup {
  return async (deviceId) => {
    try {
      return await devices.credentialHash(deviceId);
    } catch (error) {
      if (error instanceof NotFoundError) return null;
      throw error;
    }
  };
}

export interface DeviceAuthenticatorOptions {
  lookup: CredentialLookup;
  /** How long a successful verification is remembered. Default 10 minutes. */
  cacheTtlMs?: number;
  /** At most this many devices remembered (oldest forgotten first). Default 10,000. */
  maxCached?: number;
  now?: () => number;
}

export interface DeviceAuthenticator {
  /**
   * True when the secret matches the device's stored hash. Rejects only when the lookup fails (the
   * database is down): the broker then answers "server unavailable", not "bad password".
   */
  authenticate(deviceId: string, secret: string): Promise<boolean>;
  /** Drops cached verifications (of one device, or all); call after a credential changes. */
  forget(deviceId?: string): void;
  /** Cached entries and argon2 runs so far (for tests and health output). */
  stats(): { cached: number; verifications: number };
}

interface CacheEntry {
  /** The stored hash the secret was verified against: a new or revoked credential misses the cache. */
  storedHash: string;
  /** sha256 of the secret: the secret itself is never kept in memory longer than a login. */
  digest: Buffer;
  expiresAt: number;
}

function digestOf(secret: string): Buffer {
  return createHash('sha256').update(secret).digest();
}

/**
 * Verifies device logins against the stored hashes. The stored hash is looked up on every login (a
 * cheap primary-key read), so revoking or replacing a credential takes effect at once; only the argon2
 * run is skipped for a secret verified recently against that same hash. Concurrent logins with the
 * same secret share one verification.
 */
export function createDeviceAuthenticator(options: DeviceAuthenticatorOptions): DeviceAuthenticator {
  const ttl = options.cacheTtlMs ?? 10 * 60_000;
  const max = options.maxCached ?? 10_000;
  const now = options.now ?? Date.now;
  const cache = new Map<string, CacheEntry>();
  const pending = new Map<string, Promise<boolean>>();
  let verifications = 0;

  function cached(deviceId: string, storedHash: string, digest: Buffer): boolean {
    const entry = cache.get(deviceId);
    if (!entry) return false;
    if (entry.expiresAt <= now() || entry.storedHash !== storedHash) {
      cache.delete(deviceId);
      return false;
    }
    return timingSafeEqual(entry.digest, digest);
  }

  function remember(deviceId: string, storedHash: string, digest: Buffer): void {
    cache.delete(deviceId); // re-inserted last: Map order is the eviction order
    cache.set(deviceId, { storedHash, digest, expiresAt: now() + ttl });
    while (cache.size > max) {
      const oldest = cache.keys().next().value;
      if (oldest === undefined) break;
      cache.delete(oldest);
    }
  }

  return {
    async authenticate(deviceId, secret) {
      if (secret.length === 0 || secret.length > MAX_SECRET_LENGTH) return false;
      const storedHash = await options.lookup(deviceId);
      if (!storedHash) return false;
      const digest = digestOf(secret);
      if (cached(deviceId, storedHash, digest)) return true;
      const key = `${deviceId}\u0000${storedHash}\u0000${digest.toString('hex')}`;
      let running = pending.get(key);
      if (!running) {
        verifications++;
        running = verifySecret(storedHash, secret).then((ok) => {
          if (ok) remember(deviceId, storedHash, digest);
          return ok;
        });
        pending.set(key, running);
        void running.finally(() => pending.delete(key));
      }
      return running;
    },
    forget(deviceId) {
      if (deviceId === undefined) cache.clear();
      else cache.delete(deviceId);
    },
    stats() {
      return { cached: cache.size, verifications };
    },
  };
}

/** A building system's login: the store its account reads (null: every store), or null when refused. */
export type ListenerAuthenticate = (id: string, secret: string) => Promise<{ storeId: string | null } | null>;

/**
 * Checks building-system (alert listener) logins the same way as devices' (hash looked up per login,
 * only a digest cached), then reads the store the account may see. A deleted account is refused at
 * its next login.
 */
export function createListenerAuthenticator(accounts: {
  credential(id: string): Promise<{ secretHash: string; storeId: string | null } | undefined>;
}): ListenerAuthenticate {
  const auth = createDeviceAuthenticator({
    lookup: async (id) => (await accounts.credential(id))?.secretHash,
  });
  return async (id, secret) => {
    if (!(await auth.authenticate(id, secret))) return null;
    const account = await accounts.credential(id);
    return account ? { storeId: account.storeId } : null;
  };
}
