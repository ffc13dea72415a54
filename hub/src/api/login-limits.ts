/**
 * How often a password may be tried. Two limits:
 * - per (user name, address) pair, kept in the database: after `freeFailures` wrong passwords each
 *   further try waits, 1 s, 2 s, 4 s ... up to `maxDelayMs`; a correct password clears the pair. The
 *   account itself is never locked: wrong guesses from one address do not slow its owner elsewhere.
 * - per address over every user name (password spraying), through @fastify/rate-limit with its
 *   counters in the database (or Redis), so the limit holds over every hub process.
 */
import type { FastifyInstance } from 'fastify';
import type { LoginPair } from '../db/repositories/index.ts';
import { HttpError } from './errors.ts';

export interface LoginLimits {
  /** Sign-in attempts per window from one address, whatever the user name. */
  perAddress: number;
  windowMs: number;
  /** Wrong passwords for one user name from one address before each further try must wait. */
  freeFailures: number;
  /** The first wait; each further wrong password doubles it. */
  firstDelayMs: number;
  maxDelayMs: number;
  /** A pair with no attempt for this long starts counting again from zero. */
  forgetAfterMs: number;
}

export const DEFAULT_LOGIN_LIMITS: LoginLimits = {
  perAddress: 60,
  windowMs: 5 * 60_000,
  freeFailures: 5,
  firstDelayMs: 1000,
  maxDelayMs: 15 * 60_000,
  forgetAfterMs: 24 * 3_600_000,
};

/** How long the pair must wait after its `failures`-th wrong password (0: no wait). */
export function waitAfter(failures: number, limits: LoginLimits): number {
  const over = failures - limits.freeFailures;
  if (over < 0) return 0;
  return Math.min(limits.maxDelayMs, limits.firstDelayMs * 2 ** Math.min(over, 40));
}

export function formatWait(seconds: number): string {
  if (seconds < 90) return `${seconds} second${seconds === 1 ? '' : 's'}`;
  return `${Math.ceil(seconds / 60)} minutes`;
}

/**
 * Counts a password attempt for the pair before the password is checked, or refuses it with 429 and
 * Retry-After while the pair must wait. The same for known and unknown names, so it tells nothing
 * about which names exist.
 */
export async function admitPasswordAttempt(
  app: FastifyInstance,
  pair: LoginPair,
  limits: LoginLimits,
): Promise<void> {
  const now = app.auth.now();
  const forgetBefore = new Date(now.getTime() - limits.forgetAfterMs);
  const r = await app.repos.loginAttempts.admit(pair, {
    now,
    forgetBefore,
    blockUntil: (failures, at) => {
      const wait = waitAfter(failures, limits);
      return wait > 0 ? new Date(at.getTime() + wait) : null;
    },
  });
  if (!r.admitted) {
    const seconds = Math.max(1, Math.ceil((r.blockedUntil.getTime() - now.getTime()) / 1000));
    throw new HttpError(
      429,
      `too many wrong passwords from this address for this account: try again in ${formatWait(seconds)}`,
      { 'retry-after': String(seconds) },
    );
  }
  // A new pair: a good moment to drop pairs nobody has used for a long time.
  if (r.failures === 1) await app.repos.loginAttempts.deleteStale(forgetBefore, now);
}
