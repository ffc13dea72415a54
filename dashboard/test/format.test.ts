import { describe, expect, it } from 'vitest';
import {
  eventWords,
  formatAgo,
  formatBytes,
  formatCount,
  formatDuration,
  formatPercent,
  fromDateInput,
  hourLabel,
  hourOfDayLabel,
  presetRange,
  rangeToIso,
  toDateInput,
} from '../src/lib/format.ts';

describe('formatters', () => {
  it.each([
    [0, '0 s'],
    [59_400, '59 s'],
    [65_000, '1 min 5 s'],
    [120_000, '2 min'],
    [3_780_000, '1 h 3 min'],
    [7_200_000, '2 h'],
    [-1, '–'],
    [Number.NaN, '–'],
  ])('duration %d ms is %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  it('counts, bytes and percentages', () => {
    expect(formatCount(1234.4)).toBe('1,234');
    expect(formatCount(null)).toBe('–');
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(8_131_690)).toBe('7.8 MB');
    expect(formatPercent(0.426)).toBe('43%');
    expect(formatPercent(3)).toBe('100%');
  });

  it('says how long ago', () => {
    const now = Date.parse('2025-06-01T12:00:00Z');
    expect(formatAgo('2025-06-01T11:59:50Z', now)).toBe('just now');
    expect(formatAgo('2025-06-01T11:55:00Z', now)).toBe('5 minutes ago');
    expect(formatAgo('2025-06-01T09:00:00Z', now)).toBe('3 hours ago');
    expect(formatAgo('2025-05-29T12:00:00Z', now)).toBe('3 days ago');
    expect(formatAgo(null, now)).toBe('never');
  });

  it('names hours and events plainly', () => {
    expect(hourOfDayLabel(9)).toBe('09:00–10:00');
    expect(hourOfDayLabel(23)).toBe('23:00–00:00');
    expect(eventWords('zone_entered')).toBe('Walked into');
    expect(eventWords('something_new')).toBe('something new');
  });
});

describe('day ranges', () => {
  it('turns local days into a [from, to) range ending the midnight after the last day', () => {
    const r = rangeToIso({ fromDay: '2025-03-01', toDay: '2025-03-02' });
    if ('error' in r) throw new Error(r.error);
    expect(new Date(r.from).getTime()).toBe(new Date(2025, 2, 1).getTime());
    expect(new Date(r.to).getTime()).toBe(new Date(2025, 2, 3).getTime());
  });

  it('refuses a reversed or missing range in plain words', () => {
    expect(rangeToIso({ fromDay: '2025-03-02', toDay: '2025-03-01' })).toEqual({
      error: 'The end date is before the start date.',
    });
    expect(rangeToIso({ fromDay: '', toDay: '2025-03-01' })).toEqual({
      error: 'Choose a start and an end date.',
    });
    expect(fromDateInput('2025-13-45x')).toBeNull();
  });

  it('offers presets relative to today', () => {
    const now = new Date(2025, 0, 10, 15, 0);
    expect(presetRange('today', now)).toEqual({ fromDay: '2025-01-10', toDay: '2025-01-10' });
    expect(presetRange('yesterday', now)).toEqual({ fromDay: '2025-01-09', toDay: '2025-01-09' });
    expect(presetRange('7d', now)).toEqual({ fromDay: '2025-01-04', toDay: '2025-01-10' });
    expect(presetRange('30d', now).fromDay).toBe('2024-12-12');
    expect(toDateInput(new Date(2025, 11, 31))).toBe('2025-12-31');
  });
});

describe('hourLabel', () => {
  it("names the hour in the store's time zone", () => {
    expect(hourLabel('2025-06-01T08:00:00.000Z', 'UTC')).toBe('08:00');
    expect(hourLabel('2025-06-01T08:00:00.000Z', 'Europe/London')).toBe('09:00');
    expect(hourLabel(Date.UTC(2025, 0, 1, 23), 'Asia/Tokyo')).toBe('08:00');
  });

  it('says "–" for a time that is not one', () => {
    expect(hourLabel('not a time')).toBe('–');
  });
});
