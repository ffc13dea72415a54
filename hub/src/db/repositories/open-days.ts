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

/** A store's figures of one store-local day (its start). */
export interface OpenDayFigures {
  bucketStart: Date;
  visitors: number;
  entries: number;
  exits: number;
  dwellCount: number;
  totalDwellMs: number;
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
/** Visitors per store-local hour of the day (0-23) of `per_hour` rows, as an array. */
const HOUR_OF_DAY_SUMS = sql.raw(
  `ARRAY[${Array.from({ length: 24 }, (_, h) => `coalesce(sum(visitors) FILTER (WHERE local_hour = ${h}), 0)`).join(', ')}]::bigint[]`,
);
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

  /**
   * Per period and store: whole store-local days from the day rows (call `refresh` first), the hours
   * before the first and after the last whole day from the hourly rows. Every store and period asked
   * for gets a row.
   */
  async totals(storeIds: readonly string[], periods: readonly OpenDaysPeriod[]): Promise<OpenDaysTotals[]> {
    if (storeIds.length === 0 || periods.length === 0) return [];
    const rows = await queryRows<Record<string, unknown>>(
      this.db,
      sql`WITH ${await this.parts(storeIds, periods)},
        days AS (
          SELECT label, store_id, sum(visitors) AS visitors, sum(entries) AS entries, sum(exits) AS exits,
            sum(dwell_count) AS dwell_count, sum(total_dwell_ms) AS total_dwell_ms, max(peak) AS peak, sum(hours) AS hours
          FROM whole_days GROUP BY 1, 2
        ),
        ends AS (
          SELECT label, store_id, ${ADD_UP}, count(*) AS hours FROM end_hours GROUP BY 1, 2
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

  /** A store's figures per store-local day over [from, to) (days with an open hour counted only). */
  async perDay(storeId: string, from: Date, to: Date): Promise<OpenDayFigures[]> {
    const rows = await queryRows<Record<string, unknown>>(
      this.db,
      sql`WITH ${await this.parts([storeId], [{ label: 'range', from, to }])}
        SELECT bucket, sum(visitors) AS visitors, sum(entries) AS entries, sum(exits) AS exits,
          sum(dwell_count) AS dwell_count, sum(total_dwell_ms) AS total_dwell_ms
        FROM (
          SELECT day_start AS bucket, visitors, entries, exits, dwell_count, total_dwell_ms FROM whole_days WHERE hours > 0
          UNION ALL
          SELECT (date_trunc('day', bucket_start AT TIME ZONE tz) AT TIME ZONE tz), visitors, entries, exits,
            dwell_count, total_dwell_ms
          FROM end_hours
        ) AS both_parts
        GROUP BY 1 ORDER BY 1`,
    );
    return rows.map((r) => ({
      bucketStart: r.bucket instanceof Date ? r.bucket : new Date(String(r.bucket)),
      visitors: num(r.visitors),
      entries: num(r.entries),
      exits: num(r.exits),
      dwellCount: num(r.dwell_count),
      totalDwellMs: num(r.total_dwell_ms),
    }));
  }

  /**
   * A store's busiest open hour over [from, to) (the earliest of equals; null: nobody came), and its
   * visitors per store-local hour of the day (hours without visitors left out).
   */
  async busiest(
    storeId: string,
    from: Date,
    to: Date,
  ): Promise<{
    hour: { start: Date; visitors: number } | null;
    hoursOfDay: { hour: number; visitors: number }[];
  }> {
    const parts = await this.parts([storeId], [{ label: 'range', from, to }]);
    const [best] = await queryRows<{ start: unknown; visitors: unknown }>(
      this.db,
      sql`WITH ${parts}
        SELECT start, visitors FROM (
          SELECT busiest_start AS start, busiest_visitors AS visitors FROM whole_days WHERE busiest_visitors > 0
          UNION ALL SELECT bucket_start, visitors FROM end_hours WHERE visitors > 0
        ) AS hours ORDER BY visitors DESC, start LIMIT 1`,
    );
    const ofDay = await queryRows<{ hour: unknown; visitors: unknown }>(
      this.db,
      sql`WITH ${parts}
        SELECT hour, sum(visitors) AS visitors FROM (
          SELECT u.h::int - 1 AS hour, u.v AS visitors
          FROM whole_days CROSS JOIN LATERAL unnest(hour_visitors) WITH ORDINALITY AS u(v, h)
          UNION ALL SELECT extract(hour FROM bucket_start AT TIME ZONE tz)::int, visitors FROM end_hours
        ) AS hours GROUP BY 1 HAVING sum(visitors) > 0 ORDER BY 1`,
    );
    return {
      hour: best ? { start: new Date(String(best.start)), visitors: num(best.visitors) } : null,
      hoursOfDay: ofDay.map((r) => ({ hour: num(r.hour), visitors: num(r.visitors) })),
    };
  }

  /**
   * The CTEs every reader starts from, after computing what is missing: `ps` (each period and store
   * with its whole days [d_from, d_to) and ragged ends), `whole_days` (the day rows of those days, with
   * `label` and `day_start`) and `end_hours` (per label, store and hour: the live whole-store sums of
   * the open hours outside the whole days, with the store's `tz`).
   */
  private async parts(storeIds: readonly string[], periods: readonly OpenDaysPeriod[]): Promise<SQL> {
    for (const p of periods) await this.refresh(storeIds, p.from, p.to);
    const hours = await new StoresRepository(this.db).hoursOf(storeIds);
    const open = openSqlByStore(hours, sql`a.store_id`, sql`a.bucket_start`, 'hour');
    const values = sql.join(
      periods.map((p) => sql`(${p.label}::text, ${ts(p.from)}, ${ts(p.to)})`),
      sql`, `,
    );
    return sql`periods(label, p_from, p_to) AS (VALUES ${values}),
      ps AS (
        SELECT p.label, s.id AS store_id, s.timezone AS tz, p.p_from, p.p_to, b.d_from, b.d_to,
          CASE WHEN b.d_from < b.d_to THEN (b.d_from::timestamp AT TIME ZONE s.timezone) ELSE p.p_to END AS head_to,
          CASE WHEN b.d_from < b.d_to THEN (b.d_to::timestamp AT TIME ZONE s.timezone) ELSE p.p_to END AS tail_from
        FROM periods p CROSS JOIN stores s
        CROSS JOIN LATERAL (SELECT ${firstWholeDay(sql`p.p_from`, sql`s.timezone`)} AS d_from,
          (p.p_to AT TIME ZONE s.timezone)::date AS d_to) b
        WHERE s.id IN (${ids(storeIds)})
      ),
      whole_days AS (
        SELECT ps.label, (o.day::timestamp AT TIME ZONE ps.tz) AS day_start, o.*
        FROM ps JOIN store_open_days o ON o.store_id = ps.store_id AND o.day >= ps.d_from AND o.day < ps.d_to
      ),
      end_hours AS (
        SELECT ps.label, a.store_id, ps.tz, a.bucket_start, ${HOUR_SUMS}
        FROM ps CROSS JOIN LATERAL (VALUES (ps.p_from, ps.head_to), (ps.tail_from, ps.p_to)) AS r(lo, hi)
        JOIN analytics_summaries a ON a.store_id = ps.store_id AND a.bucket_start >= r.lo AND a.bucket_start < r.hi
        WHERE ${LIVE_STORE_HOURS} AND ${open}
        GROUP BY 1, 2, 3, 4
      )`;
  }
}
