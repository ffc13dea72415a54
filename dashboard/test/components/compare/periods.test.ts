/** The second period of compare mode: as many days as the chosen range. */
import { describe, expect, it } from 'vitest';
import { comparedDays } from '../../../src/components/compare/periods.ts';

const week = { fromDay: '2026-11-03', toDay: '2026-11-09' };
const day = { fromDay: '2026-03-01', toDay: '2026-03-01' };

describe('compared days', () => {
  it('is the period before, a week earlier or a year earlier, as long as the range', () => {
    expect(comparedDays('previous', week)).toEqual({ fromDay: '2026-10-27', toDay: '2026-11-02' });
    expect(comparedDays('lastWeek', week)).toEqual({ fromDay: '2026-10-27', toDay: '2026-11-02' });
    // A week: the same weekdays 52 weeks earlier (3 November 2026 and 4 November 2025 are Tuesdays).
    expect(comparedDays('lastYear', week)).toEqual({ fromDay: '2025-11-04', toDay: '2025-11-10' });
    expect(comparedDays('previous', day)).toEqual({ fromDay: '2026-02-28', toDay: '2026-02-28' });
    expect(comparedDays('lastWeek', day)).toEqual({ fromDay: '2026-02-22', toDay: '2026-02-22' });
  });

  it('starts on the day picked, and is none without one', () => {
    expect(comparedDays('custom', week, '2026-01-05')).toEqual({
      fromDay: '2026-01-05',
      toDay: '2026-01-11',
    });
    expect(comparedDays('custom', week, '')).toBeNull();
    expect(comparedDays('none', week)).toBeNull();
    expect(comparedDays('previous', { fromDay: '2026-11-09', toDay: '2026-11-03' })).toBeNull();
  });
});
