/**
 * What makes opening hours valid beyond their shape (protocol `OpeningHours`): each opening closes
 * after it opens, openings of one day do not overlap, closed dates are real dates. Messages name the
 * day and times to fix.
 */
import type { OpeningHours, OpeningPeriod } from '@oskartrack/protocol';
import { ValidationError } from '../errors.ts';

const DAY_NAMES = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const CLOCK = /^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

function checkPeriod(p: OpeningPeriod): void {
  const day = DAY_NAMES[p.day];
  if (!Number.isInteger(p.day) || day === undefined)
    throw new ValidationError('opening hours: a day must be 0 (Sunday) to 6 (Saturday)');
  for (const t of [p.open, p.close]) {
    if (!CLOCK.test(t))
      throw new ValidationError(
        `opening hours: ${day} has the time "${t}"; write times as HH:MM, 00:00 to 24:00`,
      );
  }
  if (p.close <= p.open) {
    throw new ValidationError(
      `opening hours: on ${day} the store closes at ${p.close}, not after it opens at ${p.open}; set a closing time later than the opening time (use 24:00 for midnight)`,
    );
  }
}

function checkOverlaps(week: readonly OpeningPeriod[]): void {
  const sorted = [...week].sort((a, b) => a.day - b.day || a.open.localeCompare(b.open));
  for (let i = 1; i < sorted.length; i++) {
    const prev = sorted[i - 1]!;
    const cur = sorted[i]!;
    if (prev.day === cur.day && cur.open < prev.close) {
      throw new ValidationError(
        `opening hours: on ${DAY_NAMES[cur.day]} ${prev.open}-${prev.close} and ${cur.open}-${cur.close} overlap; join them into one or make one end before the other starts`,
      );
    }
  }
}

function checkDate(d: string): void {
  const t = Date.parse(`${d}T00:00:00Z`);
  if (!DATE.test(d) || Number.isNaN(t) || new Date(t).toISOString().slice(0, 10) !== d) {
    throw new ValidationError(`opening hours: "${d}" is not a date; write closed dates as YYYY-MM-DD`);
  }
}

/** The hours, checked; week sorted by day and time, closed dates sorted without repeats. */
export function requireOpeningHours(hours: OpeningHours): OpeningHours {
  hours.week.forEach(checkPeriod);
  checkOverlaps(hours.week);
  hours.closedDates.forEach(checkDate);
  return {
    week: [...hours.week]
      .sort((a, b) => a.day - b.day || a.open.localeCompare(b.open))
      .map((p) => ({ day: p.day, open: p.open, close: p.close })),
    closedDates: [...new Set(hours.closedDates)].sort(),
  };
}
