/** Sends an export table as a CSV or Excel download under its file name. */
import type { FastifyReply } from 'fastify';
import { csvStream } from './csv-writer.ts';
import type { Table } from './table.ts';
import { xlsxStream } from './xlsx-writer.ts';

export type ExportFormat = 'csv' | 'xlsx';

export const CONTENT_TYPES: Record<ExportFormat, string> = {
  csv: 'text/csv; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
};

export function sendTable<R>(
  reply: FastifyReply,
  table: Table<R>,
  format: ExportFormat,
  fileName: string,
): FastifyReply {
  return reply
    .header('content-type', CONTENT_TYPES[format])
    .header('content-disposition', `attachment; filename="${fileName}"`)
    .header('cache-control', 'no-store')
    .send(format === 'xlsx' ? xlsxStream(table) : csvStream(table));
}
