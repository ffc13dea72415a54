/**
 * Which earlier periods a range is compared with, and the change of a figure (the rule, written down
 * in protocol/src/api/comparisons.ts):
 * - previous: the same length immediately before;
 * - lastWeek: 7 days earlier, for ranges shorter than a week;
 * - lastYear: the same dates a year earlier (UTC calendar), for ranges of a week or longer: there the
 *   week before is the previous period already.
 * A range that runs past now counts up to now; each earlier period counts as long from its start.
 */
import type { ComparisonBase } from '@oskartrack/protocol';

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

function yearEarlier(d: Date): Date {
  const out = new Date(d.getTime());
  out.setUTCFullYear(out.getUTCFullYear() - 1);
  return out;
}

/** The earlier period `base` of the counted part [range.from, counted) of a range. */
export function basePeriod(base: ComparisonBase, range: Period, counted: Date): Period {
  if (base === 'lastYear') return { from: yearEarlier(range.from), to: yearEarlier(counted) };
  const shift = base === 'lastWeek' ? WEEK : range.to.getTime() - range.from.getTime();
  return { from: new Date(range.from.getTime() - shift), to: new Date(counted.getTime() - shift) };
}

/** (now - before) / before; null when there is nothing to compare with. */
export function change(now: number, before: number, hasData: boolean): number | null {
  if (!hasData || before === 0) return null;
  return (now - before) / before;
}
