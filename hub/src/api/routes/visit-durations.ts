/** `GET /api/analytics/visit-durations`: how long visits lasted, in everyday buckets, with the median. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Id, VISIT_DURATION_BOUNDS_MS, VisitDurations } from '@oskartrack/protocol';
import { Type } from '@sinclair/typebox';
import { ValidationError } from '../../db/errors.ts';
import type { DurationCounts } from '../../db/repositories/index.ts';
import { checkRange } from '../analytics.ts';
import { errors, Range } from '../schemas.ts';
import { requireStore } from '../scope.ts';
import { cachedAnswer, caller, range, visibleCamera } from './helpers.ts';

/** The counts as buckets with their edges; the first bucket is the short visits, the last the long. */
function toBuckets(bounds: readonly number[], c: DurationCounts) {
  const buckets = c.counts.map((visits, i) => ({
    fromMs: i === 0 ? 0 : bounds[i - 1]!,
    toMs: i < bounds.length ? bounds[i]! : null,
    visits,
  }));
  return {
    shortUnderMs: bounds[0]!,
    shortVisits: buckets[0]?.visits ?? 0,
    longFromMs: bounds.at(-1)!,
    longVisits: buckets.at(-1)?.visits ?? 0,
    buckets,
  };
}

const visitDurationRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/visit-durations',
    {
      config: cachedAnswer,
      schema: {
        tags: ['analytics'],
        summary:
          'How long visits lasted: visits per duration bucket (under 1 min, 1-5 min, 5-15 min, 15 min and more), short and long visits, median and average',
        querystring: Type.Object({
          ...Range,
          storeId: Id,
          cameraId: Type.Optional(Id),
          includeRecordings: Type.Optional(
            Type.Boolean({
              default: false,
              description: 'also count uploaded recordings (default: live cameras only)',
            }),
          ),
        }),
        response: { 200: VisitDurations, ...errors(400, 401, 404) },
      },
    },
    async (request) => {
      const q = request.query;
      requireStore(caller(request), q.storeId);
      if (q.cameraId) {
        const camera = await visibleCamera(app, caller(request), q.cameraId);
        if (camera.storeId !== q.storeId)
          throw new ValidationError('the camera belongs to another store than storeId');
      }
      const { from, to } = range(q);
      // Durations come from each visit, never from the hourly summaries: the same limit as flows.
      checkRange(from, to, app.analytics.maxRawRangeMs);
      const bounds = VISIT_DURATION_BOUNDS_MS;
      const counts = await app.repos.visitDurations.distribution({
        storeId: q.storeId,
        from,
        to,
        boundsMs: bounds,
        ...(q.cameraId ? { cameraId: q.cameraId } : {}),
        ...(q.includeRecordings ? { includeRecordings: true } : {}),
      });
      return {
        storeId: q.storeId,
        cameraId: q.cameraId ?? null,
        from,
        to,
        visits: counts.visits,
        medianMs: counts.medianMs,
        averageMs: counts.averageMs,
        ...toBuckets(bounds, counts),
      };
    },
  );
};

export default visitDurationRoutes;
