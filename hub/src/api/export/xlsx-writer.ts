/**
 * An export table as an Excel workbook, streamed (exceljs's WorkbookWriter writes each row out as it
 * is committed): header row bold and frozen, columns sized, numbers as numbers, times as Excel dates
 * showing the store's wall clock.
 */
import { once } from 'node:events';
import { PassThrough, type Readable } from 'node:stream';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { wallClock } from '@oskartrack/protocol';
import ExcelJS from 'exceljs';
import { type CellKind, type CellValue, seconds, slices, type Table } from './table.ts';

const FORMATS: Record<CellKind, string | undefined> = {
  text: undefined,
  count: '0',
  seconds: '0',
  time: 'yyyy-mm-dd hh:mm:ss',
  date: 'yyyy-mm-dd',
};

function xlsxCell(kind: CellKind, value: CellValue, timeZone: string): string | number | Date | null {
  if (value instanceof Date) return wallClock(value, timeZone);
  if (kind === 'seconds' && typeof value === 'number') return seconds(value);
  return value;
}

/** A slow reader holds the writing back instead of filling memory; a gone one stops it. */
async function roomIn(out: PassThrough): Promise<void> {
  if (!out.writableNeedDrain) return;
  const ac = new AbortController();
  await Promise.race([once(out, 'drain', ac), once(out, 'close', ac)]).finally(() => ac.abort());
  if (out.destroyed) throw new Error('the download was cancelled');
}

async function writeWorkbook<R>(table: Table<R>, out: PassThrough): Promise<void> {
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true });
  const sheet = workbook.addWorksheet(table.title, { views: [{ state: 'frozen', ySplit: 1 }] });
  sheet.columns = table.columns.map((c, i) => ({
    header: c.header,
    key: String(i),
    width: c.width,
    ...(FORMATS[c.kind] ? { style: { numFmt: FORMATS[c.kind]! } } : {}),
  }));
  const header = sheet.getRow(1);
  header.font = { bold: true };
  header.commit();
  for await (const batch of table.batches) {
    for (const rows of slices(batch)) {
      for (const row of rows) {
        sheet.addRow(table.columns.map((c) => xlsxCell(c.kind, c.value(row), table.timeZone))).commit();
      }
      await roomIn(out);
      await nextTurn();
    }
  }
  sheet.commit();
  await workbook.commit();
}

export function xlsxStream<R>(table: Table<R>): Readable {
  const out = new PassThrough();
  writeWorkbook(table, out).catch((err: unknown) =>
    out.destroy(err instanceof Error ? err : new Error(String(err))),
  );
  return out;
}
