/** A store's opening hours in everyday words ("Mon-Sat 09:00-18:00, Sun 10:00-16:00"), and edits to them. */
import type { OpeningHours, OpeningPeriod } from '@oskartrack/protocol';

/** Monday first, as shops write their hours. */
export const WEEK_ORDER = [1, 2, 3, 4, 5, 6, 0] as const;
export const DAY_NAMES = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const SHORT = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

/** The openings of one day as words: "09:00-12:00 and 13:00-18:00". */
function dayWords(hours: OpeningHours, day: number): string {
  return hours.week
    .filter((p) => p.day === day)
    .sort((a, b) => a.open.localeCompare(b.open))
    .map((p) => `${p.open}-${p.close}`)
    .join(' and ');
}

/** Runs of days with the same hours, Monday first: "Mon-Sat 09:00-18:00, Sun 10:00-16:00". */
export function describeWeek(hours: OpeningHours): string {
  const runs: { first: number; last: number; words: string }[] = [];
  for (const day of WEEK_ORDER) {
    const words = dayWords(hours, day);
    const prev = runs.at(-1);
    if (prev && prev.words === words) prev.last = day;
    else runs.push({ first: day, last: day, words });
  }
  const open = runs.filter((r) => r.words);
  if (open.length === 0) return 'closed every day';
  return open
    .map((r) => `${r.first === r.last ? SHORT[r.first] : `${SHORT[r.first]}-${SHORT[r.last]}`} ${r.words}`)
    .join(', ');
}

/** A plain copy (the app's state and the editor's draft are proxies, which structuredClone refuses). */
export function copyHours(h: OpeningHours): OpeningHours {
  return {
    week: h.week.map((p) => ({ day: p.day, open: p.open, close: p.close })),
    closedDates: [...h.closedDates],
  };
}

/** "Open Mon-Sat 09:00-18:00; closed on 2 dates" or "Open around the clock". */
export function hoursWords(hours: OpeningHours | null): string {
  if (!hours) return 'Open around the clock (every hour is counted)';
  const dates = hours.closedDates.length;
  const closed = dates ? `; closed on ${dates === 1 ? '1 date' : `${dates} dates`}` : '';
  const week = describeWeek(hours);
  return `${week === 'closed every day' ? 'Closed every day' : `Open ${week}`}${closed}`;
}

/** What a shop usually starts from: Monday to Saturday 09:00 to 18:00. */
export function usualHours(): OpeningHours {
  return { week: [1, 2, 3, 4, 5, 6].map((day) => ({ day, open: '09:00', close: '18:00' })), closedDates: [] };
}

/** A problem with an opening as the hub would word it, or undefined. */
export function periodProblem(p: OpeningPeriod): string | undefined {
  if (!p.open || !p.close) return 'Give both times.';
  if (p.close <= p.open) return 'The closing time must be later than the opening time (24:00 for midnight).';
  return undefined;
}
