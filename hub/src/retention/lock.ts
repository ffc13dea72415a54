/**
 * One retention step at a time across every hub process on the database: each step runs in a
 * transaction that first takes a transaction-scoped advisory lock without waiting
 * (`pg_try_advisory_xact_lock`, also on PGlite). A hub that finds it taken skips the step: another
 * hub is doing the same work. Transaction-scoped, so a pooled connection never keeps it.
 */
import { sql } from 'drizzle-orm';
import { type Db, queryRows } from '../db/database.ts';

/** The advisory lock's key: any fixed number no other part of the hub uses ("retention" in ASCII). */
export const RETENTION_LOCK_KEY = 0x726574656e74;

/** Runs `work` holding the retention lock; undefined when another process holds it. */
export async function withRetentionLock<T>(db: Db, work: (tx: Db) => Promise<T>): Promise<T | undefined> {
  return db.transaction(async (tx) => {
    const [row] = await queryRows<{ locked: boolean }>(
      tx,
      sql`SELECT pg_try_advisory_xact_lock(${RETENTION_LOCK_KEY}::bigint) AS locked`,
    );
    if (row?.locked !== true) return undefined;
    return work(tx);
  });
}
