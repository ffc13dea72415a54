/** GET /api/analytics/stores-table: every store the caller sees, with its figures, change and rank. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { StoresTable } from '@oskartrack/protocol';
import { Type } from '@sinclair/typebox';
import type { ComparisonService } from '../comparisons.ts';
import { errors, Range } from '../schemas.ts';
import { storeFilter } from '../scope.ts';
import { cachedAnswer, caller, range } from './helpers.ts';

const Query = Type.Object({
  ...Range,
  includeRecordings: Type.Optional(Type.Boolean({ default: false })),
});

export function storesTableRoute(service: ComparisonService): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      '/stores-table',
      {
        config: cachedAnswer,
        schema: {
          tags: ['analytics'],
          summary:
            'Every store you can see: visitors, entrances, average time spent, change against the previous ' +
            'period and rank (from the hourly summaries)',
          querystring: Query,
          response: { 200: StoresTable, ...errors(400, 401) },
        },
      },
      async (request) => {
        const q = request.query;
        // Scope on the server: an administrator sees every store, anyone else their own.
        const storeIds =
          storeFilter(caller(request), undefined) ?? (await app.repos.stores.list()).map((s) => s.id);
        return service.storesTable({
          storeIds,
          ...range(q),
          ...(q.includeRecordings ? { includeRecordings: true } : {}),
        });
      },
    );
  };
}
