/** Reading the files a report comes with, for tests: the workbook (exceljs) and the PDF's text. */
import ExcelJS from 'exceljs';

export async function openWorkbook(content: Uint8Array): Promise<ExcelJS.Workbook> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(Buffer.from(content) as unknown as ArrayBuffer);
  return wb;
}

/**
 * The text of an uncompressed pdfkit PDF: its text operators hold hex strings (`[<48656c> 20 <6c6f>] TJ`);
 * the pieces of one operator are joined.
 */
export function pdfText(content: Uint8Array): string {
  const raw = Buffer.from(content).toString('latin1');
  const out: string[] = [];
  for (const m of raw.matchAll(/\[([^\]]*)\]\s*TJ/g)) {
    const pieces = [...(m[1] ?? '').matchAll(/<([0-9a-fA-F]*)>/g)].map((p) =>
      Buffer.from(p[1] ?? '', 'hex').toString('latin1'),
    );
    out.push(pieces.join(''));
  }
  return out.join('\n');
}
