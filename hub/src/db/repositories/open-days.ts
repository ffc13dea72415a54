/**
 * Store figures over long ranges from one row per store-local day (`store_open_days`) instead of every
 * hourly row: the live cameras' whole-camera hourly summaries of the store's open hours, added up per
 * day. Deciding opening hours row by row cost ~25 µs an hourly row (a year of 100 stores: 11 s);
 * a day row is decided once, when it is computed.
 *
 * A day row is current while `computed_gen = gen` (triggers of migration 0012 move `gen` when any hour
 * of that day changes: ingest, rebuild, a camera removed) and its `hours_key` is the one of the
 * store's time zone and opening hours now. `refresh` computes the days of a range that are missing or
 * not current; writing back only where `gen` is still the one read, so a day that changed meanwhile
 * stays outdated rather than wrong. The readers (open-day-figures.ts) take whole days from the rows
 * and the hours at either end of a range from the hourly summaries.
 */
import { type SQL, sql } from 'drizzle-orm';
import { openSql, type StoreHours } from '../../analytics/opening-hours.ts';
import { type Db, queryRows } from '../database.ts';
import { StoresRepository } from './stores.ts';

export const ts = (d: Date): SQL => sql`${d.toISOString()}::timestamptz`;
export const num = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));
export const ids = (values: readonly string[]): SQL =>
  sql.join(
    values.map((v) => sql`${v}`),
    sql`, `,
  );

/** The key of a store's time zone and opening hours, from its row (alias s). */
const STORE_HOURS_KEY = sql`md5(s.timezone || '|' || coalesce(s.opening_hours::text, ''))`;
/** The same key for hours read earlier (jsonb's text form is canonical, so equal hours give equal keys). */
function hoursKey(h: StoreHours): SQL {
  const json = h.openingHours === null ? null : JSON.stringify(h.openingHours);
  return sql`md5(${h.timezone}::text || '|' || coalesce((${json}::jsonb)::text, ''))`;
}

/** The first store-local day that starts at or after `at` (local midnight in `tz`). */
export function firstWholeDay(at: SQL, tz: SQL): SQL {
  return sql`(CASE WHEN (${at} AT TIME ZONE ${tz})::time = '00:00' THEN (${at} AT TIME ZONE ${tz})::date
    ELSE (${at} AT TIME ZONE ${tz})::date + 1 END)`;
}

/** The hourly rows the day rows add up (alias a). */
export const LIVE_STORE_HOURS = sql`a.period = 'hour' AND a.zone_id IS NULL AND a.upload_id IS NULL`;
export const HOUR_SUMS = sql`sum(a.visitors) AS visitors, sum(a.entries) AS entries, sum(a.exits) AS exits,
  sum(a.dwell_count) AS dwell_count, sum(a.total_dwell_ms) AS total_dwell_ms, sum(a.peak_occupancy) AS peak`;
/** Visitors per store-local hour of the day (0-23) of `per_hour` rows, as an array. */
const HOUR_OF_DAY_SUMS = sql.raw(
  `ARRAY[${Array.from({ length: 24 }, (_, h) => `coalesce(sum(visitors) FILTER (WHERE local_hour = ${h}), 0)`).join(', ')}]::bigint[]`,
);
const ADD_UP = sql`sum(visitors) AS visitors, sum(entries) AS entries, sum(exits) AS exits,
  sum(dwell_count) AS dwell_count, sum(total_dwell_ms) AS total_dwell_ms, max(peak) AS peak`;

/** The stores asked for with their time zone and hours key, computed once each (CTE `k`). */
function storeKeys(storeIds: readonly string[]): SQL {
  return sql`k AS MATERIALIZED (
    SELECT s.id, s.timezone, ${STORE_HOURS_KEY} AS key FROM stores s WHERE s.id IN (${ids(storeIds)})
  )`;
}

export class OpenDaysRepository {
  constructor(private readonly db: Db) {}

  /** Computes the whole days in [from, to) of these stores that are missing or outdated; returns how many. */
  async refresh(storeIds: readonly string[], from: Date, to: Date): Promise<number> {
    if (storeIds.length === 0 || from >= to) return 0;
    const lacking = await this.storesLackingDays(storeIds, from, to);
    if (lacking.length === 0) return 0;
    const stale = await queryRows<{ store_id: string; day: string; gen: unknown }>(
      this.db,
      sql`WITH ${storeKeys(lacking)}
        SELECT k.id AS store_id, d.day::date::text AS day, o.gen
        FROM k
        CROSS JOIN LATERAL generate_series(${firstWholeDay(ts(from), sql`k.timezone`)}::timestamp,
          ((${ts(to)} AT TIME ZONE k.timezone)::date - 1)::timestamp, interval '1 day') AS d(day)
        LEFT JOIN store_open_days o ON o.store_id = k.id AND o.day = d.day::date
        WHERE o.store_id IS NULL OR o.computed_gen IS DISTINCT FROM o.gen OR o.hours_key IS DISTINCT FROM k.key`,
    );
    if (stale.length === 0) return 0;
    const byStore = new Map<string, { day: string; gen: number | null }[]>();
    for (const r of stale) {
      const days = byStore.get(r.store_id) ?? [];
      days.push({ day: r.day, gen: r.gen === null ? null : Number(r.gen) });
      byStore.set(r.store_id, days);
    }
    const hours = await new StoresRepository(this.db).hoursOf([...byStore.keys()]);
    let written = 0;
    for (const [storeId, days] of byStore) {
      const h = hours.get(storeId);
      if (h) written += await this.compute(storeId, h, days);
    }
    return written;
  }

