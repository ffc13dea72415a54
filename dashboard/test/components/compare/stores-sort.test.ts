/** The store table: sorting by a header's click, stores without a change last, filtering by name. */
import type { StoresTableRow } from '@oskartrack/protocol';
import { describe, expect, it } from 'vitest';
import { filterRows, nextSorting, sortRows } from '../../../src/components/compare/stores-sort.ts';

function row(name: string, rank: number, visitors: number, change: number | null): StoresTableRow {
  const figures = { visitors, entries: visitors * 2, averageTimeSpentMs: 1000 * rank, peakInside: 1 };
  return {
    storeId: name.toLowerCase(),
    name,
    rank,
    ...figures,
    previous: figures,
    changes: { visitors: change, entries: change, averageTimeSpentMs: null, peakInside: null },
  };
}

const rows = [row('Beta', 2, 5, null), row('alpha', 1, 9, -0.5), row('Gamma', 3, 1, 0.25)];
const names = (r: StoresTableRow[]) => r.map((x) => x.name);

describe('store table sorting', () => {
  it('sorts by any column, either way', () => {
    expect(names(sortRows(rows, { column: 'rank', order: 'ascending' }))).toEqual(['alpha', 'Beta', 'Gamma']);
    expect(names(sortRows(rows, { column: 'name', order: 'descending' }))).toEqual([
      'Gamma',
      'Beta',
      'alpha',
    ]);
    expect(names(sortRows(rows, { column: 'visitors', order: 'ascending' }))).toEqual([
      'Gamma',
      'Beta',
      'alpha',
    ]);
    expect(names(sortRows(rows, { column: 'entries', order: 'descending' }))).toEqual([
      'alpha',
      'Beta',
      'Gamma',
    ]);
  });

  it('puts stores without a change last, whichever way', () => {
    expect(names(sortRows(rows, { column: 'change', order: 'descending' }))).toEqual([
      'Gamma',
      'alpha',
      'Beta',
    ]);
    expect(names(sortRows(rows, { column: 'change', order: 'ascending' }))).toEqual([
      'alpha',
      'Gamma',
      'Beta',
    ]);
  });

  it('turns the order round on a second click, and starts numbers biggest first', () => {
    const byVisitors = nextSorting({ column: 'rank', order: 'ascending' }, 'visitors');
    expect(byVisitors).toEqual({ column: 'visitors', order: 'descending' });
    expect(nextSorting(byVisitors, 'visitors')).toEqual({ column: 'visitors', order: 'ascending' });
    expect(nextSorting(byVisitors, 'name')).toEqual({ column: 'name', order: 'ascending' });
  });

  it('keeps the stores whose name holds the words typed, in any case', () => {
    expect(names(filterRows(rows, ' AL '))).toEqual(['alpha']);
    expect(names(filterRows(rows, ''))).toEqual(['Beta', 'alpha', 'Gamma']);
  });
});
