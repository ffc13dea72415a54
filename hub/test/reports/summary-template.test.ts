import { describe, expect, it } from 'vitest';
import { lastCompleteRange } from '../../src/reports/period.ts';
import type { Report, StoreReport } from '../../src/reports/report-data.ts';
import { change, storeSummary, writeSummary } from '../../src/reports/summary-template.ts';

const week = lastCompleteRange('weekly', new Date('2026-12-02T09:00:00Z'), 'UTC');
const zero = { visitors: 0, entries: 0, averageTimeSpentMs: 0 };

function store(over: Partial<StoreReport>): StoreReport {
  const tuesday = {
    date: { year: 2026, month: 11, day: 24 },
    weekday: 'Tuesday',
    visitors: 412,
    entries: 400,
    averageTimeSpentMs: 0,
  };
  return {
    storeName: 'Demo store',
    timezone: 'UTC',
    range: week,
    totals: { visitors: 1000, entries: 900, averageTimeSpentMs: 12 * 60_000 },
    previous: { visitors: 800, entries: 700, averageTimeSpentMs: 0 },
    earlier: zero,
    earlierWords: 'the same week a year before',
    days: [tuesday],
    busiestDay: { day: tuesday, weekBefore: 349 },
    busiestHour: { hour: 14, visitors: 120 },
    areas: [{ name: 'entrance', visitors: 700, averageTimeSpentMs: 60_000, totalTimeSpentMs: 42_000_000 }],
    ...over,
  };
}

describe('summary from our own sentences', () => {
  it('writes the busiest day, changes, hour, time and area from the numbers', () => {
    expect(storeSummary(store({}))).toBe(
      'Demo store had 1,000 visitors, 25 % more than the week before. ' +
        'Tuesday was the busiest day: 412 visitors, 18 % more than the Tuesday before. ' +
        'The busiest hour was 14:00-15:00. On average people stayed 12 minutes. Most time was spent at the entrance.',
    );
  });

  it('leaves out a comparison without a base, and never says 0 % or NaN %', () => {
    const text = storeSummary(
      store({
        previous: zero,
        busiestDay: { day: store({}).days[0]!, weekBefore: null },
        areas: [],
        totals: { ...zero, visitors: 5 },
      }),
    );
    expect(text).not.toMatch(/%|NaN|more than|fewer than/);
    expect(text).not.toContain('stayed');
    expect(text).not.toContain('Most time');
    expect(change(10, 10)).toBe('about as many as');
    expect(change(10, 0)).toBeNull();
    expect(change(Number.NaN, 5)).toBeNull();
    expect(change(9, 10)).toBe('10 % fewer than');
  });

  it('says so when nobody was counted, and sums the stores of an every-store report', () => {
    expect(storeSummary(store({ totals: zero }))).toBe(
      'Demo store: no visitors were counted in this period.',
    );
    const r: Report = {
      title: 'All stores',
      allStores: true,
      period: 'weekly',
      range: week,
      stores: [
        store({}),
        store({
          storeName: 'Harbour',
          totals: { ...zero, visitors: 200 },
          previous: { ...zero, visitors: 200 },
        }),
      ],
    };
    expect(writeSummary(r)).toBe(
      'Your 2 stores had 1,200 visitors, 20 % more than the week before. Demo store was the busiest store with 1,000 visitors.',
    );
  });
});
