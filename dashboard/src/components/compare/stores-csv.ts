/** The store table as CSV for a spreadsheet: friendly headers, a file name naming the days. */
import type { StoresTableRow } from '@oskartrack/protocol';
import type { DayRange } from '../../lib/format.ts';
import { saveBlob } from '../../lib/save-file.ts';

const HEADERS = [
  'Rank',
  'Store',
  'Visitors',
  'Entrances',
  'Average time spent (seconds)',
  'Most people inside',
  'Visitors in the previous period',
  'Change in visitors vs previous period (%)',
];

/** A cell, quoted; text a spreadsheet would run as a formula (=, +, -, @) is kept as text. */
function cell(value: string | number | null): string {
  if (value === null) return '';
  if (typeof value === 'number') return String(value);
  const text = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\n\r]/.test(text) || text !== value ? `"${text.replace(/"/g, '""')}"` : text;
}

export function storesCsv(rows: readonly StoresTableRow[]): string {
  const lines = rows.map((r) =>
    [
      r.rank,
      r.name,
      r.visitors,
      r.entries,
      Math.round(r.averageTimeSpentMs / 1000),
      r.peakInside,
      r.previous.visitors,
      r.changes.visitors === null ? null : Math.round(r.changes.visitors * 1000) / 10,
    ]
      .map(cell)
      .join(','),
  );
  return `${[HEADERS.join(','), ...lines].join('\r\n')}\r\n`;
}

/** `stores-2026-11-01-to-2026-11-30.csv` (one day too: `stores-2026-11-01-to-2026-11-01.csv`). */
export function storesCsvName(r: DayRange): string {
  return `stores-${r.fromDay}-to-${r.toDay}.csv`;
}

/** Hands the text to the browser as a download. */
export function saveCsv(text: string, name: string): void {
  saveBlob(new Blob([text], { type: 'text/csv;charset=utf-8' }), name);
}
