import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { DeadLetterGroup, Id } from '@oskartrack/protocol';
import { Type } from '@sinclair/typebox';
import { errors } from '../schemas.ts';
import { adminRoute } from './helpers.ts';

/**
 * `GET /api/dead-letters` (administrators): events boxes sent for cameras the hub does not know as
 * theirs, counted per box and camera, with the latest reason. They were acknowledged to the box (it
 * may forget them) because they are kept here.
 */
const deadLetterRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/',
    {
      config: adminRoute,
      schema: {
        tags: ['devices'],
        summary: 'Counts from cameras the hub does not know, per box and camera (administrators)',
        querystring: Type.Object({ storeId: Type.Optional(Id) }),
        response: { 200: Type.Array(DeadLetterGroup), ...errors(401, 403) },
      },
    },
    async (request) => {
      const { storeId } = request.query;
      return app.repos.deadLetters.summary(storeId ? { storeIds: [storeId] } : {});
    },
  );
};

export default deadLetterRoutes;
