/**
 * A whole store's live figures over any range: whole store-local days from the day rows
 * (open-days.ts, computed first where missing or outdated), and the hours before the first and after
 * the last whole day from the hourly summaries. Those few end hours are checked against the opening
 * hours here, from their local time as PostgreSQL gives it (`isOpenDuringWall`, the same rules as the
 * SQL conditions): a per-store SQL condition over many stores is a large expression that PostgreSQL
 * plans and evaluates branch by branch (~80 ms planning, ~50 µs a row for 100 stores).
 */
import { isOpenDuringWall } from '@oskartrack/protocol';
import { type SQL, sql } from 'drizzle-orm';
import type { StoreHours } from '../../analytics/opening-hours.ts';
import { type Db, queryRows } from '../database.ts';
import type { Counts } from './analytics.ts';
import {
  firstDayWithData,
  HOUR_SUMS,
  hoursOfDay,
  LIVE_STORE_HOURS,
  OpenDaysRepository,
  STORE_HOURS_KEY,
} from './open-days.ts';
import { list, num, ts } from './sql-values.ts';
import { StoresRepository } from './stores.ts';

/** A named range [from, to). */
export interface OpenDaysPeriod {
  label: string;
  from: Date;
  to: Date;
}

/** A store's figures over one period. */
export interface OpenDaysTotals extends Counts {
  label: string;
  storeId: string;
  /** The most people inside at once: the cameras' hourly peaks added up, the highest hour. */
  peak: number;
  /** Hours with a summary row. */
  hours: number;
}

/** A store's figures of one store-local day (its start). */
export interface OpenDayFigures extends Counts {
  bucketStart: Date;
}

/** One open end hour of a period: the whole store's sums. */
interface EndHour extends Counts {
  label: string;
  storeId: string;
  start: Date;
  dayStart: Date;
  localHour: number;
  peak: number;
}

const HOUR_MS = 3_600_000;
/** A day row (alias o) of a period's store (alias ps) that can be trusted. */
const CURRENT = sql`o.computed_gen = o.gen AND o.hours_key = ps.key`;
/** The current day rows of a period's store (alias ps) among its ended whole days. */
const WHOLE_DAY_ROWS = sql`o.store_id = ps.store_id AND o.day >= ps.d_from AND o.day < ps.past_to AND ${CURRENT}`;
/** The day rows read: the ended whole days not read from the hours (CTE `from_hours`). */
const DAY_ROWS_READ = sql`o.store_id = ps.store_id AND o.day >= ps.d_from AND o.day < ps.past_to
  AND NOT EXISTS (SELECT 1 FROM from_hours f WHERE f.label = ps.label AND f.store_id = ps.store_id AND f.day = o.day)`;
const date = (v: unknown): Date => (v instanceof Date ? v : new Date(String(v)));
const counts = (r: Record<string, unknown>): Counts => ({
  visitors: num(r.visitors),
  entries: num(r.entries),
  exits: num(r.exits),
  dwellCount: num(r.dwell_count),
  totalDwellMs: num(r.total_dwell_ms),
});
function add(to: Counts, c: Counts): void {
  to.visitors += c.visitors;
  to.entries += c.entries;
  to.exits += c.exits;
  to.dwellCount += c.dwellCount;
  to.totalDwellMs += c.totalDwellMs;
}
const zero = (): Counts => ({ visitors: 0, entries: 0, exits: 0, dwellCount: 0, totalDwellMs: 0 });

export class OpenDayFiguresRepository {
  private readonly days: OpenDaysRepository;

  constructor(private readonly db: Db) {
    this.days = new OpenDaysRepository(db);
  }

  /** Per period and store; every store and period asked for gets a row. */
  async totals(storeIds: readonly string[], periods: readonly OpenDaysPeriod[]): Promise<OpenDaysTotals[]> {
    if (storeIds.length === 0 || periods.length === 0) return [];
    const { ctes, ends } = await this.parts(storeIds, periods);
    // Added up per period and store inside the lateral: one row each, no sort of every day row.
    const rows = await queryRows<Record<string, unknown>>(
      this.db,
      sql`WITH ${ctes}
        SELECT ps.label, ps.store_id, d.* FROM ps CROSS JOIN LATERAL (
          SELECT sum(o.visitors) AS visitors, sum(o.entries) AS entries, sum(o.exits) AS exits,
            sum(o.dwell_count) AS dwell_count, sum(o.total_dwell_ms) AS total_dwell_ms, max(o.peak) AS peak,
            sum(o.hours) AS hours
          FROM store_open_days o WHERE ${DAY_ROWS_READ}
        ) d`,
    );
    const out = new Map<string, OpenDaysTotals>();
    const key = (label: string, storeId: string) => `${label}\n${storeId}`;
    for (const p of periods) {
      for (const storeId of storeIds) {
        out.set(key(p.label, storeId), { label: p.label, storeId, ...zero(), peak: 0, hours: 0 });
      }
    }
    for (const r of rows) {
      const o = out.get(key(String(r.label), String(r.store_id)))!;
      add(o, counts(r));
      o.peak = Math.max(o.peak, num(r.peak));
      o.hours += num(r.hours);
    }
    for (const h of ends) {
      const o = out.get(key(h.label, h.storeId))!;
      add(o, h);
      o.peak = Math.max(o.peak, h.peak);
      o.hours += 1;
    }
    return [...out.values()];
  }

