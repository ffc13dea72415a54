/**
 * A store's opening hours as SQL predicates on a timestamp column, so every figure counts open time
 * only: the same rules as the pure `isOpenAt` / `isOpenDuring` in protocol/src/opening-hours-clock.ts.
 * All comparisons are on the store's local wall clock (`AT TIME ZONE`), so a DST change moves the
 * opening with the clocks. No opening hours (null) means open around the clock.
 *
 * Rules: an event or visit counts when it happens in [open, close) on an open weekday that is not a
 * closed date. An hour bucket [start, start + 1 h) counts when the store is open during any part of it.
 */
import type { OpeningHours, OpeningPeriod } from '@oskartrack/protocol';
import { type SQL, sql } from 'drizzle-orm';

export interface StoreHours {
  timezone: string;
  openingHours: OpeningHours | null;
}

/** What a timestamp column holds: an instant (event, visit start) or the start of an hour bucket. */
export type Span = 'instant' | 'hour';

/** A wall-clock span [ls, le), or an instant when `le` is null. */
interface WallSpan {
  ls: SQL;
  le: SQL | null;
}

/** Periods of one weekday as an SQL condition on a wall-clock span and a local date `d`. */
function periodsSql(periods: OpeningPeriod[], d: SQL, w: WallSpan): SQL {
  return sql.join(
    periods.map((p) =>
      w.le === null
        ? sql`(${w.ls} >= ${d} + ${p.open}::time AND ${w.ls} < ${d} + ${p.close}::time)`
        : sql`(${w.ls} < ${d} + ${p.close}::time AND ${w.le} > ${d} + ${p.open}::time)`,
    ),
    sql` OR `,
  );
}

/** The opening on local date `d` overlaps the span: weekday periods, unless `d` is a closed date. */
function dateSql(hours: OpeningHours, d: SQL, w: WallSpan): SQL {
  const cases = [0, 1, 2, 3, 4, 5, 6]
    .map((day) => ({ day, periods: hours.week.filter((p) => p.day === day) }))
    .filter((c) => c.periods.length > 0)
    .map((c) => sql`WHEN ${c.day}::int THEN (${periodsSql(c.periods, d, w)})`);
  if (cases.length === 0) return sql`FALSE`;
  const closed =
    hours.closedDates.length === 0
      ? sql``
      : sql`${d} NOT IN (${sql.join(
          hours.closedDates.map((c) => sql`${c}::date`),
          sql`, `,
        )}) AND `;
  return sql`(${closed}(CASE extract(dow FROM ${d})::int ${sql.join(cases, sql` `)} ELSE FALSE END))`;
}

/**
 * An SQL condition, true where the timestamp `column` is in the store's opening hours (an instant in
 * [open, close)), or where the hour bucket starting at `column` overlaps them.
 */
export function openSql(store: StoreHours, column: SQL, span: Span): SQL {
  const hours = store.openingHours;
  if (!hours) return sql`TRUE`;
  const tz = store.timezone;
  const ls = sql`(${column} AT TIME ZONE ${tz})`;
  const first = sql`(${ls})::date`;
  if (span === 'instant') return dateSql(hours, first, { ls, le: null });
  // The local start plus one hour: the repeated hour in autumn is 01:00-02:00 both times, not empty.
  const le = sql`((${column} AT TIME ZONE ${tz}) + interval '1 hour')`;
  // A bucket may cross local midnight (zones with half-hour offsets): both dates' openings count.
  const last = sql`((${le}) - interval '1 microsecond')::date`;
  return sql`(${dateSql(hours, first, { ls, le })} OR ${dateSql(hours, last, { ls, le })})`;
}

/** The same for rows of several stores: each row checked against its own store's hours. */
export function openSqlByStore(
  stores: ReadonlyMap<string, StoreHours>,
  storeColumn: SQL,
  column: SQL,
  span: Span,
): SQL {
  const limited = [...stores].filter(([, s]) => s.openingHours !== null);
  if (limited.length === 0) return sql`TRUE`;
  const cases = limited.map(([id, s]) => sql`WHEN ${id} THEN ${openSql(s, column, span)}`);
  return sql`(CASE ${storeColumn} ${sql.join(cases, sql` `)} ELSE TRUE END)`;
}
