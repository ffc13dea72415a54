import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import { definePlugin } from '../../plugin.ts';

/** OpenAPI 3 from the route schemas: the page at /api/docs, the document at /api/docs/json. */
export default definePlugin('swagger', async (app) => {
  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'OskarTrack hub API',
        description:
          'Stores, boxes, cameras, areas, counting lines, visitors and analytics. Sign in with POST /api/auth/login and send the access token as `Authorization: Bearer <token>`.',
        version: '1',
      },
      components: {
        securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      },
      security: [{ bearer: [] }],
    },
  });
  await app.register(fastifySwaggerUi, { routePrefix: '/api/docs', staticCSP: true });
});
