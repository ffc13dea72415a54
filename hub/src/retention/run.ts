/**
 * One pass of the retention job. Raw events live in monthly partitions (migration 0009):
 * 1. the months ahead are created (this one and the next three), so events never wait in the default
 *    partition while the clocks are right;
 * 2. whole months older than the longest retention of any store are dropped (instant, whatever their
 *    size); none while a store keeps its detailed data forever;
 * 3. each store's events and visits older than its own retention are deleted in batches (the rows of
 *    months still kept for a store that keeps longer, and the default partition's).
 * 4. each store's day rows (`store_open_days`, repositories/open-days.ts) of the last DAY_ROWS_AHEAD_DAYS
 *    days are computed where missing or outdated, so the first long-range query of a dashboard after
 *    a day of ingest (or an upgrade) does not pay for them.
 * Summaries (hourly, daily, flows, heatmap cells) are never removed: the numbers stay for years.
 * Each step, and each batch, is its own short transaction under the retention lock (lock.ts). Before
 * removing anything it moves the store's `raw_removed_before` mark, so analytics and the rebuild
 * know where the detail may be missing.
 */
import type { Db } from '../db/database.ts';
import { EventPartitionsRepository, monthStart } from '../db/repositories/event-partitions.ts';
import { EventsRepository } from '../db/repositories/events.ts';
import { OpenDaysRepository } from '../db/repositories/open-days.ts';
import { StoresRepository } from '../db/repositories/stores.ts';
import { VisitsRepository } from '../db/repositories/visits.ts';
import { withRetentionLock } from './lock.ts';

export const DAY_MS = 86_400_000;
/** Months created ahead of the current one. */
export const MONTHS_AHEAD = 3;
/** Rows deleted per transaction: short enough never to hold up ingest for long. */
export const DELETE_BATCH = 5000;
/** How far back the day rows are kept computed ahead (a year and the weeks a comparison reaches back). */
export const DAY_ROWS_AHEAD_DAYS = 400;

export interface RetentionResult {
  partitionsAdded: string[];
  partitionsDropped: string[];
  eventsDeleted: number;
  visitsDeleted: number;
  /** Store-local day rows computed (missing or outdated). */
  daysComputed: number;
  /** Steps skipped because another hub process held the retention lock. */
  skipped: number;
}

export interface RetentionOptions {
  now?: Date;
  batch?: number;
}

const noneYet = (): RetentionResult => ({
  partitionsAdded: [],
  partitionsDropped: [],
  eventsDeleted: 0,
  visitsDeleted: 0,
  daysComputed: 0,
  skipped: 0,
});

export async function runRetention(db: Db, options: RetentionOptions = {}): Promise<RetentionResult> {
  const now = options.now ?? new Date();
  const result = noneYet();
  await addMonthsAhead(db, now, result);
  const stores = await new StoresRepository(db).retentions();
  await dropOldMonths(db, now, stores, result);
  for (const store of stores) {
    if (store.rawRetentionDays === null) continue;
    await deleteStoreRows(
      db,
      store.id,
      cutoff(now, store.rawRetentionDays),
      options.batch ?? DELETE_BATCH,
      result,
    );
  }
  await computeDayRows(db, now, stores, result);
  return result;
}

/**
 * Step 4 alone, which the hub runs a few seconds after it starts (job.ts): after a restart, an upgrade
 * or a time down, the days that changed since the last pass (or every day, after an upgrade) are
 * computed in the background, not by the first dashboards' long-range queries, and not ten minutes
 * later with the whole pass.
 */
export async function runDayRows(db: Db, now: Date = new Date()): Promise<RetentionResult> {
  const result = noneYet();
  await computeDayRows(db, now, await new StoresRepository(db).retentions(), result);
  return result;
}

async function computeDayRows(
  db: Db,
  now: Date,
  stores: readonly { id: string }[],
  result: RetentionResult,
): Promise<void> {
  const from = cutoff(now, DAY_ROWS_AHEAD_DAYS);
  for (const store of stores) {
    const n = await withRetentionLock(db, (tx) => new OpenDaysRepository(tx).refresh([store.id], from, now));
    if (n === undefined) result.skipped++;
    else result.daysComputed += n;
  }
}

/** The first instant a store with this retention still keeps. */
export function cutoff(now: Date, days: number): Date {
  return new Date(now.getTime() - days * DAY_MS);
}

async function addMonthsAhead(db: Db, now: Date, result: RetentionResult): Promise<void> {
  for (let i = 0; i <= MONTHS_AHEAD; i++) {
    const month = monthStart(now, i);
    const added = await withRetentionLock(db, (tx) => new EventPartitionsRepository(tx).addMonth(month));
    if (added === undefined) result.skipped++;
    else if (added)
      result.partitionsAdded.push(`tracking_events_${month.toISOString().slice(0, 7).replace('-', '_')}`);
  }
}

async function dropOldMonths(
  db: Db,
  now: Date,
  stores: readonly { rawRetentionDays: number | null }[],
  result: RetentionResult,
): Promise<void> {
  if (stores.length === 0 || stores.some((s) => s.rawRetentionDays === null)) return;
  const longest = Math.max(...stores.map((s) => s.rawRetentionDays ?? 0));
  const keepFrom = cutoff(now, longest);
  const done = await withRetentionLock(db, async (tx) => {
    const partitions = new EventPartitionsRepository(tx);
    const old = (await partitions.months()).filter((p) => p.to.getTime() <= keepFrom.getTime());
    if (old.length === 0) return [];
    await new StoresRepository(tx).markRawRemovedBefore(old[old.length - 1]!.to);
    for (const p of old) await partitions.dropMonth(p);
    return old.map((p) => p.name);
  });
  if (done === undefined) result.skipped++;
  else result.partitionsDropped.push(...done);
}

async function deleteStoreRows(
  db: Db,
  storeId: string,
  before: Date,
  batch: number,
  result: RetentionResult,
): Promise<void> {
  const marked = await withRetentionLock(db, (tx) =>
    new StoresRepository(tx).markRawRemovedBefore(before, storeId).then(() => true),
  );
  if (marked === undefined) {
    result.skipped++;
    return;
  }
  for (const table of ['events', 'visits'] as const) {
    for (;;) {
      const n = await withRetentionLock(db, (tx) =>
        table === 'events'
          ? new EventsRepository(tx).deleteStoreBefore(storeId, before, batch)
          : new VisitsRepository(tx).deleteStoreBefore(storeId, before, batch),
      );
      if (n === undefined) {
        result.skipped++;
        break;
      }
      if (table === 'events') result.eventsDeleted += n;
      else result.visitsDeleted += n;
      if (n < batch) break;
    }
  }
}
