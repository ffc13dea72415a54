/** The store table as CSV: friendly headers, text kept as text, a file name naming the days. */
import type { StoresTableRow } from '@oskartrack/protocol';
import { describe, expect, it } from 'vitest';
import { storesCsv, storesCsvName } from '../../../src/components/compare/stores-csv.ts';

const figures = { visitors: 120, entries: 80, averageTimeSpentMs: 95_400, peakInside: 7 };
const row = (name: string, change: number | null): StoresTableRow => ({
  storeId: 's',
  name,
  rank: 1,
  ...figures,
  previous: { ...figures, visitors: 100 },
  changes: { visitors: change, entries: null, averageTimeSpentMs: null, peakInside: null },
});

describe('stores CSV', () => {
  it('has friendly headers and one line a store', () => {
    const lines = storesCsv([row('Harbour Street', 0.2), row('Market, "old" square', null)]).split('\r\n');
    expect(lines[0]).toBe(
      'Rank,Store,Visitors,Entrances,Average time spent (seconds),Most people inside,' +
        'Visitors in the previous period,Change in visitors vs previous period (%)',
    );
    expect(lines[1]).toBe('1,Harbour Street,120,80,95,7,100,20');
    expect(lines[2]).toBe('1,"Market, ""old"" square",120,80,95,7,100,');
    expect(lines[3]).toBe('');
  });

  it('keeps a name a spreadsheet would run as a formula as text', () => {
    expect(storesCsv([row('=HYPERLINK("x")', null)]).split('\r\n')[1]).toMatch(/^1,"'=HYPERLINK\(""x""\)",/);
  });

  it('names the file after the days', () => {
    expect(storesCsvName({ fromDay: '2026-11-01', toDay: '2026-11-30' })).toBe(
      'stores-2026-11-01-to-2026-11-30.csv',
    );
  });
});
