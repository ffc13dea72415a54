/** CSV as spreadsheets read it (RFC 4180), with a guard against formula injection. */

export type CsvValue = string | number | boolean | Date | null | undefined;

/**
 * One field: quoted when it holds a comma, quote, CR or LF (quotes doubled). Text starting with
 * = + - @ or a tab/CR is prefixed with ' so a spreadsheet shows it instead of running it; numbers are
 * written as they are.
 */
export function csvField(value: CsvValue): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  let text = value;
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function csvLine(values: readonly CsvValue[]): string {
  return `${values.map(csvField).join(',')}\r\n`;
}
