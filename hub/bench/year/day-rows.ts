/**
 * The store day rows the hub's hourly retention pass keeps computed (the generator writes none):
 * computed once before a benchmark's queries, as a hub does after an upgrade, and timed.
 */
import { sql } from 'drizzle-orm';
import { type Db, queryRows } from '../../src/db/database.ts';
import { OpenDaysRepository } from '../../src/db/repositories/open-days.ts';
import { DAY_ROWS_AHEAD_DAYS } from '../../src/retention/run.ts';
import { DAY_MS } from './chain.ts';

/** Computes every store's day rows of the DAY_ROWS_AHEAD_DAYS before `to`; returns how many and the seconds. */
export async function computeDayRows(db: Db, to: number): Promise<{ computed: number; seconds: number }> {
  const stores = await queryRows<{ id: string }>(db, sql`SELECT id FROM stores ORDER BY id`);
  const t = performance.now();
  const computed = await new OpenDaysRepository(db).refresh(
    stores.map((s) => s.id),
    new Date(to - DAY_ROWS_AHEAD_DAYS * DAY_MS),
    new Date(to),
  );
  return { computed, seconds: (performance.now() - t) / 1000 };
}
