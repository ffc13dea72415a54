/**
 * Makes and sends reports: the numbers (report-data), the summary (the language model when an
 * administrator set one up and it answers, our own sentences otherwise), the Excel and PDF files, and
 * the e-mail through the administrator's mail server.
 *
 * The period of an all-store report: its dates are the last complete period in the time zone of the
 * hub's first store (the one created first; UTC when there is none), and each store's numbers cover
 * those same dates in the store's own time zone.
 */
import type { ReportPeriod, SummarySource } from '@oskartrack/protocol';
import type { AnalyticsService } from '../api/analytics.ts';
import type { HubSettingsRepository } from '../db/repositories/settings.ts';
import type { Store, StoresRepository } from '../db/repositories/stores.ts';
import type { Mailer } from '../mail/mailer.ts';
import { buildWorkbook } from './excel.ts';
import { LANGUAGE_MODEL_TIMEOUT_MS, writeWithLanguageModel } from './language-model.ts';
import { buildPdf, type PdfOptions } from './pdf.ts';
import { lastCompleteRange, type ReportRange, rangeBetween } from './period.ts';
import { type Report, storeReport } from './report-data.ts';
import { writeSummary } from './summary-template.ts';
import { fileNameOf, rangeWords, subjectOf } from './words.ts';
import { loadWriterSettings } from './writer-settings.ts';

export const ALL_STORES_TITLE = 'All stores';
export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
export const PDF_TYPE = 'application/pdf';

export interface ReportLog {
  warn(obj: object, msg: string): void;
}

export interface ReportServiceOptions {
  analytics: Pick<AnalyticsService, 'summary' | 'timeSeries' | 'zones' | 'compare'>;
  stores: Pick<StoresRepository, 'get' | 'list'>;
  settings: HubSettingsRepository;
  mailer: Mailer;
  log?: ReportLog | undefined;
  /** How long the language model may take (default 30 s). */
  languageModelTimeoutMs?: number | undefined;
  pdf?: PdfOptions | undefined;
}

export interface WrittenSummary {
  text: string;
  source: SummarySource;
}

export interface ReportFile {
  filename: string;
  content: Uint8Array;
  contentType: string;
}

export class ReportService {
  constructor(private readonly o: ReportServiceOptions) {}

  /** The stores a report covers: one, or every store (storeId null). */
  private async storesOf(storeId: string | null): Promise<Store[]> {
    return storeId === null ? this.o.stores.list() : [await this.o.stores.get(storeId)];
  }

  /** The time zone a report's period is worked out in (see the top of this file). */
  async zoneOf(storeId: string | null): Promise<string> {
    if (storeId !== null) return (await this.o.stores.get(storeId)).timezone;
    const stores = await this.o.stores.list();
    const first = stores.sort(
      (a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a.id.localeCompare(b.id),
    )[0];
    return first?.timezone ?? 'UTC';
  }

  /** The last complete period before `at`. */
  async periodBefore(storeId: string | null, period: ReportPeriod, at: Date): Promise<ReportRange> {
    return lastCompleteRange(period, at, await this.zoneOf(storeId));
  }

  /** The range of a claimed run, from its own instants (not the schedule's period now). */
  async rangeOfRun(
    storeId: string | null,
    run: { periodStart: Date; periodEnd: Date },
  ): Promise<ReportRange> {
    return rangeBetween(run.periodStart, run.periodEnd, await this.zoneOf(storeId));
  }

  /** The numbers of a report (stores one after another, so a big hub is read in small steps). */
  async build(storeId: string | null, range: ReportRange): Promise<Report> {
    const stores = await this.storesOf(storeId);
    const reports = [];
    for (const s of stores) reports.push(await storeReport(this.o.analytics, s, range));
    return {
      title: storeId === null ? ALL_STORES_TITLE : (stores[0]?.name ?? ALL_STORES_TITLE),
      allStores: storeId === null,
      period: range.period,
      range,
      stores: reports,
    };
  }

  /** The language model's summary when it is set up and answers in time, else our own sentences. */
  async summarize(report: Report): Promise<WrittenSummary> {
    const settings = await loadWriterSettings(this.o.settings);
    if (settings?.enabled) {
      const r = await writeWithLanguageModel(
        settings,
        report,
        this.o.languageModelTimeoutMs ?? LANGUAGE_MODEL_TIMEOUT_MS,
      );
      if (r.text) return { text: r.text, source: 'language-model' };
      this.o.log?.warn({ problem: r.problem }, 'report summary: the language model was not used');
    }
    return this.templateSummary(report);
  }

  /** Our own sentences only: previews never call the language model (each call may cost money). */
  templateSummary(report: Report): WrittenSummary {
    return { text: writeSummary(report), source: 'template' };
  }

  async excel(report: Report, summary: string): Promise<ReportFile> {
    return {
      filename: fileNameOf(report.title, report.range, 'xlsx'),
      content: await buildWorkbook(report, summary),
      contentType: XLSX_TYPE,
    };
  }

  async pdf(report: Report, summary: string): Promise<ReportFile> {
    return {
      filename: fileNameOf(report.title, report.range, 'pdf'),
      content: await buildPdf(report, summary, this.o.pdf),
      contentType: PDF_TYPE,
    };
  }

  /** Builds the report of the period and e-mails it with both files; says how the summary was written. */
  async send(
    schedule: { storeId: string | null; recipients: string[] },
    range: ReportRange,
  ): Promise<SummarySource> {
    const report = await this.build(schedule.storeId, range);
    const summary = await this.summarize(report);
    const xlsx = await this.excel(report, summary.text);
    const pdf = await this.pdf(report, summary.text);
    await this.o.mailer.send({
      to: schedule.recipients,
      subject: subjectOf(report.title, range),
      text: `${summary.text}\n\nThe attached Excel and PDF files hold the numbers for ${rangeWords(range)} per day and per area.\n\n— OskarTrack`,
      attachments: [xlsx, pdf],
    });
    return summary.source;
  }
}
