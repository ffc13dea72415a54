/**
 * A store's opening hours on its own wall clock, as pure functions shared by the hub (which also turns
 * the same rules into SQL) and the dashboard (which leaves closed hours out of its charts).
 *
 * Rules: an instant counts when it is in [open, close) on an open weekday that is not a closed date; a
 * span (an hour bucket) counts when the store is open during any part of it. No hours: always open.
 */
import type { OpeningHours, OpeningPeriod } from './api/opening-hours.ts';
import { wallClock } from './wall-clock.ts';

const HOUR = 3_600_000;
/** Local wall clock of an instant: `YYYY-MM-DD` and `HH:MM`. */
function wall(at: Date, timezone: string): { date: string; time: string } {
  const iso = wallClock(at, timezone).toISOString();
  return { date: iso.slice(0, 10), time: iso.slice(11, 16) };
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
  return isOpenDuringWall(hours, `${from.date}T${from.time}`, end.getTime() - start.getTime());
}

/**
 * The same from the span's local start (`YYYY-MM-DDTHH:MM`, e.g. from SQL's `AT TIME ZONE`) and its
 * length: no time zone lookup, for many spans at once.
 */
export function isOpenDuringWall(hours: OpeningHours | null, localStart: string, spanMs: number): boolean {
  if (!hours) return true;
  const ls = localStart.slice(0, 16);
  const date = ls.slice(0, 10);
  const le = wallPlus(date, ls.slice(11, 16), spanMs);
  const last = wallPlus(date, ls.slice(11, 16), spanMs - 60_000).slice(0, 10);
  return [...new Set([date, last])].some((d) =>
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
