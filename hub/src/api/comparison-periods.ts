/**
 * Which earlier periods a range is compared with, and the change of a figure (the rule, written down
 * in protocol/src/api/comparisons.ts), on the store's own clock (a week across a clock change still
 * starts at midnight):
 * - previous: the same number of days immediately before (the same length for a range of part days);
 * - lastWeek: 7 days earlier, for ranges shorter than a week;
 * - lastYear: for ranges of a week or longer (there the week before is the previous period already):
 *   52 weeks earlier for a week (the same weekdays, as the weekly report), else the same dates a year
 *   earlier (as the monthly report).
 * A range that runs past now counts up to now; each earlier period counts as long from its start.
 */
import { type ComparisonBase, shiftLocalDays, shiftLocalYears, wallClock } from '@oskartrack/protocol';

const HOUR = 3_600_000;
const WEEK = 7 * 24 * HOUR;

export interface Period {
  from: Date;
  to: Date;
}

/** A week or longer (an hour short allows for the night clocks go forward). */
export function basesFor(range: Period): ComparisonBase[] {
  const long = range.to.getTime() - range.from.getTime() >= WEEK - HOUR;
  return long ? ['previous', 'lastYear'] : ['previous', 'lastWeek'];
}

/** Where counting stops: now, when the range runs past it (and started before it); else its end. */
export function countedTo(range: Period, now: number): Date {
  const from = range.from.getTime();
  const to = range.to.getTime();
  return now > from && now < to ? new Date(now) : range.to;
}

const DAY = 24 * HOUR;

/** Whole days the range spans on the store's clock, or null for a range of part days. */
function localDays(range: Period, timeZone: string): number | null {
  const days = (wallClock(range.to, timeZone).getTime() - wallClock(range.from, timeZone).getTime()) / DAY;
  return Number.isInteger(days) ? days : null;
}

/** The earlier period `base` of the counted part [range.from, counted) of a range. */
export function basePeriod(base: ComparisonBase, range: Period, counted: Date, timeZone = 'UTC'): Period {
  const days = localDays(range, timeZone);
  const earlier = (d: Date): Date => {
    if (base === 'lastYear')
      return days === 7 ? shiftLocalDays(d, -364, timeZone) : shiftLocalYears(d, -1, timeZone);
    if (base === 'lastWeek') return shiftLocalDays(d, -7, timeZone);
    if (days !== null) return shiftLocalDays(d, -days, timeZone);
    return new Date(d.getTime() - (range.to.getTime() - range.from.getTime()));
  };
  return { from: earlier(range.from), to: earlier(counted) };
}

/** (now - before) / before; null when there is nothing to compare with. */
export function change(now: number, before: number, hasData: boolean): number | null {
  if (!hasData || before === 0) return null;
  return (now - before) / before;
}
