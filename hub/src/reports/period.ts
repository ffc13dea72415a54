/**
 * Report periods in a store's time zone: the last complete day, week (Monday to Sunday) or calendar
 * month before an instant, and the periods reports compare with.
 */
import { fromWallClock, type ReportPeriod, wallClock } from '@oskartrack/protocol';

/** A calendar date (month 1-12). */
export interface LocalDate {
  year: number;
  month: number;
  day: number;
}

/** A period: its first and last local dates (inclusive) and the instants it covers, [start, end). */
export interface ReportRange {
  period: ReportPeriod;
  timezone: string;
  first: LocalDate;
  last: LocalDate;
  start: Date;
  end: Date;
}

const DAY = 86_400_000;
export function localDate(at: Date, timezone: string): LocalDate {
  const d = wallClock(at, timezone);
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

/** The instant the local date starts in the zone (where the clocks skip midnight: when they jump). */
export function zonedMidnight(d: LocalDate, timezone: string): Date {
  return fromWallClock(new Date(dayKey(d)), timezone);
}

function dayKey(d: LocalDate): number {
  return Date.UTC(d.year, d.month - 1, d.day);
}

/**
 * The range of a run's own instants, in the zone: its local dates, and its kind told by its length
 * (one day, seven days, else a month), so a retry sends the period that was claimed.
 */
export function rangeBetween(start: Date, end: Date, timezone: string): ReportRange {
  const first = localDate(start, timezone);
  const last = localDate(new Date(end.getTime() - 1), timezone);
  const days = Math.round((dayKey(last) - dayKey(first)) / DAY) + 1;
  const period: ReportPeriod = days === 1 ? 'daily' : days === 7 ? 'weekly' : 'monthly';
  return { period, timezone, first, last, start, end };
}

export function addDays(d: LocalDate, days: number): LocalDate {
  const t = new Date(Date.UTC(d.year, d.month - 1, d.day) + days * DAY);
  return { year: t.getUTCFullYear(), month: t.getUTCMonth() + 1, day: t.getUTCDate() };
}

function addMonths(d: LocalDate, months: number): LocalDate {
  const t = new Date(Date.UTC(d.year, d.month - 1 + months, 1));
  return { year: t.getUTCFullYear(), month: t.getUTCMonth() + 1, day: 1 };
}

/** 0 = Monday ... 6 = Sunday. */
export function weekdayIndex(d: LocalDate): number {
  return (new Date(Date.UTC(d.year, d.month - 1, d.day)).getUTCDay() + 6) % 7;
}

export function isoDate(d: LocalDate): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.year}-${p(d.month)}-${p(d.day)}`;
}

/** The period of the given kind that starts on `first` (a Monday for weeks, the 1st for months). */
export function rangeFrom(period: ReportPeriod, first: LocalDate, timezone: string): ReportRange {
  const next =
    period === 'daily' ? addDays(first, 1) : period === 'weekly' ? addDays(first, 7) : addMonths(first, 1);
  return {
    period,
    timezone,
    first,
    last: addDays(next, -1),
    start: zonedMidnight(first, timezone),
    end: zonedMidnight(next, timezone),
  };
}

/** The first day of the period of this kind that holds the date. */
function periodStartOf(period: ReportPeriod, d: LocalDate): LocalDate {
  if (period === 'daily') return d;
  if (period === 'weekly') return addDays(d, -weekdayIndex(d));
  return { year: d.year, month: d.month, day: 1 };
}

/** The last period that had ended by `at` in the zone: yesterday, last week, last month. */
export function lastCompleteRange(period: ReportPeriod, at: Date, timezone: string): ReportRange {
  const current = periodStartOf(period, localDate(at, timezone));
  return previousRange(rangeFrom(period, current, timezone));
}

/** The period just before. */
export function previousRange(r: ReportRange): ReportRange {
  const first =
    r.period === 'daily'
      ? addDays(r.first, -1)
      : r.period === 'weekly'
        ? addDays(r.first, -7)
        : addMonths(r.first, -1);
  return rangeFrom(r.period, first, r.timezone);
}

/**
 * The same period earlier, for the second comparison: a day against the same weekday a week before,
 * a week against the same week (52 weeks) a year before, a month against the same month a year before.
 */
export function earlierRange(r: ReportRange): { range: ReportRange; words: string } {
  if (r.period === 'daily')
    return {
      range: rangeFrom('daily', addDays(r.first, -7), r.timezone),
      words: 'the same day a week before',
    };
  if (r.period === 'weekly')
    return {
      range: rangeFrom('weekly', addDays(r.first, -364), r.timezone),
      words: 'the same week a year before',
    };
  return {
    range: rangeFrom('monthly', addMonths(r.first, -12), r.timezone),
    words: 'the same month a year before',
  };
}

/** The same local dates in another zone (an all-store report reads each store in its own zone). */
export function sameDatesIn(r: ReportRange, timezone: string): ReportRange {
  return rangeFrom(r.period, r.first, timezone);
}
