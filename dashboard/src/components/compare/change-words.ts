/**
 * Changes in words: "+12 % vs last Tuesday", "-3 % vs the previous 7 days", and "no data to compare
 * with last Tuesday" when the earlier period counted nothing (never "+inf %").
 */
import type { ComparisonBase } from '@oskartrack/protocol';
import { type DayRange, formatDay, fromDateInput } from '../../lib/format.ts';

const DAY = 86_400_000;

/** Whole days in [from, to), allowing for a daylight-saving hour. */
export function dayCount(from: string, to: string): number {
  return Math.max(1, Math.round((Date.parse(to) - Date.parse(from)) / DAY));
}

/** What the earlier period is, after "vs": "last Tuesday", "the previous 7 days", "the same days last year". */
export function baseWords(base: ComparisonBase, from: string, to: string): string {
  const days = dayCount(from, to);
  if (base === 'previous') return days === 1 ? 'the day before' : `the previous ${days} days`;
  if (base === 'lastYear') return days === 1 ? 'the same day last year' : 'the same days last year';
  if (days > 1) return 'the same days last week';
  return `last ${new Date(from).toLocaleDateString('en-GB', { weekday: 'long' })}`;
}

/** "+12 %", "-3 %", "0 %"; rounded to whole percent. */
export function percentChange(change: number): string {
  const p = Math.round(change * 100);
  return `${p > 0 ? '+' : p < 0 ? '-' : ''}${Math.abs(p)} %`;
}

/** The whole line under a figure. */
export function changeWords(change: number | null, base: ComparisonBase, from: string, to: string): string {
  const against = baseWords(base, from, to);
  return change === null ? `no data to compare with ${against}` : `${percentChange(change)} vs ${against}`;
}

/** up, down or none: how the change is coloured (more visitors is good news). */
export function direction(change: number | null): 'up' | 'down' | 'none' {
  if (change === null || Math.round(change * 100) === 0) return 'none';
  return change > 0 ? 'up' : 'down';
}

/** "Tue 3 Nov" for one day, "Tue 3 Nov – Mon 9 Nov" for more (the browser's days, as chosen). */
export function dayRangeWords(r: DayRange): string {
  const day = (d: string) => {
    const at = fromDateInput(d);
    return at ? formatDay(at.getTime()) : d;
  };
  return r.fromDay === r.toDay ? day(r.fromDay) : `${day(r.fromDay)} – ${day(r.toDay)}`;
}
