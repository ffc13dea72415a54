import { createHash } from 'node:crypto';
import { and, eq, isNull, lt, or } from 'drizzle-orm';
import type { Db } from '../database.ts';
import { loginAttempts } from '../schema.ts';
import { requireDate } from './common.ts';

/** One (user name, address) pair; the name is hashed before it is stored. */
export interface LoginPair {
  name: string;
  address: string;
}

export interface LoginAttemptRules {
  now: Date;
  /** A pair whose last attempt is older than this starts counting from zero again. */
  forgetBefore: Date;
  /** When the pair may try again after its `failures`-th counted attempt; null: at once. */
  blockUntil(failures: number, now: Date): Date | null;
}

export type AttemptAdmission = { admitted: true; failures: number } | { admitted: false; blockedUntil: Date };

function keyOf(pair: LoginPair): { userNameHash: string; address: string } {
  return {
    userNameHash: createHash('sha256').update(pair.name, 'utf8').digest('hex'),
    address: pair.address.slice(0, 100),
  };
}

/**
 * Sign-in attempts per (user name, address). Every attempt is counted as a failure before the password
 * is checked, in one transaction with the row locked: parallel guesses cannot all slip in before the
 * first wrong one is recorded, on one hub or several sharing the database. A success clears the pair.
 */
export class LoginAttemptsRepository {
  constructor(private readonly db: Db) {}

  /** Counts an attempt, or refuses it (nothing counted) while the pair must still wait. */
  async admit(pair: LoginPair, rules: LoginAttemptRules): Promise<AttemptAdmission> {
    const now = requireDate(rules.now, 'now');
    const key = keyOf(pair);
    const where = and(
      eq(loginAttempts.userNameHash, key.userNameHash),
      eq(loginAttempts.address, key.address),
    );
    return this.db.transaction(async (tx) => {
      await tx
        .insert(loginAttempts)
        .values({ ...key, failures: 0, lastAttemptAt: now })
        .onConflictDoNothing();
      const [row] = await tx.select().from(loginAttempts).where(where).for('update');
      if (row?.blockedUntil && row.blockedUntil > now)
        return { admitted: false, blockedUntil: row.blockedUntil };
      const stale = !row || row.failures === 0 || row.lastAttemptAt < rules.forgetBefore;
      const failures = stale ? 1 : row.failures + 1;
      await tx
        .update(loginAttempts)
        .set({ failures, lastAttemptAt: now, blockedUntil: rules.blockUntil(failures, now) })
        .where(where);
      return { admitted: true, failures };
    });
  }

  /** A correct password: the pair starts over. */
  async clear(pair: LoginPair): Promise<void> {
    const key = keyOf(pair);
    await this.db
      .delete(loginAttempts)
      .where(and(eq(loginAttempts.userNameHash, key.userNameHash), eq(loginAttempts.address, key.address)));
  }

  /** Removes pairs idle since `before` and no longer waiting; returns how many. */
  async deleteStale(before: Date, now: Date): Promise<number> {
    const rows = await this.db
      .delete(loginAttempts)
      .where(
        and(
          lt(loginAttempts.lastAttemptAt, before),
          or(isNull(loginAttempts.blockedUntil), lt(loginAttempts.blockedUntil, now)),
        ),
      )
      .returning({ address: loginAttempts.address });
    return rows.length;
  }
}
