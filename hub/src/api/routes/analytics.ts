import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import {
  AnalyticsSummary,
  Flows,
  Heatmap,
  Id,
  StoreComparison,
  TimeSeries,
  ZoneStats,
} from '@oskartrack/protocol';
import { Type } from '@sinclair/typebox';
import { ValidationError } from '../../db/errors.ts';
import { errors, Range } from '../schemas.ts';
import { type Principal, requireStore, storeFilter } from '../scope.ts';
import { cachedAnswer, caller, range, visibleCamera } from './helpers.ts';

const SourceChoice = Type.Union([Type.Literal('auto'), Type.Literal('raw'), Type.Literal('summaries')], {
  default: 'auto',
  description: 'auto: raw data up to 48 hours, hourly summaries beyond',
});
/** Uploaded recordings are kept apart: counted only when asked. */
const Recordings = {
  includeRecordings: Type.Optional(
    Type.Boolean({
      default: false,
      description: 'also count uploaded recordings (default: live cameras only)',
    }),
  ),
};
const StoreRange = Type.Object({
  ...Range,
  storeId: Id,
  cameraId: Type.Optional(Id),
  source: Type.Optional(SourceChoice),
  ...Recordings,
});

/** The app as a route plugin of this file sees it. */
type App = Parameters<FastifyPluginAsyncTypebox>[0];

const tags = ['analytics'];

/** The caller may see the store, and the camera (if named) is one of that store's. */
async function checkScope(
  app: App,
  p: Principal,
  q: { storeId: string; cameraId?: string | undefined },
): Promise<void> {
  requireStore(p, q.storeId);
  if (q.cameraId) {
    const camera = await visibleCamera(app, p, q.cameraId);
    if (camera.storeId !== q.storeId)
      throw new ValidationError('the camera belongs to another store than storeId');
  }
}

/** One store's numbers: summary, time series, per area. */
function storeNumberRoutes(app: App): void {
  app.get(
    '/summary',
    {
      config: cachedAnswer,
      schema: {
        tags,
        summary: 'Visitors, entries, exits, average time spent and busiest hour for a time range',
        querystring: StoreRange,
        response: {
          200: AnalyticsSummary,
          ...errors(400, 401, 404),
        },
      },
    },
    async (request) => {
      const q = request.query;
      await checkScope(app, caller(request), q);
      return app.analytics.summary({ ...q, ...range(q) });
    },
  );

  app.get(
    '/timeseries',
    {
      config: cachedAnswer,
      schema: {
        tags,
        summary: 'Counts per hour (UTC hours) or per day (store-local days)',
        querystring: Type.Composite([
          StoreRange,
          Type.Object({
            interval: Type.Union([Type.Literal('hour'), Type.Literal('day')], { default: 'hour' }),
          }),
        ]),
        response: {
          200: TimeSeries,
          ...errors(400, 401, 404),
        },
      },
    },
    async (request) => {
      const q = request.query;
      await checkScope(app, caller(request), q);
      return app.analytics.timeSeries({ ...q, ...range(q), interval: q.interval ?? 'hour' });
    },
  );

  app.get(
    '/zones',
    {
      config: cachedAnswer,
      schema: {
        tags,
        summary: 'Per area: visitors, entries and average time spent',
        querystring: StoreRange,
        response: {
          200: ZoneStats,
          ...errors(400, 401, 404),
        },
      },
    },
    async (request) => {
      const q = request.query;
      await checkScope(app, caller(request), q);
      return app.analytics.zones({ ...q, ...range(q) });
    },
  );
}

/** Where visitors went: flows between areas and the heatmap. */
function movementRoutes(app: App): void {
  app.get(
    '/flows',
    {
      config: cachedAnswer,
      schema: {
        tags,
        summary: 'How visitors walked from area to area (from null: the first area they entered)',
        querystring: Type.Object({
          ...Range,
          storeId: Id,
          cameraId: Type.Optional(Id),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 200 })),
          ...Recordings,
        }),
        response: {
          200: Flows,
          ...errors(400, 401, 404),
        },
      },
    },
    async (request) => {
      const q = request.query;
      await checkScope(app, caller(request), q);
      return app.analytics.flows({ ...q, ...range(q) });
    },
  );

  app.get(
    '/heatmap',
    {
      config: cachedAnswer,
      schema: {
        tags,
        summary: "Where people walked on a camera's picture: path points per grid cell",
        querystring: Type.Object({
          ...Range,
          cameraId: Id,
          cols: Type.Optional(Type.Integer({ minimum: 1, maximum: 256, default: 32 })),
          rows: Type.Optional(Type.Integer({ minimum: 1, maximum: 256, default: 24 })),
          width: Type.Optional(Type.Integer({ minimum: 1, maximum: 16384 })),
          height: Type.Optional(Type.Integer({ minimum: 1, maximum: 16384 })),
          ...Recordings,
        }),
        response: {
          200: Heatmap,
          ...errors(400, 401, 404),
        },
      },
    },
    async (request) => {
      const q = request.query;
      await visibleCamera(app, caller(request), q.cameraId);
      return app.analytics.heatmap({ ...q, ...range(q) });
    },
  );
}

/** Several stores side by side. */
function compareRoutes(app: App): void {
  app.get(
    '/compare',
    {
      config: cachedAnswer,
      schema: {
        tags,
        summary: 'The same numbers for several stores side by side (default: every store you can see)',
        querystring: Type.Object({
          ...Range,
          storeIds: Type.Optional(Type.Array(Id, { minItems: 1, maxItems: 200 })),
          source: Type.Optional(SourceChoice),
          ...Recordings,
        }),
        response: {
          200: StoreComparison,
          ...errors(400, 401, 404),
        },
      },
    },
    async (request) => {
      const q = request.query;
      const p = caller(request);
      let ids: readonly string[];
      if (q.storeIds) {
        for (const id of q.storeIds) requireStore(p, id);
        ids = [...new Set(q.storeIds)];
      } else {
        ids = storeFilter(p, undefined) ?? (await app.repos.stores.list()).map((s) => s.id);
      }
      return app.analytics.compare({
        storeIds: ids,
        ...range(q),
        ...(q.source ? { source: q.source } : {}),
        ...(q.includeRecordings ? { includeRecordings: true } : {}),
      });
    },
  );
}

const analyticsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  storeNumberRoutes(app);
  movementRoutes(app);
  compareRoutes(app);
};

export default analyticsRoutes;
