/** Opening hours in words, as the Stores & users page and the Numbers page show them. */
import type { OpeningHours } from '@oskartrack/protocol';
import { describe, expect, it } from 'vitest';
import { copyHours, describeWeek, hoursWords, periodProblem, usualHours } from '../src/lib/opening-hours.ts';

const week = (periods: [number, string, string][]): OpeningHours => ({
  week: periods.map(([day, open, close]) => ({ day, open, close })),
  closedDates: [],
});

describe('describeWeek', () => {
  it('joins days with the same hours, Monday first', () => {
    expect(describeWeek(usualHours())).toBe('Mon-Sat 09:00-18:00');
    const shop = week([
      [0, '10:00', '16:00'],
      [1, '09:00', '18:00'],
      [2, '09:00', '18:00'],
      [4, '09:00', '12:00'],
      [4, '13:00', '20:00'],
    ]);
    expect(describeWeek(shop)).toBe('Mon-Tue 09:00-18:00, Thu 09:00-12:00 and 13:00-20:00, Sun 10:00-16:00');
    expect(describeWeek(week([]))).toBe('closed every day');
  });

  it('explains a closing time before the opening time, and copies hours plainly', () => {
    expect(periodProblem({ day: 1, open: '18:00', close: '09:00' })).toMatch(/later than the opening/);
    expect(periodProblem({ day: 1, open: '18:00', close: '24:00' })).toBeUndefined();
    const h = usualHours();
    const c = copyHours(h);
    expect(c).toEqual(h);
    expect(c.week[0]).not.toBe(h.week[0]);
  });

  it('says what is counted for a store, in plain words', () => {
    expect(hoursWords(null)).toBe('Open around the clock (every hour is counted)');
    expect(hoursWords({ ...usualHours(), closedDates: ['2025-12-25', '2025-12-26'] })).toBe(
      'Open Mon-Sat 09:00-18:00; closed on 2 dates',
    );
    expect(hoursWords(week([]))).toBe('Closed every day');
  });
});