  /** A store's figures per store-local day over [from, to) (days with an open hour only). */
  async perDay(storeId: string, from: Date, to: Date): Promise<OpenDayFigures[]> {
    const { ctes, ends } = await this.parts([storeId], [{ label: 'range', from, to }]);
    const rows = await queryRows<Record<string, unknown>>(
      this.db,
      sql`WITH ${ctes} SELECT day_start, visitors, entries, exits, dwell_count, total_dwell_ms
        FROM whole_days WHERE hours > 0`,
    );
    const out = new Map<number, OpenDayFigures>();
    const of = (start: Date) => {
      const found = out.get(start.getTime());
      if (found) return found;
      const made = { bucketStart: start, ...zero() };
      out.set(start.getTime(), made);
      return made;
    };
    for (const r of rows) add(of(date(r.day_start)), counts(r));
    for (const h of ends) add(of(h.dayStart), h);
    return [...out.values()].sort((a, b) => a.bucketStart.getTime() - b.bucketStart.getTime());
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
    const { ctes, ends } = await this.parts([storeId], [{ label: 'range', from, to }]);
    const [best] = await queryRows<{ start: unknown; visitors: unknown }>(
      this.db,
      sql`WITH ${ctes} SELECT busiest_start AS start, busiest_visitors AS visitors FROM whole_days
        WHERE busiest_visitors > 0 ORDER BY busiest_visitors DESC, busiest_start LIMIT 1`,
    );
    const ofDay = await queryRows<{ hour: unknown; visitors: unknown }>(
      this.db,
      sql`WITH ${ctes} SELECT u.h::int - 1 AS hour, sum(u.v) AS visitors
        FROM whole_days CROSS JOIN LATERAL unnest(hour_visitors) WITH ORDINALITY AS u(v, h) GROUP BY 1`,
    );
    let hour = best ? { start: date(best.start), visitors: num(best.visitors) } : null;
    const byHour = new Array<number>(24).fill(0);
    for (const r of ofDay) byHour[num(r.hour)]! += num(r.visitors);
    for (const h of ends) {
      byHour[h.localHour]! += h.visitors;
      const better =
        !hour || h.visitors > hour.visitors || (h.visitors === hour.visitors && h.start < hour.start);
      if (h.visitors > 0 && better) hour = { start: h.start, visitors: h.visitors };
    }
    return {
      hour,
      hoursOfDay: byHour.flatMap((visitors, h) => (visitors > 0 ? [{ hour: h, visitors }] : [])),
    };
  }

  /**
   * After computing what is missing: the CTEs `ps` (each period and store with its whole days
   * [d_from, d_to), of which [d_from, past_to) have ended; materialized, so the day rows and hours are found through their
   * indexes, store by store) and `whole_days` (those days' rows, with `label` and `day_start`),
   * and the open end hours.
   */
  private async parts(
    storeIds: readonly string[],
    periods: readonly OpenDaysPeriod[],
  ): Promise<{ ctes: SQL; ends: EndHour[] }> {
    for (const p of periods) await this.days.refresh(storeIds, p.from, p.to);
    const values = sql.join(
      periods.map((p) => sql`(${p.label}::text, ${ts(p.from)}, ${ts(p.to)})`),
      sql`, `,
    );
    const base = sql`periods(label, p_from, p_to) AS (VALUES ${values}),
      ps AS MATERIALIZED (
        SELECT p.label, s.id AS store_id, s.timezone AS tz, ${STORE_HOURS_KEY} AS key, p.p_from, p.p_to,
          b.d_from, b.d_to, least(b.d_to, greatest(b.d_from, (now() AT TIME ZONE s.timezone)::date)) AS past_to
        FROM periods p CROSS JOIN stores s
        CROSS JOIN LATERAL (SELECT (p.p_to AT TIME ZONE s.timezone)::date AS d_to) e
        CROSS JOIN LATERAL (SELECT e.d_to,
          ${firstDayWithData(sql`p.p_from`, sql`s.id`, sql`s.timezone`, sql`e.d_to`)} AS d_from) b
        WHERE s.id IN (${list(storeIds)})
      )`;
    const { ends, readFromHours } = await this.endHours(base, storeIds);
    // The day rows of every ended whole day the hours above did not cover: decided by that query, so
    // a row that changes in between is neither lost nor counted twice.
    const ctes = sql`${base},
      from_hours(label, store_id, day) AS (
        SELECT * FROM jsonb_to_recordset(${JSON.stringify(readFromHours)}::jsonb) AS f(label text, store_id text, day date)
      ),
      whole_days AS (
        SELECT ps.label, (o.day::timestamp AT TIME ZONE ps.tz) AS day_start, o.*
        FROM ps CROSS JOIN LATERAL (
          SELECT * FROM store_open_days o WHERE ${DAY_ROWS_READ} OFFSET 0
        ) o
      )`;
    return { ctes, ends };
  }

