import fastifyCors from '@fastify/cors';
import { definePlugin } from '../../plugin.ts';

/** CORS only for the configured origins (`OSKARTRACK_CORS_ORIGINS`); none configured: same origin only. */
export default definePlugin<{ origins: readonly string[] }>('cors', async (app, opts) => {
  await app.register(fastifyCors, {
    origin: opts.origins.length > 0 ? [...opts.origins] : false,
    methods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
    allowedHeaders: ['Authorization', 'Content-Type'],
    credentials: false,
    maxAge: 600,
  });
});
