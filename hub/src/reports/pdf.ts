/**
 * The PDF file of a report (pdfkit): a page per store (after an overview page when the report covers
 * every store) with a heading, the summary, a small table and a bar chart drawn with pdfkit's own
 * lines and rectangles. The event loop gets a turn between pages.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import PDFDocument from 'pdfkit';
import type { Report, StoreReport } from './report-data.ts';
import { storeSummary } from './summary-template.ts';
import { count, duration, hourSpan, rangeWords, subjectOf } from './words.ts';

type Doc = PDFKit.PDFDocument;

export interface PdfOptions {
  /** Compress the page contents (default true; tests read the text uncompressed). */
  compress?: boolean;
}

const LEFT = 50;
const WIDTH = 495;
const ACCENT = '#2563eb';

function heading(doc: Doc, title: string, subtitle: string): void {
  doc.font('Helvetica-Bold').fontSize(18).fillColor('#111827').text(title, LEFT, 50, { width: WIDTH });
  doc.font('Helvetica').fontSize(11).fillColor('#6b7280').text(subtitle, { width: WIDTH });
  doc.moveDown(0.8);
}

function paragraph(doc: Doc, text: string): void {
  doc
    .font('Helvetica')
    .fontSize(11)
    .fillColor('#111827')
    .text(text, LEFT, doc.y, { width: WIDTH, lineGap: 2 });
  doc.moveDown(1);
}

/** Two columns of label and value. */
function table(doc: Doc, rows: [string, string][]): void {
  const top = doc.y;
  rows.forEach(([label, value], i) => {
    const y = top + i * 20;
    if (i % 2 === 0) doc.rect(LEFT, y - 4, WIDTH, 20).fill('#f3f4f6');
    doc
      .font('Helvetica')
      .fontSize(10)
      .fillColor('#374151')
      .text(label, LEFT + 8, y, { width: 240 });
    doc
      .font('Helvetica-Bold')
      .fillColor('#111827')
      .text(value, LEFT + 250, y, { width: 230 });
  });
  doc.x = LEFT;
  doc.y = top + rows.length * 20 + 16;
}

function barChart(doc: Doc, title: string, bars: { label: string; value: number }[]): void {
  if (bars.length === 0) return;
  doc.font('Helvetica-Bold').fontSize(11).fillColor('#111827').text(title, LEFT, doc.y, { width: WIDTH });
  const top = doc.y + 6;
  const height = 150;
  const max = Math.max(1, ...bars.map((b) => b.value));
  const slot = WIDTH / bars.length;
  const barWidth = Math.max(2, slot * 0.7);
  doc
    .moveTo(LEFT, top + height)
    .lineTo(LEFT + WIDTH, top + height)
    .lineWidth(0.5)
    .stroke('#9ca3af');
  const labelEvery = Math.ceil(bars.length / 16);
  bars.forEach((b, i) => {
    const h = (b.value / max) * height;
    const x = LEFT + i * slot + (slot - barWidth) / 2;
    if (h > 0) doc.rect(x, top + height - h, barWidth, h).fill(ACCENT);
    if (i % labelEvery === 0)
      doc
        .font('Helvetica')
        .fontSize(7)
        .fillColor('#374151')
        .text(b.label, LEFT + i * slot, top + height + 3, {
          width: slot * labelEvery,
          align: 'left',
        });
  });
  doc
    .font('Helvetica')
    .fontSize(8)
    .fillColor('#6b7280')
    .text(`Highest: ${count(max)}`, LEFT, top - 2, {
      width: WIDTH,
      align: 'right',
    });
  doc.x = LEFT;
  doc.y = top + height + 20;
}

function storeRows(s: StoreReport): [string, string][] {
  return [
    ['Visitors', count(s.totals.visitors)],
    ['Entrances', count(s.totals.entries)],
    ['Average time spent', s.totals.averageTimeSpentMs > 0 ? duration(s.totals.averageTimeSpentMs) : '-'],
    ['Busiest day', s.busiestDay ? `${s.busiestDay.day.weekday} ${s.busiestDay.day.date.day}` : '-'],
    ['Busiest hour', s.busiestHour ? hourSpan(s.busiestHour.hour) : '-'],
    ['Area with the most time spent', s.areas[0]?.name ?? '-'],
  ];
}

function storePage(doc: Doc, s: StoreReport, summary: string): void {
  heading(doc, s.storeName, `${rangeWords(s.range)} · times in ${s.timezone}`);
  paragraph(doc, summary);
  table(doc, storeRows(s));
  if (s.range.period === 'daily')
    barChart(
      doc,
      'Visitors per area',
      s.areas.slice(0, 20).map((a) => ({ label: a.name, value: a.visitors })),
    );
  else
    barChart(
      doc,
      'Visitors per day',
      s.days.map((d) => ({ label: `${d.weekday.slice(0, 3)} ${d.date.day}`, value: d.visitors })),
    );
}

function overviewPage(doc: Doc, r: Report, summary: string): void {
  heading(doc, subjectOf(r.title, r.range), `${r.stores.length} stores`);
  paragraph(doc, summary);
  table(
    doc,
    r.stores
      .slice(0, 25)
      .map((s) => [s.storeName, `${count(s.totals.visitors)} visitors`] as [string, string]),
  );
  if (r.stores.length > 25)
    paragraph(doc, `…and ${r.stores.length - 25} more stores on the following pages.`);
}

/** The PDF as bytes. */
export async function buildPdf(r: Report, summary: string, options: PdfOptions = {}): Promise<Uint8Array> {
  const doc = new PDFDocument({
    size: 'A4',
    margin: 50,
    compress: options.compress ?? true,
    autoFirstPage: false,
    info: { Title: subjectOf(r.title, r.range), Creator: 'OskarTrack' },
  });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<void>((resolve, reject) => {
    doc.on('end', resolve);
    doc.on('error', reject);
  });
  const single = !r.allStores;
  if (!single) {
    doc.addPage();
    overviewPage(doc, r, summary);
  }
  for (const s of r.stores) {
    doc.addPage();
    storePage(doc, s, single ? summary : storeSummary(s));
    await nextTurn();
  }
  if (r.stores.length === 0) {
    doc.addPage();
    heading(doc, subjectOf(r.title, r.range), '');
    paragraph(doc, summary);
  }
  doc.end();
  await done;
  return new Uint8Array(Buffer.concat(chunks));
}
