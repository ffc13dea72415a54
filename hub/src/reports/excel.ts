/**
 * The Excel file of a report (exceljs' streaming writer, so the file is zipped in small steps): a
 * summary sheet with one row per store, then a sheet per store with its days and areas. Dates are the
 * stores' local dates; the event loop gets a turn between stores.
 */
import { PassThrough } from 'node:stream';
import { setImmediate as nextTurn } from 'node:timers/promises';
import ExcelJS from 'exceljs';
import type { LocalDate } from './period.ts';
import type { Report, StoreReport } from './report-data.ts';
import { hourSpan, minutes, PREVIOUS_WORDS, rangeWords, subjectOf } from './words.ts';

type Sheet = ExcelJS.Worksheet;

const excelDate = (d: LocalDate) => new Date(Date.UTC(d.year, d.month - 1, d.day));
const BOLD = { bold: true } as const;

/** Sheet names: at most 31 characters, none of []:*?/\, unique in the workbook. */
function sheetName(name: string, taken: Set<string>): string {
  const base =
    name
      .replace(/[[\]:*?/\\]/g, ' ')
      .trim()
      .slice(0, 28) || 'Store';
  let candidate = base;
  for (let i = 2; taken.has(candidate.toLowerCase()); i++) candidate = `${base} ${i}`;
  taken.add(candidate.toLowerCase());
  return candidate;
}

function percentChange(now: number, before: number): number | null {
  return before > 0 ? Math.round(((now - before) / before) * 100) : null;
}

/** Adds a row and hands it to the writer (rows go out in order). */
function put(ws: Sheet, values: unknown[], style?: (row: ExcelJS.Row) => void): void {
  const row = ws.addRow(values);
  style?.(row);
  row.commit();
}

function summarySheet(wb: ExcelJS.stream.xlsx.WorkbookWriter, r: Report, summary: string): void {
  const ws = wb.addWorksheet('Summary');
  ws.columns = [{ width: 28 }, ...Array.from({ length: 8 }, () => ({ width: 18 }))];
  const previous = PREVIOUS_WORDS[r.period];
  put(ws, [subjectOf(r.title, r.range)], (row) => {
    row.font = { bold: true, size: 14 };
  });
  put(ws, [summary], (row) => {
    row.height = 60;
    row.alignment = { wrapText: true, vertical: 'top' };
  });
  put(ws, []);
  put(
    ws,
    [
      'Store',
      'Visitors',
      'Entrances',
      'Average time spent (minutes)',
      'Busiest day',
      'Busiest hour',
      `Visitors ${previous}`,
      `Change against ${previous} (%)`,
      `Visitors ${r.stores[0]?.earlierWords ?? ''}`.trim(),
    ],
    (row) => {
      row.font = BOLD;
    },
  );
  for (const s of r.stores) {
    put(
      ws,
      [
        s.storeName,
        s.totals.visitors,
        s.totals.entries,
        minutes(s.totals.averageTimeSpentMs),
        s.busiestDay ? excelDate(s.busiestDay.day.date) : null,
        s.busiestHour ? hourSpan(s.busiestHour.hour) : null,
        s.previous.visitors,
        percentChange(s.totals.visitors, s.previous.visitors),
        s.earlier.visitors,
      ],
      (row) => {
        row.getCell(5).numFmt = 'dddd d mmm yyyy';
      },
    );
  }
  ws.commit();
}

function storeSheet(wb: ExcelJS.stream.xlsx.WorkbookWriter, s: StoreReport, name: string): void {
  const ws = wb.addWorksheet(name);
  ws.columns = [{ width: 24 }, ...Array.from({ length: 4 }, () => ({ width: 18 }))];
  put(ws, [`${s.storeName} — ${rangeWords(s.range)}`], (row) => {
    row.font = { bold: true, size: 13 };
  });
  put(ws, [`Dates and hours in the store's time zone (${s.timezone})`]);
  put(ws, []);
  put(ws, ['Date', 'Day', 'Visitors', 'Entrances', 'Average time spent (minutes)'], (row) => {
    row.font = BOLD;
  });
  for (const d of s.days)
    put(ws, [excelDate(d.date), d.weekday, d.visitors, d.entries, minutes(d.averageTimeSpentMs)], (row) => {
      row.getCell(1).numFmt = 'yyyy-mm-dd';
    });
  put(ws, []);
  put(ws, ['Area', 'Visitors', 'Average time spent (minutes)', 'Total time spent (hours)'], (row) => {
    row.font = BOLD;
  });
  if (s.areas.length === 0) put(ws, ['No areas with visitors in this period']);
  for (const a of s.areas)
    put(ws, [
      a.name,
      a.visitors,
      minutes(a.averageTimeSpentMs),
      Math.round(a.totalTimeSpentMs / 360_000) / 10,
    ]);
  ws.commit();
}

/** The workbook as bytes. */
export async function buildWorkbook(r: Report, summary: string): Promise<Uint8Array> {
  const stream = new PassThrough();
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<void>((resolve, reject) => {
    stream.on('end', resolve);
    stream.on('error', reject);
  });
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream, useStyles: true, useSharedStrings: false });
  wb.creator = 'OskarTrack';
  summarySheet(wb, r, summary);
  const taken = new Set(['summary']);
  for (const s of r.stores) {
    storeSheet(wb, s, sheetName(s.storeName, taken));
    await nextTurn();
  }
  await wb.commit();
  await done;
  return new Uint8Array(Buffer.concat(chunks));
}
