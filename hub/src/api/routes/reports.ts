/**
 * Scheduled reports under /api/reports: schedules (store managers for their stores, administrators
 * also for every store at once), a preview download of the Excel or PDF file, and "send now".
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import {
  ReportPreviewQuery,
  ReportSchedule,
  ReportScheduleBody,
  type ReportSchedule as ReportScheduleBodyType,
  ReportSchedulePatch,
  ReportSent,
} from '@oskartrack/protocol';
import { Type } from '@sinclair/typebox';
import { NotFoundError } from '../../db/errors.ts';
import { EmailNotSetUpError } from '../../mail/mailer.ts';
import type { RunRow, ScheduleRow } from '../../reports/schedules-repository.ts';
import { badRequest, forbidden, HttpError } from '../errors.ts';
import { errors, IdParams } from '../schemas.ts';
import { type Principal, requireStore } from '../scope.ts';
import { caller, managerRoute, oneStore, toDate } from './helpers.ts';

type App = Parameters<FastifyPluginAsyncTypebox>[0];
const tags = ['reports'];

/** A schedule the caller may see: their stores' ones; the all-store ones only for administrators. */
function requireSchedule(p: Principal, s: ScheduleRow): void {
  if (s.storeId === null ? p.role !== 'admin' : !(p.role === 'admin' || p.storeIds.includes(s.storeId)))
    throw new NotFoundError('report schedule', s.id);
}

function checkTarget(p: Principal, storeId: string | null): void {
  if (storeId === null) {
    if (p.role !== 'admin')
      throw forbidden('only an administrator can send a report of every store; choose one of your stores');
    return;
  }
  requireStore(p, storeId);
}

function runView(r: RunRow | undefined): ReportScheduleBodyType['lastRun'] {
  if (!r) return null;
  return {
    periodStart: r.periodStart,
    periodEnd: r.periodEnd,
    sentAt: r.sentAt,
    error: r.error,
    attempts: r.attempts,
    summarySource: r.summarySource,
  };
}

async function views(app: App, rows: ScheduleRow[]): Promise<ReportScheduleBodyType[]> {
  const names = new Map((await app.repos.stores.list()).map((s) => [s.id, s.name]));
  const runs = await app.reports.schedules.lastRuns(rows.map((r) => r.id));
  return rows.map((s) => ({
    id: s.id,
    storeId: s.storeId,
    storeName: s.storeId === null ? null : (names.get(s.storeId) ?? null),
    period: s.period,
    recipients: s.recipients,
    enabled: s.enabled,
    createdAt: s.createdAt,
    lastRun: runView(runs.get(s.id)),
  }));
}

async function one(app: App, row: ScheduleRow): Promise<ReportScheduleBodyType> {
  const [v] = await views(app, [row]);
  if (!v) throw new NotFoundError('report schedule', row.id);
  return v;
}

async function visibleSchedule(app: App, p: Principal, id: string): Promise<ScheduleRow> {
  const s = await app.reports.schedules.get(id);
  requireSchedule(p, s);
  return s;
}

function scheduleRoutes(app: App): void {
  app.get(
    '/schedules',
    {
      config: managerRoute,
      schema: {
        tags,
        summary: 'Report schedules of your stores',
        response: { 200: Type.Array(ReportSchedule), ...errors(401, 403) },
      },
    },
    async (request) => {
      const p = caller(request);
      return views(app, await app.reports.schedules.list(p.role === 'admin' ? undefined : p.storeIds));
    },
  );
  app.post(
    '/schedules',
    {
      config: managerRoute,
      schema: {
        tags,
        summary: 'Send a report every day, week or month (storeId null: every store, administrators only)',
        body: ReportScheduleBody,
        response: { 201: ReportSchedule, ...errors(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const p = caller(request);
      checkTarget(p, request.body.storeId);
      if (request.body.storeId !== null) await app.repos.stores.get(request.body.storeId);
      const row = await app.reports.schedules.create({ ...request.body, createdBy: p.userId });
      return reply.code(201).send(await one(app, row));
    },
  );
  app.patch(
    '/schedules/:id',
    {
      config: managerRoute,
      schema: {
        tags,
        summary: 'Change how often, to whom, or pause a report',
        params: IdParams,
        body: ReportSchedulePatch,
        response: { 200: ReportSchedule, ...errors(400, 401, 403, 404) },
      },
    },
    async (request) => {
      await visibleSchedule(app, caller(request), request.params.id);
      return one(app, await app.reports.schedules.update(request.params.id, request.body));
    },
  );
  app.delete(
    '/schedules/:id',
    {
      config: managerRoute,
      schema: {
        tags,
        summary: 'Stop sending a report',
        params: IdParams,
        response: { 204: Type.Null(), ...errors(401, 403, 404) },
      },
    },
    async (request, reply) => {
      await visibleSchedule(app, caller(request), request.params.id);
      await app.reports.schedules.delete(request.params.id);
      return reply.code(204).send(null);
    },
  );
  app.post(
    '/schedules/:id/send-now',
    {
      config: managerRoute,
      schema: {
        tags,
        summary: 'Send the report of the last complete period now (outside the schedule)',
        params: IdParams,
        response: { 200: ReportSent, ...errors(400, 401, 403, 404, 502) },
      },
    },
    async (request) => {
      const s = await visibleSchedule(app, caller(request), request.params.id);
      const range = await app.reports.service.periodBefore(s.storeId, s.period, new Date());
      try {
        const summarySource = await app.reports.service.send(s, range);
        return { recipients: s.recipients, periodStart: range.start, periodEnd: range.end, summarySource };
      } catch (err) {
        if (err instanceof EmailNotSetUpError) throw badRequest(err.message);
        throw new HttpError(502, (err as Error).message);
      }
    },
  );
}

function previewRoute(app: App): void {
  app.get(
    '/preview',
    {
      config: managerRoute,
      schema: {
        tags,
        summary:
          'Download the Excel or PDF report of the last complete period before `at` (default now), with our own summary (never the language model: it may cost money)',
        querystring: ReportPreviewQuery,
        response: { ...errors(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const p = caller(request);
      const q = request.query;
      const storeId = (await oneStore(app, p, { storeId: q.storeId })) ?? null;
      const at = q.at ? toDate(q.at, 'at') : new Date();
      if (at.getUTCFullYear() < 2000 || at.getUTCFullYear() > 2100)
        throw badRequest('choose a date (at) between the years 2000 and 2100');
      const service = app.reports.service;
      const report = await service.build(storeId, await service.periodBefore(storeId, q.period, at));
      const summary = service.templateSummary(report);
      const file =
        q.format === 'xlsx'
          ? await service.excel(report, summary.text)
          : await service.pdf(report, summary.text);
      return reply
        .header('content-type', file.contentType)
        .header('content-disposition', `attachment; filename="${file.filename}"`)
        .header('x-summary-source', summary.source)
        .send(Buffer.from(file.content));
    },
  );
}

const reportRoutes: FastifyPluginAsyncTypebox = async (app) => {
  scheduleRoutes(app);
  previewRoute(app);
};

export default reportRoutes;
