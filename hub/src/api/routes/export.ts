/**
 * Downloads. /visits and /numbers (export/routes.ts): for people, CSV or Excel with names and local
 * times. /visits.csv and /summaries.csv: for installers and programs, ids and UTC times.
 */
import { Readable } from 'node:stream';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Id } from '@oskartrack/protocol';
import { Type } from '@sinclair/typebox';
import { ValidationError } from '../../db/errors.ts';
import { csvLine } from '../csv.ts';
import { spreadsheetRoutes } from '../export/routes.ts';
import { errors, Range } from '../schemas.ts';
import { requireStore } from '../scope.ts';
import { caller, range, visibleCamera } from './helpers.ts';

const MAX_EXPORT_DAYS = 366;

function filename(kind: string, storeId: string, from: Date, to: Date): string {
  const day = (d: Date) => d.toISOString().slice(0, 10);
  return `${kind}-${storeId.replace(/[^A-Za-z0-9_.-]/g, '_')}-${day(from)}-${day(to)}.csv`;
}

/** The app as a route plugin of this file sees it. */
type App = Parameters<FastifyPluginAsyncTypebox>[0];

const tags = ['export'];

/** The visits CSV, a page of visits at a time. */
async function* visitRows(
  repos: App['repos'],
  q: { storeId: string; cameraId?: string | undefined },
  from: Date,
  to: Date,
): AsyncGenerator<string> {
  yield csvLine([
    'visit_id',
    'store_id',
    'camera_id',
    'customer_id',
    'track_id',
    'started_at',
    'ended_at',
    'duration_ms',
    'path_points',
  ]);
  let cursor: string | undefined;
  do {
    const page = await repos.visits.list({
      storeId: q.storeId,
      from,
      to,
      limit: 1000,
      ...(q.cameraId ? { cameraId: q.cameraId } : {}),
      ...(cursor ? { cursor } : {}),
    });
    let chunk = '';
    for (const v of page.items) {
      chunk += csvLine([
        v.id,
        v.storeId,
        v.cameraId,
        v.customerId,
        v.trackId,
        v.startedAt,
        v.endedAt,
        v.durationMs,
        Array.isArray(v.path) ? v.path.length : 0,
      ]);
    }
    if (chunk) yield chunk;
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
}

/** GET /visits.csv */
function visitsCsvRoute(app: App): void {
  app.get(
    '/visits.csv',
    {
      schema: {
        tags,
        summary: "A store's visits that started in [from, to) as CSV",
        querystring: Type.Object({ ...Range, storeId: Id, cameraId: Type.Optional(Id) }),
        produces: ['text/csv'],
        response: { ...errors(400, 401, 404) },
      },
    },
    async (request, reply) => {
      const q = request.query;
      const p = caller(request);
      requireStore(p, q.storeId);
      await app.repos.stores.get(q.storeId);
      if (q.cameraId && (await visibleCamera(app, p, q.cameraId)).storeId !== q.storeId) {
        throw new ValidationError('the camera belongs to another store than storeId');
      }
      const { from, to } = range(q);
      if (to.getTime() - from.getTime() > MAX_EXPORT_DAYS * 86_400_000) {
        throw new ValidationError(`export at most ${MAX_EXPORT_DAYS} days at a time`);
      }
      return reply
        .header('content-type', 'text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="${filename('visits', q.storeId, from, to)}"`)
        .send(Readable.from(visitRows(app.repos, q, from, to)));
    },
  );
}

/** GET /summaries.csv */
function summariesCsvRoute(app: App): void {
  app.get(
    '/summaries.csv',
    {
      schema: {
        tags,
        summary: "A store's hourly or daily summaries (per camera and area) as CSV",
        querystring: Type.Object({
          ...Range,
          storeId: Id,
          period: Type.Optional(Type.Union([Type.Literal('hour'), Type.Literal('day')], { default: 'hour' })),
        }),
        produces: ['text/csv'],
        response: { ...errors(400, 401, 404) },
      },
    },
    async (request, reply) => {
      const q = request.query;
      requireStore(caller(request), q.storeId);
      await app.repos.stores.get(q.storeId);
      const { from, to } = range(q);
      const period = q.period ?? 'hour';
      if (to.getTime() - from.getTime() > MAX_EXPORT_DAYS * 86_400_000 * (period === 'day' ? 10 : 1)) {
        throw new ValidationError('the range is too long for one export; choose a shorter one or days');
      }
      const rows = await app.repos.summaries.list({ period, storeId: q.storeId, from, to });
      let text = csvLine([
        'period',
        'bucket_start',
        'store_id',
        'camera_id',
        'zone_id',
        'visitors',
        'entries',
        'exits',
        'dwell_count',
        'total_dwell_ms',
        'avg_dwell_ms',
        'peak_occupancy',
      ]);
      for (const r of rows) {
        text += csvLine([
          r.period,
          r.bucketStart,
          r.storeId,
          r.cameraId,
          r.zoneId,
          r.visitors,
          r.entries,
          r.exits,
          r.dwellCount,
          r.totalDwellMs,
          r.avgDwellMs,
          r.peakOccupancy,
        ]);
      }
      return reply
        .header('content-type', 'text/csv; charset=utf-8')
        .header(
          'content-disposition',
          `attachment; filename="${filename(`summaries-${period}`, q.storeId, from, to)}"`,
        )
        .send(text);
    },
  );
}

const exportRoutes: FastifyPluginAsyncTypebox = async (app) => {
  spreadsheetRoutes(app);
  visitsCsvRoute(app);
  summariesCsvRoute(app);
};

export default exportRoutes;
