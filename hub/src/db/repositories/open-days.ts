/**
 * Store figures over long ranges from one row per store-local day (`store_open_days`) instead of every
 * hourly row: the live cameras' whole-camera hourly summaries of the store's open hours, added up per
 * day. Deciding opening hours row by row cost ~25 µs an hourly row (a year of 100 stores: 11 s);
 * a day row is decided once, when it is computed.
 *
 * A day row is current while `computed_gen = gen` (the summaries' upsert moves `gen` of the days it
 * changed, a trigger of migration 0012 those whose hours were deleted: a rebuild, a camera removed)
 * and its `hours_key` is the one of the store's time zone and opening hours now. `refresh` computes the days of a range that are missing or
 * not current; writing back only where `gen` is still the one read, so a day that changed meanwhile
 * stays outdated rather than wrong. The readers (open-day-figures.ts) take whole days from the rows
 * and the hours at either end of a range from the hourly summaries.
 */
import { type SQL, sql } from 'drizzle-orm';
import { openSql, type StoreHours } from '../../analytics/opening-hours.ts';
import { type Db, queryRows } from '../database.ts';
import { list, num, ts } from './sql-values.ts';
import { StoresRepository } from './stores.ts';

/** The key of a store's time zone and opening hours, from its row (alias s): both readers and writers use it. */
export const STORE_HOURS_KEY = sql`md5(s.timezone || '|' || coalesce(nullif(s.opening_hours, 'null'::jsonb)::text, ''))`;
/** Whether the store's row (alias s) still has the hours read earlier (jsonb compares by value). */
function sameHours(h: StoreHours): SQL {
  const json = h.openingHours === null ? null : JSON.stringify(h.openingHours);
  return sql`(s.timezone = ${h.timezone}::text AND nullif(s.opening_hours, 'null'::jsonb) IS NOT DISTINCT FROM ${json}::jsonb)`;
}

/**
 * The first store-local date all of whose hours come at or after `at`: `at`'s own date when `at` is
 * where that date begins (the instant before is on an earlier date; a clock falling back at midnight
 * shows 00:00 twice), else the next. Local dates never go backwards, so every later date qualifies.
 */
function firstWholeDay(at: SQL, tz: SQL): SQL {
  return sql`(CASE WHEN ((${at} - interval '1 microsecond') AT TIME ZONE ${tz})::date < (${at} AT TIME ZONE ${tz})::date
    THEN (${at} AT TIME ZONE ${tz})::date ELSE (${at} AT TIME ZONE ${tz})::date + 1 END)`;
}

/**
 * The first day a store's day rows start from for a range beginning at `at`: its first whole day, but
 * never before the store-local date of the store's first hourly row (none: `otherwise`). Days without
 * any data need no rows, and a range from the year 1 would otherwise make millions of them.
 */
export function firstDayWithData(at: SQL, storeId: SQL, tz: SQL, otherwise: SQL): SQL {
  return sql`greatest(${firstWholeDay(at, tz)}, coalesce((SELECT (min(a.bucket_start) AT TIME ZONE ${tz})::date
    FROM analytics_summaries a WHERE a.store_id = ${storeId} AND a.period = 'hour'), ${otherwise}))`;
}

/**
 * The live whole-camera hourly rows (alias a) of store `storeId` whose store-local date is `day`,
 * found through the index: local dates are bounded by instants only loosely (DST), then exactly.
 */
export function hoursOfDay(storeId: SQL, day: SQL, tz: SQL): SQL {
  return sql`SELECT * FROM analytics_summaries a
    WHERE a.store_id = ${storeId} AND ${LIVE_STORE_HOURS}
      AND a.bucket_start >= (${day}::timestamp AT TIME ZONE ${tz}) - interval '3 hours'
      AND a.bucket_start < ((${day} + 1)::timestamp AT TIME ZONE ${tz}) + interval '3 hours'
      AND (a.bucket_start AT TIME ZONE ${tz})::date = ${day}
    OFFSET 0`;
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
    SELECT s.id, s.timezone, ${STORE_HOURS_KEY} AS key FROM stores s WHERE s.id IN (${list(storeIds)})
  )`;
}

export class OpenDaysRepository {
  constructor(private readonly db: Db) {}

  /** Computes the whole days in [from, to) of these stores that are missing or outdated; returns how many. */
  async refresh(storeIds: readonly string[], from: Date, to: Date): Promise<number> {
    if (storeIds.length === 0 || from >= to) return 0;
    // Days end before `to` and before the store's today: today changes with every batch, so it is
    // read from the hourly rows, and a dashboard's reads never wait for a box's ingest on its row.
    const lastDay = (tz: SQL) =>
      sql`least((${ts(to)} AT TIME ZONE ${tz})::date, (now() AT TIME ZONE ${tz})::date)`;
    const lacking = await this.storesLackingDays(storeIds, from, lastDay);
    if (lacking.length === 0) return 0;
    const stale = await queryRows<{ store_id: string; day: string; gen: unknown }>(
      this.db,
      sql`WITH ${storeKeys(lacking)}
        SELECT k.id AS store_id, d.day::date::text AS day, o.gen
        FROM k
        CROSS JOIN LATERAL generate_series(${firstDayWithData(ts(from), sql`k.id`, sql`k.timezone`, lastDay(sql`k.timezone`))}::timestamp,
          (${lastDay(sql`k.timezone`)} - 1)::timestamp, interval '1 day') AS d(day)
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
  private async storesLackingDays(
    storeIds: readonly string[],
    from: Date,
    lastDay: (tz: SQL) => SQL,
  ): Promise<string[]> {
    const rows = await queryRows<{ id: string }>(
      this.db,
      sql`WITH ${storeKeys(storeIds)},
        r AS (
          SELECT k.id, k.key, ${firstDayWithData(ts(from), sql`k.id`, sql`k.timezone`, lastDay(sql`k.timezone`))} AS first,
            ${lastDay(sql`k.timezone`)} AS stop
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
    const tz = sql`${h.timezone}::text`;
    const [row] = await queryRows<{ n: unknown }>(
      this.db,
      sql`WITH want AS (SELECT * FROM jsonb_to_recordset(${JSON.stringify(days)}::jsonb) AS w(day date, gen bigint)),
        daily AS (
          SELECT day, ${ADD_UP}, count(*)::int AS hours,
            (array_agg(bucket_start ORDER BY visitors DESC, bucket_start) FILTER (WHERE visitors > 0))[1] AS busiest_start,
            coalesce(max(visitors), 0) AS busiest_visitors, ${HOUR_OF_DAY_SUMS} AS hour_visitors
          FROM (
            SELECT w.day, a.bucket_start, extract(hour FROM a.bucket_start AT TIME ZONE ${tz})::int AS local_hour, ${HOUR_SUMS}
            FROM want w CROSS JOIN LATERAL (${hoursOfDay(sql`${storeId}`, sql`w.day`, tz)}) a
            WHERE ${openSql(h, sql`a.bucket_start`, 'hour')}
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
        k AS (SELECT ${STORE_HOURS_KEY} AS key, ${sameHours(h)} AS current FROM stores s WHERE s.id = ${storeId}),
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
            -- A day an ingest transaction is changing stays as it is (read from the hours): never wait for it.
            AND o.day IN (
              SELECT l.day FROM store_open_days l WHERE l.store_id = ${storeId} AND l.day IN (SELECT day FROM want)
              FOR UPDATE SKIP LOCKED
            )
          RETURNING 1
        )
        SELECT (SELECT count(*) FROM added) + (SELECT count(*) FROM updated) AS n`,
    );
    return num(row?.n);
  }
}
