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
 * stays outdated rather than wrong. `totals` then reads whole days from the rows and the hours at
 * either end of a range from the hourly summaries.
 */
import { type SQL, sql } from 'drizzle-orm';
import { openSql, openSqlByStore, type StoreHours } from '../../analytics/opening-hours.ts';
import { type Db, queryRows } from '../database.ts';
import { StoresRepository } from './stores.ts';

/** A named range [from, to). */
export interface OpenDaysPeriod {
  label: string;
  from: Date;
  to: Date;
}

/** A store's figures over one period (open hours of live cameras). */
export interface OpenDaysTotals {
  label: string;
  storeId: string;
  visitors: number;
  entries: number;
  exits: number;
  dwellCount: number;
  totalDwellMs: number;
  /** The most people inside at once: the cameras' hourly peaks added up, the highest hour. */
  peak: number;
  /** Hours with a summary row. */
  hours: number;
}

const ts = (d: Date): SQL => sql`${d.toISOString()}::timestamptz`;
const num = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));
const ids = (values: readonly string[]): SQL =>
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
function firstWholeDay(at: SQL, tz: SQL): SQL {
  return sql`(CASE WHEN (${at} AT TIME ZONE ${tz})::time = '00:00' THEN (${at} AT TIME ZONE ${tz})::date
    ELSE (${at} AT TIME ZONE ${tz})::date + 1 END)`;
}

/** The hourly rows the day rows add up (alias a). */
const LIVE_STORE_HOURS = sql`a.period = 'hour' AND a.zone_id IS NULL AND a.upload_id IS NULL`;
const HOUR_SUMS = sql`sum(a.visitors) AS visitors, sum(a.entries) AS entries, sum(a.exits) AS exits,
  sum(a.dwell_count) AS dwell_count, sum(a.total_dwell_ms) AS total_dwell_ms, sum(a.peak_occupancy) AS peak`;
const ADD_UP = sql`sum(visitors) AS visitors, sum(entries) AS entries, sum(exits) AS exits,
  sum(dwell_count) AS dwell_count, sum(total_dwell_ms) AS total_dwell_ms, max(peak) AS peak`;

export class OpenDaysRepository {
  constructor(private readonly db: Db) {}