  /** The stores with fewer current day rows in the range than it has whole days (an index range each). */
  private async storesLackingDays(storeIds: readonly string[], from: Date, to: Date): Promise<string[]> {
    const rows = await queryRows<{ id: string }>(
      this.db,
      sql`WITH ${storeKeys(storeIds)},
        r AS (
          SELECT k.id, k.key, ${firstWholeDay(ts(from), sql`k.timezone`)} AS first, (${ts(to)} AT TIME ZONE k.timezone)::date AS stop
          FROM k
        )
        SELECT r.id FROM r
        WHERE r.stop > r.first AND (
          SELECT count(*) FROM store_open_days o
          WHERE o.store_id = r.id AND o.day >= r.first AND o.day < r.stop AND o.computed_gen = o.gen AND o.hours_key = r.key
        ) < r.stop - r.first`,
    );
    return rows.map((r) => r.id);
  }

  /** Computes one store's days from its hourly rows and writes those still at the `gen` read. */
  private async compute(storeId: string, h: StoreHours, days: { day: string; gen: number | null }[]) {
    const sorted = days.map((d) => d.day).sort();
    const start = (day: string) => sql`(${day}::date::timestamp AT TIME ZONE ${h.timezone}::text)`;
    const last = sql`(${sorted.at(-1)!}::date + 1)`;
    const [row] = await queryRows<{ n: unknown }>(
      this.db,
      sql`WITH want AS (SELECT * FROM jsonb_to_recordset(${JSON.stringify(days)}::jsonb) AS w(day date, gen bigint)),
        daily AS (
          SELECT day, ${ADD_UP}, count(*)::int AS hours,
            (array_agg(bucket_start ORDER BY visitors DESC, bucket_start) FILTER (WHERE visitors > 0))[1] AS busiest_start,
            coalesce(max(visitors), 0) AS busiest_visitors, ${HOUR_OF_DAY_SUMS} AS hour_visitors
          FROM (
            SELECT (a.bucket_start AT TIME ZONE ${h.timezone}::text)::date AS day, a.bucket_start,
              extract(hour FROM a.bucket_start AT TIME ZONE ${h.timezone}::text)::int AS local_hour, ${HOUR_SUMS}
            FROM analytics_summaries a
            WHERE ${LIVE_STORE_HOURS} AND a.store_id = ${storeId}
              AND a.bucket_start >= ${start(sorted[0]!)}
              AND a.bucket_start < (${last}::timestamp AT TIME ZONE ${h.timezone}::text)
              AND ${openSql(h, sql`a.bucket_start`, 'hour')}
            GROUP BY 1, 2, 3
          ) per_hour
          GROUP BY day
        ),
        vals AS (
          SELECT w.day, w.gen, coalesce(d.visitors, 0) AS visitors, coalesce(d.entries, 0) AS entries,
            coalesce(d.exits, 0) AS exits, coalesce(d.dwell_count, 0) AS dwell_count,
            coalesce(d.total_dwell_ms, 0) AS total_dwell_ms, coalesce(d.peak, 0) AS peak, coalesce(d.hours, 0) AS hours,
            d.busiest_start, coalesce(d.busiest_visitors, 0) AS busiest_visitors, d.hour_visitors
          FROM want w LEFT JOIN daily d ON d.day = w.day
        ),
        k AS (
          SELECT ${hoursKey(h)} AS key,
            EXISTS (SELECT 1 FROM stores s WHERE s.id = ${storeId} AND ${STORE_HOURS_KEY} = ${hoursKey(h)}) AS current
        ),
        added AS (
          INSERT INTO store_open_days AS o (store_id, day, gen, computed_gen, hours_key, visitors, entries, exits,
            dwell_count, total_dwell_ms, peak, hours, busiest_start, busiest_visitors, hour_visitors)
          SELECT ${storeId}, v.day, 1, 1, k.key, v.visitors, v.entries, v.exits, v.dwell_count, v.total_dwell_ms,
            v.peak, v.hours, v.busiest_start, v.busiest_visitors, v.hour_visitors
          FROM vals v, k WHERE v.gen IS NULL AND k.current
          ON CONFLICT (store_id, day) DO NOTHING
          RETURNING 1
        ),
        updated AS (
          UPDATE store_open_days o SET computed_gen = v.gen, hours_key = k.key, visitors = v.visitors,
            entries = v.entries, exits = v.exits, dwell_count = v.dwell_count, total_dwell_ms = v.total_dwell_ms,
            peak = v.peak, hours = v.hours, busiest_start = v.busiest_start, busiest_visitors = v.busiest_visitors,
            hour_visitors = v.hour_visitors
          FROM vals v, k
          WHERE o.store_id = ${storeId} AND o.day = v.day AND v.gen IS NOT NULL AND o.gen = v.gen AND k.current
          RETURNING 1
        )
        SELECT (SELECT count(*) FROM added) + (SELECT count(*) FROM updated) AS n`,
    );
    return num(row?.n);
  }
}
