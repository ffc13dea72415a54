import fastifyRateLimit from '@fastify/rate-limit';
import { Redis } from 'ioredis';
import { pgRateLimitStore } from '../../../cluster/rate-limit-store.ts';
import { createRepositories } from '../../../db/repositories/index.ts';
import { definePlugin } from '../../plugin.ts';

export interface RateLimitPluginOptions {
  /** Count in Redis instead of the database (default `REDIS_URL`). */
  redisUrl?: string | undefined;
}

/**
 * @fastify/rate-limit with no global limit: the login and enrollment routes build their own limiters
 * (per user name and per address) with `app.createRateLimit`. The counters are shared by every hub
 * process: in Redis when `REDIS_URL` is set, else in the database (`rate_limit_hits`).
 */
export default definePlugin<RateLimitPluginOptions>(
  'rate-limit',
  async (app, opts) => {
    const redisUrl = opts.redisUrl ?? process.env.REDIS_URL;
    if (redisUrl) {
      // A limit never waits long for Redis: one try per request, then the request fails (503).
      const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1, connectTimeout: 5000 });
      redis.on('error', (err) => app.log.warn({ error: err.message }, 'rate limits: Redis unreachable'));
      app.addHook('onClose', async () => {
        await redis.quit().catch(() => redis.disconnect());
      });
      await app.register(fastifyRateLimit, { global: false, redis, nameSpace: 'oskartrack-rate-limit-' });
      return;
    }
    const repos = createRepositories(app.database.db);
    await app.register(fastifyRateLimit, {
      global: false,
      store: pgRateLimitStore(repos.rateLimits, app.log),
    });
  },
  { dependencies: ['database'] },
);
