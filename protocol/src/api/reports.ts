/** Scheduled reports: a store's (or every store's) numbers by e-mail, with an Excel and a PDF file. */
import { type Static, Type } from '@sinclair/typebox';

export const ReportPeriod = Type.Union([
  Type.Literal('daily'),
  Type.Literal('weekly'),
  Type.Literal('monthly'),
]);
export type ReportPeriod = Static<typeof ReportPeriod>;
