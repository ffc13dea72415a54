import { describe, expect, it } from 'vitest';
import { earlierRange, isoDate, lastCompleteRange, previousRange } from '../../src/reports/period.ts';

const iso = (d: Date) => d.toISOString();

describe('report periods in the store time zone', () => {
  it('takes yesterday, last Monday-Sunday and last month as local dates', () => {
    const at = new Date('2026-12-02T09:00:00Z'); // a Wednesday
    const day = lastCompleteRange('daily', at, 'Europe/Berlin');
    expect([isoDate(day.first), iso(day.start), iso(day.end)]).toEqual([
      '2026-12-01',
      '2026-11-30T23:00:00.000Z',
      '2026-12-01T23:00:00.000Z',
    ]);
    const week = lastCompleteRange('weekly', at, 'Europe/Berlin');
    expect([isoDate(week.first), isoDate(week.last), iso(week.start)]).toEqual([
      '2026-11-23',
      '2026-11-29',
      '2026-11-22T23:00:00.000Z',
    ]);
    const month = lastCompleteRange('monthly', at, 'America/New_York');
    expect([isoDate(month.first), isoDate(month.last), iso(month.start), iso(month.end)]).toEqual([
      '2026-11-01',
      '2026-11-30',
      '2026-11-01T04:00:00.000Z', // still summer time on 1 November 2026 (it ends at 2:00 that day)
      '2026-12-01T05:00:00.000Z',
    ]);
  });

  it('uses the local date: late on Sunday evening in Tokyo is already Monday', () => {
    const week = lastCompleteRange('weekly', new Date('2026-11-29T16:00:00Z'), 'Asia/Tokyo');
    expect([isoDate(week.first), isoDate(week.last)]).toEqual(['2026-11-23', '2026-11-29']);
    const utcWeek = lastCompleteRange('weekly', new Date('2026-11-29T16:00:00Z'), 'UTC');
    expect(isoDate(utcWeek.first)).toBe('2026-11-16');
  });

  it('spans a month with a clock change by the local midnights', () => {
    const march = lastCompleteRange('monthly', new Date('2026-04-01T10:00:00Z'), 'Europe/Berlin');
    expect([iso(march.start), iso(march.end)]).toEqual([
      '2026-02-28T23:00:00.000Z',
      '2026-03-31T22:00:00.000Z',
    ]);
  });

  it('compares with the period before and the same period a week or year before', () => {
    const week = lastCompleteRange('weekly', new Date('2026-12-02T09:00:00Z'), 'UTC');
    expect(isoDate(previousRange(week).first)).toBe('2026-11-16');
    expect(isoDate(earlierRange(week).range.first)).toBe('2025-11-24'); // 52 weeks before: also a Monday
    const day = lastCompleteRange('daily', new Date('2026-12-02T09:00:00Z'), 'UTC');
    expect(isoDate(earlierRange(day).range.first)).toBe('2026-11-24');
    const month = lastCompleteRange('monthly', new Date('2026-03-15T09:00:00Z'), 'UTC');
    expect([isoDate(previousRange(month).first), isoDate(previousRange(month).last)]).toEqual([
      '2026-01-01',
      '2026-01-31',
    ]);
    expect(isoDate(earlierRange(month).range.last)).toBe('2025-02-28');
  });
});
