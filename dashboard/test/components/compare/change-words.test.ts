/** Changes in words under the headline figures. */
import { describe, expect, it } from 'vitest';
import {
  baseWords,
  changeWords,
  dayRangeWords,
  direction,
  percentChange,
} from '../../../src/components/compare/change-words.ts';

/** Local midnight of a date, as the Numbers page sends its range. */
const local = (y: number, m: number, d: number) => new Date(y, m - 1, d).toISOString();

describe('change words', () => {
  it('writes whole percents with their sign', () => {
    expect(percentChange(0.12)).toBe('+12 %');
    expect(percentChange(-0.034)).toBe('-3 %');
    expect(percentChange(0.001)).toBe('0 %');
    expect(percentChange(1)).toBe('+100 %');
  });

  it('names the earlier period by the length of the range', () => {
    // 3 November 2026 is a Tuesday.
    const day = [local(2026, 11, 3), local(2026, 11, 4)] as const;
    const week = [local(2026, 11, 1), local(2026, 11, 8)] as const;
    expect(baseWords('previous', ...day)).toBe('the day before');
    expect(baseWords('lastWeek', ...day)).toBe('last Tuesday');
    expect(baseWords('previous', local(2026, 11, 1), local(2026, 11, 4))).toBe('the previous 3 days');
    expect(baseWords('lastWeek', local(2026, 11, 1), local(2026, 11, 4))).toBe('the same days last week');
    expect(baseWords('previous', ...week)).toBe('the previous 7 days');
    expect(baseWords('lastYear', ...week)).toBe('the same days last year');
  });

  it('says there is no data to compare rather than an endless change', () => {
    const day = [local(2026, 11, 3), local(2026, 11, 4)] as const;
    expect(changeWords(0.12, 'lastWeek', ...day)).toBe('+12 % vs last Tuesday');
    expect(changeWords(null, 'previous', ...day)).toBe('no data to compare with the day before');
    expect(direction(null)).toBe('none');
    expect(direction(0.004)).toBe('none');
    expect(direction(0.2)).toBe('up');
    expect(direction(-0.2)).toBe('down');
  });

  it('names one day, or the first and the last', () => {
    expect(dayRangeWords({ fromDay: '2026-11-03', toDay: '2026-11-03' })).toBe('Tue 3 Nov');
    expect(dayRangeWords({ fromDay: '2026-11-03', toDay: '2026-11-09' })).toBe('Tue 3 Nov – Mon 9 Nov');
  });
});
