/** GET /api/analytics/summary/changes: a store's headline figures against earlier periods. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Id, SummaryChanges } from '@oskartrack/protocol';
import { Type } from '@sinclair/typebox';
import { ValidationError } from '../../db/errors.ts';
import type { ComparisonService } from '../comparisons.ts';
import { errors, Range } from '../schemas.ts';
import { requireStore } from '../scope.ts';
import { cachedAnswer, caller, range, visibleCamera } from './helpers.ts';

const Query = Type.Object({
  ...Range,
  storeId: Id,
  cameraId: Type.Optional(Id),
  source: Type.Optional(
    Type.Union([Type.Literal('auto'), Type.Literal('raw'), Type.Literal('summaries')], { default: 'auto' }),
  ),
  includeRecordings: Type.Optional(Type.Boolean({ default: false })),
});

export function summaryChangesRoute(service: ComparisonService): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      '/summary/changes',
      {
        config: cachedAnswer,
        schema: {
          tags: ['analytics'],
          summary:
            'Visitors, entrances, time spent and most people inside, with their change against the previous ' +
            'period and the same days last week (a week or longer: last year)',
          querystring: Query,
          response: { 200: SummaryChanges, ...errors(400, 401, 404) },
        },
      },
      async (request) => {
        const q = request.query;
        const p = caller(request);
        requireStore(p, q.storeId);
        if (q.cameraId && (await visibleCamera(app, p, q.cameraId)).storeId !== q.storeId)
          throw new ValidationError('the camera belongs to another store than storeId');
        return service.summaryChanges({
          storeId: q.storeId,
          ...range(q),
          ...(q.cameraId ? { cameraId: q.cameraId } : {}),
          ...(q.source ? { source: q.source } : {}),
          ...(q.includeRecordings ? { includeRecordings: true } : {}),
        });
      },
    );
  };
}
