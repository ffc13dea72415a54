/**
 * The Excel file of a report (exceljs): a summary sheet with one row per store, then a sheet per
 * store with its days and areas. Dates are the stores' local dates; the event loop gets a turn
 * between stores.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import ExcelJS from 'exceljs';
import type { LocalDate } from './period.ts';
import type { Report, StoreReport } from './report-data.ts';
import { hourSpan, minutes, PREVIOUS_WORDS, rangeWords, subjectOf } from './words.ts';

const excelDate = (d: LocalDate) => new Date(Date.UTC(d.year, d.month - 1, d.day));
const bold = { font: { bold: true } } as const;

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

function summarySheet(wb: ExcelJS.Workbook, r: Report, summary: string): void {
  const ws = wb.addWorksheet('Summary');
  ws.getCell('A1').value = subjectOf(r.title, r.range);
  ws.getCell('A1').font = { bold: true, size: 14 };
  ws.getCell('A2').value = summary;
  ws.getCell('A2').alignment = { wrapText: true, vertical: 'top' };
  ws.mergeCells('A2:I2');
  ws.getRow(2).height = 60;
  const previous = PREVIOUS_WORDS[r.period];
  const header = ws.getRow(4);
  header.values = [
    'Store',
    'Visitors',
    'Entrances',
    'Average time spent (minutes)',
    'Busiest day',
    'Busiest hour',
    `Visitors ${previous}`,
    `Change against ${previous} (%)`,
    `Visitors ${r.stores[0]?.earlierWords ?? ''}`.trim(),
  ];
  header.font = bold.font;
  for (const s of r.stores) {
    ws.addRow([
      s.storeName,
      s.totals.visitors,
      s.totals.entries,
      minutes(s.totals.averageTimeSpentMs),
      s.busiestDay ? excelDate(s.busiestDay.day.date) : null,
      s.busiestHour ? hourSpan(s.busiestHour.hour) : null,
      s.previous.visitors,
      percentChange(s.totals.visitors, s.previous.visitors),
      s.earlier.visitors,
    ]);
  }
  ws.getColumn(1).width = 28;
  for (let c = 2; c <= 9; c++) ws.getColumn(c).width = 18;
  ws.getColumn(5).numFmt = 'dddd d mmm yyyy';
}

function storeSheet(wb: ExcelJS.Workbook, s: StoreReport, name: string): void {
  const ws = wb.addWorksheet(name);
  ws.getCell('A1').value = `${s.storeName} — ${rangeWords(s.range)}`;
  ws.getCell('A1').font = { bold: true, size: 13 };
  ws.getCell('A2').value = `Dates and hours in the store's time zone (${s.timezone})`;
  const dayHeader = ws.getRow(4);
  dayHeader.values = ['Date', 'Day', 'Visitors', 'Entrances', 'Average time spent (minutes)'];
  dayHeader.font = bold.font;
  for (const d of s.days) {
    const row = ws.addRow([
      excelDate(d.date),
      d.weekday,
      d.visitors,
      d.entries,
      minutes(d.averageTimeSpentMs),
    ]);
    row.getCell(1).numFmt = 'yyyy-mm-dd';
  }
  ws.addRow([]);
  const areaHeader = ws.addRow([
    'Area',
    'Visitors',
    'Average time spent (minutes)',
    'Total time spent (hours)',
  ]);
  areaHeader.font = bold.font;
  if (s.areas.length === 0) ws.addRow(['No areas with visitors in this period']);
  for (const a of s.areas)
    ws.addRow([
      a.name,
      a.visitors,
      minutes(a.averageTimeSpentMs),
      Math.round(a.totalTimeSpentMs / 360_000) / 10,
    ]);
  ws.getColumn(1).width = 24;
  for (let c = 2; c <= 5; c++) ws.getColumn(c).width = 18;
}

/** The workbook as bytes. */
export async function buildWorkbook(r: Report, summary: string): Promise<Uint8Array> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'OskarTrack';
  summarySheet(wb, r, summary);
  const taken = new Set(['summary']);
  for (const s of r.stores) {
    storeSheet(wb, s, sheetName(s.storeName, taken));
    await nextTurn();
  }
  const buffer = await wb.xlsx.writeBuffer();
  return new Uint8Array(buffer as ArrayBuffer);
}
