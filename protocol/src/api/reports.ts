/** Scheduled reports: a store's (or every store's) numbers by e-mail, with an Excel and a PDF file. */
import { type Static, Type } from '@sinclair/typebox';
import { DateTime, NullableDateTime, Uuid, type Wire } from './wire.ts';

export const ReportPeriod = Type.Union([
  Type.Literal('daily'),
  Type.Literal('weekly'),
  Type.Literal('monthly'),
]);
export type ReportPeriod = Static<typeof ReportPeriod>;

/** How the summary on top of a report was written: our own sentences or the language model's. */
export const SummarySource = Type.Union([Type.Literal('template'), Type.Literal('language-model')]);
export type SummarySource = Static<typeof SummarySource>;

const Recipients = Type.Array(Type.String({ format: 'email', maxLength: 320 }), {
  minItems: 1,
  maxItems: 20,
});

/** The last report a schedule made (or tried to). */
export const ReportRun = Type.Object({
  periodStart: DateTime,
  periodEnd: DateTime,
  sentAt: NullableDateTime,
  /** Why the last try failed; null when it went out (or is being made). */
  error: Type.Union([Type.String(), Type.Null()]),
  attempts: Type.Integer(),
  summarySource: Type.Union([SummarySource, Type.Null()]),
});
export type ReportRun = Static<typeof ReportRun>;

export const ReportSchedule = Type.Object({
  id: Uuid,
  /** null: every store (administrators only). */
  storeId: Type.Union([Type.String(), Type.Null()]),
  storeName: Type.Union([Type.String(), Type.Null()]),
  period: ReportPeriod,
  recipients: Type.Array(Type.String()),
  enabled: Type.Boolean(),
  createdAt: DateTime,
  lastRun: Type.Union([ReportRun, Type.Null()]),
});
export type ReportSchedule = Static<typeof ReportSchedule>;
export type ReportScheduleWire = Wire<ReportSchedule>;

export const ReportScheduleBody = Type.Object({
  storeId: Type.Union([Type.String({ minLength: 1, maxLength: 200 }), Type.Null()]),
  period: ReportPeriod,
  recipients: Recipients,
  enabled: Type.Optional(Type.Boolean()),
});
export type ReportScheduleBody = Static<typeof ReportScheduleBody>;

export const ReportSchedulePatch = Type.Object({
  period: Type.Optional(ReportPeriod),
  recipients: Type.Optional(Recipients),
  enabled: Type.Optional(Type.Boolean()),
});
export type ReportSchedulePatch = Static<typeof ReportSchedulePatch>;

export const ReportFormat = Type.Union([Type.Literal('xlsx'), Type.Literal('pdf')]);
export type ReportFormat = Static<typeof ReportFormat>;

/** `GET /api/reports/preview`: the report of the last complete period before `at` (default now). */
export const ReportPreviewQuery = Type.Object({
  /** Absent: the caller's only store, or every store for an administrator. */
  storeId: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  period: ReportPeriod,
  at: Type.Optional(Type.String({ format: 'date-time' })),
  format: ReportFormat,
});
export type ReportPreviewQuery = Static<typeof ReportPreviewQuery>;

/** What `POST /api/reports/schedules/:id/send-now` did. */
export const ReportSent = Type.Object({
  recipients: Type.Array(Type.String()),
  periodStart: DateTime,
  periodEnd: DateTime,
  summarySource: SummarySource,
});
export type ReportSent = Static<typeof ReportSent>;

/** The optional language model that writes the summary (an OpenAI-compatible server); the key is write-only. */
export const ReportWriterSettings = Type.Object({
  enabled: Type.Boolean(),
  /** The API's base address, e.g. https://api.openai.com/v1 (the hub posts to {endpoint}/chat/completions). */
  endpoint: Type.String({ maxLength: 2000 }),
  model: Type.String({ maxLength: 200 }),
  keySet: Type.Boolean(),
});
export type ReportWriterSettings = Static<typeof ReportWriterSettings>;

/** A missing key keeps the stored one; `null` removes it. */
export const ReportWriterSettingsBody = Type.Object({
  enabled: Type.Boolean(),
  endpoint: Type.String({ maxLength: 2000 }),
  model: Type.String({ maxLength: 200 }),
  apiKey: Type.Optional(Type.Union([Type.String({ maxLength: 1000 }), Type.Null()])),
});
export type ReportWriterSettingsBody = Static<typeof ReportWriterSettingsBody>;
