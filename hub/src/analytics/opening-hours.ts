/**
 * A store's opening hours as filters: a pure `isOpenAt` for one instant, `isOpenDuring` for a span (an
 * hour bucket), and the same rules as SQL predicates on a timestamp column, so every figure counts
 * open time only. All comparisons are on the store's local wall clock (`AT TIME ZONE`), so a DST change
 * moves the opening with the clocks. No opening hours (null) means open around the clock.
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

const HOUR = 3_600_000;
const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const formats = new Map<string, Intl.DateTimeFormat>();

function format(timezone: string): Intl.DateTimeFormat {
  let f = formats.get(timezone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: timezone,
      hourCycle: 'h23',
      weekday: 'short',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
    });
    formats.set(timezone, f);
  }
  return f;
}

/** Local wall clock of an instant: `YYYY-MM-DD`, weekday 0-6 and `HH:MM`. */
function wall(at: Date, timezone: string): { date: string; day: number; time: string } {
  const parts = format(timezone).formatToParts(at);
  const get = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? '';
  return {
    date: `${get('year')}-${get('month')}-${get('day')}`,
    day: WEEKDAYS.indexOf(get('weekday')),
    time: `${get('hour')}:${get('minute')}`,
  };
}

/** The store-local date (`YYYY-MM-DD`) of an instant. */
export function localDate(at: Date, timezone: string): string {
  return wall(at, timezone).date;
}

/** The day (0 Sunday) of a `YYYY-MM-DD` date. */
function weekdayOf(date: string): number {
  return new Date(`${date}T00:00:00Z`).getUTCDay();
}

function periodsOn(hours: OpeningHours, date: string): OpeningPeriod[] {
  if (hours.closedDates.includes(date)) return [];
  const day = weekdayOf(date);
  return hours.week.filter((p) => p.day === day);
}

/** Whether the store is open at this instant (null hours: always). */
export function isOpenAt(hours: OpeningHours | null, timezone: string, at: Date): boolean {
  if (!hours) return true;
  const w = wall(at, timezone);
  return periodsOn(hours, w.date).some((p) => w.time >= p.open && w.time < p.close);
}

/** A wall-clock `YYYY-MM-DDTHH:MM` moved by `ms` as a clock would be, ignoring time zones. */
function wallPlus(date: string, time: string, ms: number): string {
  return new Date(Date.parse(`${date}T${time}:00Z`) + ms).toISOString().slice(0, 16);
}

/**
 * Whether the store is open during any part of [start, end), on the local wall clock from the start's
 * local time for as long as the span lasts (as the SQL predicate does: the hour that repeats when the
 * clocks go back is 01:00-02:00 both times). `YYYY-MM-DDTHH:MM` strings sort as times (`24:00` after
 * `23:59`).
 */
export function isOpenDuring(hours: OpeningHours | null, timezone: string, start: Date, end: Date): boolean {
  if (!hours) return true;
  const from = wall(start, timezone);
  const span = end.getTime() - start.getTime();
  const ls = `${from.date}T${from.time}`;
  const le = wallPlus(from.date, from.time, span);
  const last = wallPlus(from.date, from.time, span - 60_000).slice(0, 10);
  return [...new Set([from.date, last])].some((d) =>
    periodsOn(hours, d).some((p) => ls < `${d}T${p.close}` && le > `${d}T${p.open}`),
  );
}

/** Whether a local date has any opening (not a closed date, a weekday with hours). */
export function isOpenDate(hours: OpeningHours | null, date: string): boolean {
  return !hours || periodsOn(hours, date).length > 0;
}

/** How many hour buckets [t, t + 1 h) from `from` up to `to` the store is open in: for averages. */
export function openHourCount(hours: OpeningHours | null, timezone: string, from: Date, to: Date): number {
  let n = 0;
  for (let t = Math.floor(from.getTime() / HOUR) * HOUR; t < to.getTime(); t += HOUR) {
    if (isOpenDuring(hours, timezone, new Date(t), new Date(t + HOUR))) n++;
  }
  return n;
}

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