  /**
   * The hours of each period outside its current whole days, the whole store's sums, open ones only:
   * before the first and after the last whole day (by store-local date), and the whole days without a
   * current row (today, or changed since they were computed).
   */
  private async endHours(
    ctes: SQL,
    storeIds: readonly string[],
  ): Promise<{ ends: EndHour[]; readFromHours: { label: string; store_id: string; day: string }[] }> {
    const rows = await queryRows<Record<string, unknown>>(
      this.db,
      sql`WITH ${ctes},
        counted AS (
          SELECT ps.label, ps.store_id, (
            SELECT count(*) FROM store_open_days o WHERE ${WHOLE_DAY_ROWS}
          ) AS n
          FROM ps
        ),
        missing AS (
          -- Today (and later): never computed.
          SELECT ps.label, ps.store_id, ps.tz, d.day::date AS day
          FROM ps CROSS JOIN LATERAL generate_series(ps.past_to::timestamp, (ps.d_to - 1)::timestamp, interval '1 day') AS d(day)
          UNION ALL
          -- Ended days without a current row (rare: held by an ingest, hours changed meanwhile).
          SELECT ps.label, ps.store_id, ps.tz, d.day::date
          FROM ps LEFT JOIN counted c ON c.label = ps.label AND c.store_id = ps.store_id
          CROSS JOIN LATERAL generate_series(ps.d_from::timestamp, (ps.past_to - 1)::timestamp, interval '1 day') AS d(day)
          WHERE coalesce(c.n, 0) < ps.past_to - ps.d_from
            AND NOT EXISTS (
              SELECT 1 FROM store_open_days o WHERE o.store_id = ps.store_id AND o.day = d.day::date AND ${CURRENT}
            )
        ),
        hours AS (
          SELECT ps.label, ps.tz, a.* FROM ps
          CROSS JOIN LATERAL (VALUES
            (ps.p_from, CASE WHEN ps.d_from < ps.d_to THEN least(ps.p_to, ps.p_from + interval '50 hours') ELSE ps.p_to END,
              '-infinity'::date, CASE WHEN ps.d_from < ps.d_to THEN ps.d_from ELSE 'infinity'::date END),
            (CASE WHEN ps.d_from < ps.d_to THEN greatest(ps.p_from, ps.p_to - interval '50 hours') ELSE ps.p_to END, ps.p_to,
              ps.d_to, 'infinity'::date)
          ) AS r(lo, hi, day_lo, day_hi)
          CROSS JOIN LATERAL (
            SELECT * FROM analytics_summaries a
            WHERE a.store_id = ps.store_id AND a.bucket_start >= r.lo AND a.bucket_start < r.hi AND ${LIVE_STORE_HOURS}
              AND (a.bucket_start AT TIME ZONE ps.tz)::date >= r.day_lo AND (a.bucket_start AT TIME ZONE ps.tz)::date < r.day_hi
            OFFSET 0
          ) a
          UNION ALL
          SELECT m.label, m.tz, a.* FROM missing m CROSS JOIN LATERAL (${hoursOfDay(sql`m.store_id`, sql`m.day`, sql`m.tz`)}) a
        )
        SELECT a.label, a.store_id, a.bucket_start, (date_trunc('day', a.bucket_start AT TIME ZONE a.tz) AT TIME ZONE a.tz) AS day_start,
          to_char(a.bucket_start AT TIME ZONE a.tz, 'YYYY-MM-DD"T"HH24:MI') AS local_start, ${HOUR_SUMS}, NULL::text AS missing_day
        FROM hours a
        GROUP BY 1, 2, 3, 4, 5
        UNION ALL
        SELECT label, store_id, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, day::text FROM missing`,
    );
    const readFromHours = rows
      .filter((r) => r.missing_day !== null)
      .map((r) => ({ label: String(r.label), store_id: String(r.store_id), day: String(r.missing_day) }));
    const hourRows = rows.filter((r) => r.missing_day === null);
    if (hourRows.length === 0) return { ends: [], readFromHours };
    const hours = await new StoresRepository(this.db).hoursOf(storeIds);
    const ends = hourRows.flatMap((r) => {
      const storeId = String(r.store_id);
      const start = date(r.bucket_start);
      const local = String(r.local_start);
      const h: StoreHours | undefined = hours.get(storeId);
      if (!h || !isOpenDuringWall(h.openingHours, local, HOUR_MS)) return [];
      return [
        {
          label: String(r.label),
          storeId,
          start,
          dayStart: date(r.day_start),
          localHour: Number(local.slice(11, 13)),
          peak: num(r.peak),
          ...counts(r),
        },
      ];
    });
    return { ends, readFromHours };
  }
}
