import fastifyRateLimit from '@fastify/rate-limit';
import { definePlugin } from '../../plugin.ts';

/**
 * @fastify/rate-limit with no global limit: the login and enrollment routes build their own limiters
 * (per user name and per address) with `app.createRateLimit`.
 */
export default definePlugin('rate-limit', async (app) => {
  await app.register(fastifyRateLimit, { global: false });
});
