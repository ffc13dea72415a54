import { describe, expect, it } from 'vitest';
import {
  earlierRange,
  isoDate,
  lastCompleteRange,
  previousRange,
  rangeBetween,
} from '../../src/reports/period.ts';

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

  it('starts a day at the clock change where the clocks skip midnight (Santiago, 6 September 2026)', () => {
    // Chile's summer time begins at midnight: 5 September 23:59:59 (UTC-4) is followed by 6 September
    // 01:00 (UTC-3), at 04:00 UTC. The 6th has no midnight; it starts at that instant.
    const sixth = lastCompleteRange('daily', new Date('2026-09-07T12:00:00Z'), 'America/Santiago');
    expect([isoDate(sixth.first), iso(sixth.start), iso(sixth.end)]).toEqual([
      '2026-09-06',
      '2026-09-06T04:00:00.000Z',
      '2026-09-07T03:00:00.000Z',
    ]);
    const fifth = previousRange(sixth);
    expect([isoDate(fifth.first), iso(fifth.start), iso(fifth.end)]).toEqual([
      '2026-09-05',
      '2026-09-05T04:00:00.000Z',
      '2026-09-06T04:00:00.000Z',
    ]);
    // A zone whose clocks change at 2:00 keeps its midnights (Berlin, 29 March 2026).
    const berlin = lastCompleteRange('daily', new Date('2026-03-30T12:00:00Z'), 'Europe/Berlin');
    expect([isoDate(berlin.first), iso(berlin.start), iso(berlin.end)]).toEqual([
      '2026-03-29',
      '2026-03-28T23:00:00.000Z',
      '2026-03-29T22:00:00.000Z',
    ]);
  });

  it("reads a run's own instants back as its period", () => {
    const week = rangeBetween(
      new Date('2026-11-22T23:00:00Z'),
      new Date('2026-11-29T23:00:00Z'),
      'Europe/Berlin',
    );
    expect([week.period, isoDate(week.first), isoDate(week.last)]).toEqual([
      'weekly',
      '2026-11-23',
      '2026-11-29',
    ]);
    const day = rangeBetween(
      new Date('2026-09-06T04:00:00Z'),
      new Date('2026-09-07T03:00:00Z'),
      'America/Santiago',
    );
    expect([day.period, isoDate(day.first), isoDate(day.last)]).toEqual([
      'daily',
      '2026-09-06',
      '2026-09-06',
    ]);
    const month = rangeBetween(
      new Date('2026-11-01T04:00:00Z'),
      new Date('2026-12-01T05:00:00Z'),
      'America/New_York',
    );
    expect([month.period, isoDate(month.first), isoDate(month.last)]).toEqual([
      'monthly',
      '2026-11-01',
      '2026-11-30',
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
