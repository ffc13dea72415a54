/**
 * The deliveries table as a work queue shared by every hub process: a worker claims due rows with
 * `FOR UPDATE SKIP LOCKED` and moves their `next_attempt_at` past a lease in the same statement, so
 * no other worker takes them while it sends; a worker that dies mid-send leaves them due again when
 * the lease ends (sent at least once, possibly twice).
 *
 * A clearing waits for its firing: a 'cleared' row is not claimed while the 'firing' row of the same
 * alert, channel and target is still to be sent (waiting for a retry, or being sent), so a receiver
 * never hears "over" before "alert" and keeps a stuck alarm. A given-up firing counts as done.
 */
import { and, asc, eq, inArray, isNull, lt, lte, ne, notExists, or, sql } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import type { Db } from '../../db/database.ts';
import { alertDeliveries, alerts, stores } from '../../db/schema.ts';
import { GAVE_UP_PREFIX, GIVEN_UP_AT } from './schedule.ts';

/** One claimed delivery with what its message needs. */
export interface DueDelivery {
  id: string;
  channel: 'email' | 'webhook' | 'mqtt';
  target: string;
  event: 'firing' | 'cleared';
  attempts: number;
  createdAt: Date;
  alert: {
    id: string;
    storeId: string;
    kind: (typeof alerts.$inferSelect)['kind'];
    subject: string;
    message: string;
    details: Record<string, unknown>;
    firedAt: Date;
    clearedAt: Date | null;
  };
  store: { name: string; timezone: string };
}

const firing = alias(alertDeliveries, 'firing');

/** The firing message this row's clearing must wait for, while it is still to be sent. */
function firingStillToSend(db: Db) {
  return db
    .select({ id: firing.id })
    .from(firing)
    .where(
      and(
        eq(firing.alertId, alertDeliveries.alertId),
        eq(firing.channel, alertDeliveries.channel),
        eq(firing.target, alertDeliveries.target),
        eq(firing.event, 'firing'),
        isNull(firing.deliveredAt),
        lt(firing.nextAttemptAt, GIVEN_UP_AT),
      ),
    );
}

/** Claims up to `limit` deliveries due at `now`; they stay claimed until `leaseUntil`. */
export async function claimDue(db: Db, now: Date, leaseUntil: Date, limit: number): Promise<DueDelivery[]> {
  const due = db
    .select({ id: alertDeliveries.id })
    .from(alertDeliveries)
    .where(
      and(
        isNull(alertDeliveries.deliveredAt),
        lte(alertDeliveries.nextAttemptAt, now),
        or(ne(alertDeliveries.event, 'cleared'), notExists(firingStillToSend(db))),
      ),
    )
    .orderBy(asc(alertDeliveries.nextAttemptAt))
    .limit(limit)
    .for('update', { skipLocked: true });
  const claimed = await db
    .update(alertDeliveries)
    .set({ nextAttemptAt: leaseUntil })
    .where(inArray(alertDeliveries.id, due))
    .returning({ id: alertDeliveries.id });
  if (claimed.length === 0) return [];
  return load(
    db,
    claimed.map((c) => c.id),
  );
}

async function load(db: Db, ids: string[]): Promise<DueDelivery[]> {
  const rows = await db
    .select({ d: alertDeliveries, a: alerts, s: { name: stores.name, timezone: stores.timezone } })
    .from(alertDeliveries)
    .innerJoin(alerts, eq(alerts.id, alertDeliveries.alertId))
    .innerJoin(stores, eq(stores.id, alerts.storeId))
    .where(inArray(alertDeliveries.id, ids))
    .orderBy(asc(alertDeliveries.createdAt), asc(alertDeliveries.id));
  return rows.map(({ d, a, s }) => ({
    id: d.id,
    channel: d.channel,
    target: d.target,
    event: d.event,
    attempts: d.attempts,
    createdAt: d.createdAt,
    alert: {
      id: a.id,
      storeId: a.storeId,
      kind: a.kind,
      subject: a.subject,
      message: a.message,
      details: a.details,
      firedAt: a.firedAt,
      clearedAt: a.clearedAt,
    },
    store: s,
  }));
}

export async function markDelivered(db: Db, ids: string[], now: Date): Promise<void> {
  if (ids.length === 0) return;
  await db
    .update(alertDeliveries)
    .set({ deliveredAt: now, attempts: sql`${alertDeliveries.attempts} + 1`, lastError: null })
    .where(and(inArray(alertDeliveries.id, ids), isNull(alertDeliveries.deliveredAt)));
}

/** A failed attempt: counted, its reason kept, tried again at `retryAt` (null: given up). */
export async function markFailed(db: Db, ids: string[], error: string, retryAt: Date | null): Promise<void> {
  if (ids.length === 0) return;
  await db
    .update(alertDeliveries)
    .set({
      attempts: sql`${alertDeliveries.attempts} + 1`,
      lastError: retryAt ? error : `${GAVE_UP_PREFIX} after 24 hours: ${error}`,
      nextAttemptAt: retryAt ?? GIVEN_UP_AT,
    })
    .where(and(inArray(alertDeliveries.id, ids), isNull(alertDeliveries.deliveredAt)));
}

/** Gives up deliveries that were never tried within their 24 hours (the hub was not running). */
export async function markExpired(db: Db, ids: string[]): Promise<void> {
  if (ids.length === 0) return;
  await db
    .update(alertDeliveries)
    .set({
      lastError: `${GAVE_UP_PREFIX}: not sent within 24 hours of the alert (the hub was not running); the alert is on the Alerts page`,
      nextAttemptAt: GIVEN_UP_AT,
    })
    .where(and(inArray(alertDeliveries.id, ids), isNull(alertDeliveries.deliveredAt)));
}
