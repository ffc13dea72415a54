/**
 * The second period of the Numbers page's compare mode: the previous period, the same days last week
 * or last year, or days the user picks; always as many days as the chosen range, in the browser's
 * days as the range itself is.
 */
import { type DayRange, fromDateInput, toDateInput } from '../../lib/format.ts';

export type CompareChoice = 'none' | 'previous' | 'lastWeek' | 'lastYear' | 'custom';

export const COMPARE_CHOICES: { id: CompareChoice; label: string }[] = [
  { id: 'none', label: 'Nothing' },
  { id: 'previous', label: 'The previous period' },
  { id: 'lastWeek', label: 'The same days last week' },
  { id: 'lastYear', label: 'The same days last year' },
  { id: 'custom', label: 'Other days…' },
];

function shiftDays(day: Date, days: number): Date {
  return new Date(day.getFullYear(), day.getMonth(), day.getDate() + days);
}

/** The first day of the second period, or null when there is none (or the custom day is not valid). */
function firstDay(choice: CompareChoice, first: Date, days: number, customDay: string): Date | null {
  switch (choice) {
    case 'none':
      return null;
    case 'previous':
      return shiftDays(first, -days);
    case 'lastWeek':
      return shiftDays(first, -7);
    case 'lastYear':
      // A week against the same weekdays 52 weeks earlier, as the hub's comparisons and reports.
      return days === 7
        ? shiftDays(first, -364)
        : new Date(first.getFullYear() - 1, first.getMonth(), first.getDate());
    case 'custom':
      return fromDateInput(customDay);
  }
}

/** The second period as days, as long as `range`; null without one. */
export function comparedDays(choice: CompareChoice, range: DayRange, customDay = ''): DayRange | null {
  const first = fromDateInput(range.fromDay);
  const last = fromDateInput(range.toDay);
  if (!first || !last || last < first) return null;
  const days = Math.round((last.getTime() - first.getTime()) / 86_400_000) + 1;
  const start = firstDay(choice, first, days, customDay);
  if (!start) return null;
  return { fromDay: toDateInput(start), toDay: toDateInput(shiftDays(start, days - 1)) };
}
