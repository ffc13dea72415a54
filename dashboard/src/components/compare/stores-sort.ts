/** The store table's columns, and sorting by any of them (stores without a change always last). */
import type { StoresTableRow } from '@oskartrack/protocol';

export type StoreColumn = 'rank' | 'name' | 'visitors' | 'entries' | 'averageTimeSpentMs' | 'change';
export type SortOrder = 'ascending' | 'descending';
export interface Sorting {
  column: StoreColumn;
  order: SortOrder;
}

export const COLUMNS: { id: StoreColumn; label: string; numeric: boolean }[] = [
  { id: 'rank', label: 'Rank', numeric: true },
  { id: 'name', label: 'Store', numeric: false },
  { id: 'visitors', label: 'Visitors', numeric: true },
  { id: 'entries', label: 'Entrances', numeric: true },
  { id: 'averageTimeSpentMs', label: 'Average time spent', numeric: true },
  { id: 'change', label: 'Change vs previous period', numeric: true },
];

/** The value a row is sorted by; null sorts last whatever the order. */
function key(row: StoresTableRow, column: StoreColumn): number | string | null {
  return column === 'change' ? row.changes.visitors : row[column];
}

function compare(a: number | string, b: number | string): number {
  return typeof a === 'string' || typeof b === 'string'
    ? String(a).localeCompare(String(b), undefined, { sensitivity: 'base' })
    : a - b;
}

export function sortRows(rows: readonly StoresTableRow[], s: Sorting): StoresTableRow[] {
  const sign = s.order === 'ascending' ? 1 : -1;
  return [...rows].sort((x, y) => {
    const a = key(x, s.column);
    const b = key(y, s.column);
    if (a === null || b === null) return a === b ? 0 : a === null ? 1 : -1;
    return sign * compare(a, b) || x.rank - y.rank || x.name.localeCompare(y.name);
  });
}

/** Clicking a column's header: sorted by it (numbers biggest first, names A to Z), or the other way. */
export function nextSorting(current: Sorting, column: StoreColumn): Sorting {
  if (current.column === column)
    return { column, order: current.order === 'ascending' ? 'descending' : 'ascending' };
  const firstOrder = column === 'rank' || column === 'name' ? 'ascending' : 'descending';
  return { column, order: firstOrder };
}

/** Stores whose name holds the words typed (any case). */
export function filterRows(rows: readonly StoresTableRow[], text: string): StoresTableRow[] {
  const words = text.trim().toLowerCase();
  return words ? rows.filter((r) => r.name.toLowerCase().includes(words)) : [...rows];
}
