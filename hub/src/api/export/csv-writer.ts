/** An export table as CSV for spreadsheets: a UTF-8 BOM (Excel then reads accents right), CRLF lines. */
import { Readable } from 'node:stream';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { localDate, localDateTime } from '@oskartrack/protocol';
import { type CsvValue, csvLine } from '../csv.ts';
import { type CellKind, type CellValue, seconds, slices, type Table } from './table.ts';

const BOM = '\uFEFF';

function csvCell(kind: CellKind, value: CellValue, timeZone: string): CsvValue {
  if (value === null) return null;
  if (value instanceof Date)
    return kind === 'date' ? localDate(value, timeZone) : localDateTime(value, timeZone);
  if (kind === 'seconds' && typeof value === 'number') return seconds(value);
  return value;
}

async function* csvText<R>(table: Table<R>): AsyncGenerator<string> {
  yield BOM + csvLine(table.columns.map((c) => c.header));
  for await (const batch of table.batches) {
    for (const rows of slices(batch)) {
      let chunk = '';
      for (const row of rows) {
        chunk += csvLine(table.columns.map((c) => csvCell(c.kind, c.value(row), table.timeZone)));
      }
      if (chunk) yield chunk;
      // Let other requests run between slices.
      await nextTurn();
    }
  }
}

export function csvStream<R>(table: Table<R>): Readable {
  return Readable.from(csvText(table));
}