  /** Computes the whole days in [from, to) of these stores that are missing or outdated; returns how many. */
  async refresh(storeIds: readonly string[], from: Date, to: Date): Promise<number> {
    if (storeIds.length === 0 || from >= to) return 0;
    const stale = await queryRows<{ store_id: string; day: string; gen: unknown }>(
      this.db,
      sql`SELECT s.id AS store_id, d.day::date::text AS day, o.gen
        FROM stores s
        CROSS JOIN LATERAL generate_series(${firstWholeDay(ts(from), sql`s.timezone`)}::timestamp,
          ((${ts(to)} AT TIME ZONE s.timezone)::date - 1)::timestamp, interval '1 day') AS d(day)
        LEFT JOIN store_open_days o ON o.store_id = s.id AND o.day = d.day::date
        WHERE s.id IN (${ids(storeIds)})
          AND (o.store_id IS NULL OR o.computed_gen IS DISTINCT FROM o.gen OR o.hours_key IS DISTINCT FROM ${STORE_HOURS_KEY})`,
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

  /** Computes one store's days from its hourly rows and writes those still at the `gen` read. */
  private async compute(storeId: string, h: StoreHours, days: { day: string; gen: number | null }[]) {
    const sorted = days.map((d) => d.day).sort();
    const start = (day: string) => sql`(${day}::date::timestamp AT TIME ZONE ${h.timezone}::text)`;
    const last = sql`(${sorted.at(-1)!}::date + 1)`;
    const [row] = await queryRows<{ n: unknown }>(
      this.db,
      sql`WITH want AS (SELECT * FROM jsonb_to_recordset(${JSON.stringify(days)}::jsonb) AS w(day date, gen bigint)),
        daily AS (
          SELECT day, ${ADD_UP}, count(*)::int AS hours FROM (
            SELECT (a.bucket_start AT TIME ZONE ${h.timezone}::text)::date AS day, a.bucket_start, ${HOUR_SUMS}
            FROM analytics_summaries a
            WHERE ${LIVE_STORE_HOURS} AND a.store_id = ${storeId}
              AND a.bucket_start >= ${start(sorted[0]!)}
              AND a.bucket_start < (${last}::timestamp AT TIME ZONE ${h.timezone}::text)
              AND ${openSql(h, sql`a.bucket_start`, 'hour')}
            GROUP BY 1, 2
          ) per_hour
          GROUP BY day
        ),
        vals AS (
          SELECT w.day, w.gen, coalesce(d.visitors, 0) AS visitors, coalesce(d.entries, 0) AS entries,
            coalesce(d.exits, 0) AS exits, coalesce(d.dwell_count, 0) AS dwell_count,
            coalesce(d.total_dwell_ms, 0) AS total_dwell_ms, coalesce(d.peak, 0) AS peak, coalesce(d.hours, 0) AS hours
          FROM want w LEFT JOIN daily d ON d.day = w.day
        ),
        k AS (
          SELECT ${hoursKey(h)} AS key,
            EXISTS (SELECT 1 FROM stores s WHERE s.id = ${storeId} AND ${STORE_HOURS_KEY} = ${hoursKey(h)}) AS current
        ),
        added AS (
          INSERT INTO store_open_days AS o (store_id, day, gen, computed_gen, hours_key, visitors, entries, exits,
            dwell_count, total_dwell_ms, peak, hours)
          SELECT ${storeId}, v.day, 1, 1, k.key, v.visitors, v.entries, v.exits, v.dwell_count, v.total_dwell_ms,
            v.peak, v.hours
          FROM vals v, k WHERE v.gen IS NULL AND k.current
          ON CONFLICT (store_id, day) DO NOTHING
          RETURNING 1
        ),
        updated AS (
          UPDATE store_open_days o SET computed_gen = v.gen, hours_key = k.key, visitors = v.visitors,
            entries = v.entries, exits = v.exits, dwell_count = v.dwell_count, total_dwell_ms = v.total_dwell_ms,
            peak = v.peak, hours = v.hours
          FROM vals v, k
          WHERE o.store_id = ${storeId} AND o.day = v.day AND v.gen IS NOT NULL AND o.gen = v.gen AND k.current
          RETURNING 1
        )
        SELECT (SELECT count(*) FROM added) + (SELECT count(*) FROM updated) AS n`,
    );
    return num(row?.n);
  }

  /**
   * Per period and store: whole store-local days from the day rows (call `refresh` first), the hours
   * before the first and after the last whole day from the hourly rows. Every store and period asked
   * for gets a row.
   */
  async totals(storeIds: readonly string[], periods: readonly OpenDaysPeriod[]): Promise<OpenDaysTotals[]> {
    if (storeIds.length === 0 || periods.length === 0) return [];
    const hours = await new StoresRepository(this.db).hoursOf(storeIds);
    const open = openSqlByStore(hours, sql`a.store_id`, sql`a.bucket_start`, 'hour');
    const values = sql.join(
      periods.map((p) => sql`(${p.label}::text, ${ts(p.from)}, ${ts(p.to)})`),
      sql`, `,
    );
    const rows = await queryRows<Record<string, unknown>>(
      this.db,
      sql`WITH periods(label, p_from, p_to) AS (VALUES ${values}),
        ps AS (
          SELECT p.label, s.id AS store_id, p.p_from, p.p_to, b.d_from, b.d_to,
            CASE WHEN b.d_from < b.d_to THEN (b.d_from::timestamp AT TIME ZONE s.timezone) ELSE p.p_to END AS head_to,
            CASE WHEN b.d_from < b.d_to THEN (b.d_to::timestamp AT TIME ZONE s.timezone) ELSE p.p_to END AS tail_from
          FROM periods p CROSS JOIN stores s
          CROSS JOIN LATERAL (SELECT ${firstWholeDay(sql`p.p_from`, sql`s.timezone`)} AS d_from,
            (p.p_to AT TIME ZONE s.timezone)::date AS d_to) b
          WHERE s.id IN (${ids(storeIds)})
        ),
        days AS (
          SELECT ps.label, ps.store_id, sum(o.visitors) AS visitors, sum(o.entries) AS entries, sum(o.exits) AS exits,
            sum(o.dwell_count) AS dwell_count, sum(o.total_dwell_ms) AS total_dwell_ms, max(o.peak) AS peak,
            sum(o.hours) AS hours
          FROM ps JOIN store_open_days o ON o.store_id = ps.store_id AND o.day >= ps.d_from AND o.day < ps.d_to
          GROUP BY 1, 2
        ),
        ends AS (
          SELECT label, store_id, ${ADD_UP}, count(*) AS hours FROM (
            SELECT ps.label, a.store_id, a.bucket_start, ${HOUR_SUMS}
            FROM ps CROSS JOIN LATERAL (VALUES (ps.p_from, ps.head_to), (ps.tail_from, ps.p_to)) AS r(lo, hi)
            JOIN analytics_summaries a ON a.store_id = ps.store_id AND a.bucket_start >= r.lo AND a.bucket_start < r.hi
            WHERE ${LIVE_STORE_HOURS} AND ${open}
            GROUP BY 1, 2, 3
          ) per_hour
          GROUP BY 1, 2
        )
        SELECT label, store_id, ${ADD_UP}, sum(hours) AS hours
        FROM (SELECT * FROM days UNION ALL SELECT * FROM ends) AS both_parts
        GROUP BY 1, 2`,
    );
    const found = new Map(rows.map((r) => [`${String(r.label)}\n${String(r.store_id)}`, r]));
    return periods.flatMap((p) =>
      storeIds.map((storeId) => {
        const r = found.get(`${p.label}\n${storeId}`);
        return {
          label: p.label,
          storeId,
          visitors: num(r?.visitors),
          entries: num(r?.entries),
          exits: num(r?.exits),
          dwellCount: num(r?.dwell_count),
          totalDwellMs: num(r?.total_dwell_ms),
          peak: num(r?.peak),
          hours: num(r?.hours),
        };
      }),
    );
  }
}
