/** The periods a range is compared with, and when a change is shown at all. */
import { describe, expect, it } from 'vitest';
import { basePeriod, basesFor, change, countedTo } from '../../src/api/comparison-periods.ts';

const H = 3_600_000;
const DAY = 24 * H;
const at = (s: string) => new Date(s);
const range = (from: string, to: string) => ({ from: at(from), to: at(to) });

describe('comparison periods', () => {
  it('compares shorter ranges with last week, a week or longer with last year', () => {
    expect(basesFor(range('2026-11-03T00:00:00Z', '2026-11-04T00:00:00Z'))).toEqual(['previous', 'lastWeek']);
    expect(basesFor(range('2026-11-01T00:00:00Z', '2026-11-07T00:00:00Z'))).toEqual(['previous', 'lastWeek']);
    expect(basesFor(range('2026-11-01T00:00:00Z', '2026-11-08T00:00:00Z'))).toEqual(['previous', 'lastYear']);
    // The week the clocks go forward in Berlin is an hour short, and still a week.
    expect(basesFor(range('2026-03-23T23:00:00Z', '2026-03-30T22:00:00Z'))).toEqual(['previous', 'lastYear']);
  });

  it("shifts on the store's clock across a clock change, and a week by 52 weeks for last year", () => {
    // Monday 30 March 2026 in London, the day after the clocks went forward: from 23:00 UTC.
    const monday = range('2026-03-29T23:00:00Z', '2026-03-30T23:00:00Z');
    expect(basePeriod('lastWeek', monday, monday.to, 'Europe/London')).toEqual(
      range('2026-03-23T00:00:00Z', '2026-03-24T00:00:00Z'),
    );
    expect(basePeriod('previous', monday, monday.to, 'Europe/London')).toEqual(
      range('2026-03-29T00:00:00Z', '2026-03-29T23:00:00Z'),
    );
    const week = range('2026-11-02T00:00:00Z', '2026-11-09T00:00:00Z');
    expect(basePeriod('lastYear', week, week.to).from).toEqual(new Date(week.from.getTime() - 364 * DAY));
    expect(basePeriod('lastYear', week, week.to).from.getUTCDay()).toBe(week.from.getUTCDay());
  });

  it('shifts by the length, by 7 days, or by a calendar year', () => {
    const day = range('2026-11-03T00:00:00Z', '2026-11-04T00:00:00Z');
    expect(basePeriod('previous', day, day.to)).toEqual(
      range('2026-11-02T00:00:00Z', '2026-11-03T00:00:00Z'),
    );
    expect(basePeriod('lastWeek', day, day.to)).toEqual(
      range('2026-10-27T00:00:00Z', '2026-10-28T00:00:00Z'),
    );
    const month = range('2026-11-01T00:00:00Z', '2026-12-01T00:00:00Z');
    expect(basePeriod('previous', month, month.to)).toEqual(
      range('2026-10-02T00:00:00Z', '2026-11-01T00:00:00Z'),
    );
    expect(basePeriod('lastYear', month, month.to)).toEqual(
      range('2025-11-01T00:00:00Z', '2025-12-01T00:00:00Z'),
    );
  });

  it('counts a range that runs past now up to now, and its earlier periods as long', () => {
    const today = range('2026-11-03T00:00:00Z', '2026-11-04T00:00:00Z');
    const now = Date.parse('2026-11-03T14:30:00Z');
    const end = countedTo(today, now);
    expect(end).toEqual(at('2026-11-03T14:30:00Z'));
    expect(basePeriod('lastWeek', today, end)).toEqual(range('2026-10-27T00:00:00Z', '2026-10-27T14:30:00Z'));
    expect(basePeriod('previous', today, end)).toEqual(range('2026-11-02T00:00:00Z', '2026-11-02T14:30:00Z'));
    expect(countedTo(today, now + DAY)).toEqual(today.to);
    expect(countedTo(today, now - DAY)).toEqual(today.to);
  });

  it('has no change when the earlier figure is 0 or the period has no data', () => {
    expect(change(12, 10, true)).toBeCloseTo(0.2, 10);
    expect(change(9, 10, true)).toBeCloseTo(-0.1, 10);
    expect(change(5, 0, true)).toBeNull();
    expect(change(5, 10, false)).toBeNull();
  });
});
