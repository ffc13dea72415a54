import { isOpenDuring } from '@oskartrack/protocol';
import { describe, expect, it } from 'vitest';
import {
  busiestHours,
  byHourOfDay,
  fillHours,
  flowRows,
  hourIn,
  occupancySeries,
  parseCsv,
  spacedLabels,
  wrappedLabels,
} from '../src/lib/analytics.ts';
import { heatColor } from '../src/lib/heat.ts';

describe('CSV', () => {
  it('reads quoted fields, doubled quotes and both line endings', () => {
    expect(parseCsv('a,b\r\n"x, y","say ""hi"""\n1,\n')).toEqual([
      ['a', 'b'],
      ['x, y', 'say "hi"'],
      ['1', ''],
    ]);
  });

  it('adds up camera peaks per hour, leaving out area rows', () => {
    const csv = [
      'period,bucket_start,store_id,camera_id,zone_id,visitors,entries,exits,dwell_count,total_dwell_ms,avg_dwell_ms,peak_occupancy',
      'hour,2025-01-01T10:00:00.000Z,s,cam1,,5,1,1,0,0,0,4',
      'hour,2025-01-01T10:00:00.000Z,s,cam2,,5,1,1,0,0,0,3',
      'hour,2025-01-01T10:00:00.000Z,s,cam1,door,5,1,1,0,0,0,9',
      'hour,2025-01-01T09:00:00.000Z,s,cam1,,5,1,1,0,0,0,2',
    ].join('\n');
    expect(occupancySeries(csv)).toEqual([
      { start: '2025-01-01T09:00:00.000Z', people: 2 },
      { start: '2025-01-01T10:00:00.000Z', people: 7 },
    ]);
    expect(occupancySeries(csv, 'cam2')).toEqual([{ start: '2025-01-01T10:00:00.000Z', people: 3 }]);
    expect(occupancySeries('')).toEqual([]);
  });

  it('fills the hours without anyone with zero, up to now', () => {
    const filled = fillHours(
      [{ start: '2025-01-01T10:00:00.000Z', people: 7 }],
      '2025-01-01T08:00:00.000Z',
      '2025-01-02T00:00:00.000Z',
      Date.parse('2025-01-01T11:30:00Z'),
    );
    expect(filled.map((p) => p.people)).toEqual([0, 0, 7, 0]);
  });

  it('leaves closed hours out instead of drawing them empty', () => {
    const hours = { week: [{ day: 3, open: '09:30', close: '11:00' }], closedDates: [] };
    const filled = fillHours(
      [{ start: '2025-01-01T10:00:00.000Z', people: 7 }],
      '2025-01-01T08:00:00.000Z',
      '2025-01-01T12:00:00.000Z',
      Date.parse('2025-01-02T00:00:00Z'),
      (start, end) => isOpenDuring(hours, 'UTC', start, end),
    );
    // 2025-01-01 is a Wednesday: open 09:30-11:00, so the hours from 09:00 and 10:00.
    expect(filled.map((p) => new Date(p.start).getUTCHours())).toEqual([9, 10]);
    expect(filled.map((p) => p.people)).toEqual([0, 7]);
  });
});

describe('busiest hours', () => {
  it('counts hours in the store time zone', () => {
    expect(hourIn('2025-06-01T08:30:00Z', 'Europe/Berlin')).toBe(10);
    expect(hourIn('2025-06-01T23:30:00Z', 'UTC')).toBe(23);
    const per = byHourOfDay(
      [
        { start: '2025-06-01T08:00:00Z', visitors: 3 },
        { start: '2025-06-02T08:00:00Z', visitors: 4 },
        { start: '2025-06-02T15:00:00Z', visitors: 5 },
      ],
      'Europe/Berlin',
    );
    expect(per).toHaveLength(24);
    expect(per[10]).toBe(7);
    expect(per[17]).toBe(5);
    expect(busiestHours(per)).toEqual([
      { hour: 10, visitors: 7 },
      { hour: 17, visitors: 5 },
    ]);
  });
});

describe('flows and heat', () => {
  it('names flows and scales them to the largest', () => {
    const rows = flowRows(
      [
        { fromZoneId: 'a', toZoneId: 'b', count: 2 },
        { fromZoneId: null, toZoneId: 'a', count: 8 },
        { fromZoneId: 'b', toZoneId: 'gone', count: 1 },
      ],
      new Map([
        ['a', 'Door'],
        ['b', 'Till'],
      ]),
    );
    expect(rows).toEqual([
      { from: 'Came in', to: 'Door', count: 8, share: 1 },
      { from: 'Door', to: 'Till', count: 2, share: 0.25 },
      { from: 'Till', to: 'Removed area', count: 1, share: 0.125 },
    ]);
  });

  it('leaves empty cells clear and colours busy ones red', () => {
    expect(heatColor(0, 10)).toBeNull();
    expect(heatColor(5, 0)).toBeNull();
    expect(heatColor(10, 10)).toBe('hsla(0, 90%, 50%, 0.75)');
    expect(heatColor(1, 100)).toMatch(/^hsla\(198, /);
  });
});

describe('axis labels', () => {
  const hours = Array.from({ length: 24 }, (_, h) => `${String(h).padStart(2, '0')}:00`);

  it('keeps every label when they fit side by side', () => {
    expect(spacedLabels(hours, 24 * 60)).toEqual(hours);
  });

  it('keeps every n-th label on a narrow chart, never two that would touch', () => {
    const shown = spacedLabels(hours, 330);
    const kept = shown.map((l, i) => (l ? i : -1)).filter((i) => i >= 0);
    expect(shown).toHaveLength(24);
    expect(kept[0]).toBe(0);
    const step = kept[1]! - kept[0]!;
    expect(step).toBeGreaterThan(1);
    // The kept labels stand at least their own width (5 characters) apart.
    expect((step * 330) / 24).toBeGreaterThanOrEqual(5 * 7.5 + 12);
    expect(kept.every((k, i) => k === i * step)).toBe(true);
  });

  it('gives nothing for no labels', () => {
    expect(spacedLabels([], 300)).toEqual([]);
  });
});

describe('store names under a chart', () => {
  it('keeps whole names when they fit, a word a line when they do not', () => {
    expect(wrappedLabels(['Bakery', 'Demo store'], 600)).toEqual([['Bakery'], ['Demo store']]);
    expect(wrappedLabels(['Bakery', 'Corner shop', 'Demo store'], 190)).toEqual([
      ['Bakery'],
      ['Corner', 'shop'],
      ['Demo', 'store'],
    ]);
  });

  it('leaves names out only when single words do not fit either', () => {
    const names = Array.from({ length: 12 }, (_, i) => `Shop number ${i + 1}`);
    const shown = wrappedLabels(names, 200);
    expect(shown.filter((l) => l[0] !== '').length).toBeLessThan(12);
    expect(shown[0]).toEqual(['Shop', 'number', '1']);
  });
});
