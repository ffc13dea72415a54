import fastifyHelmet from '@fastify/helmet';
import { definePlugin } from '../../plugin.ts';

/** Security headers on every answer. The API serves JSON; the docs page sets its own CSP. */
export default definePlugin('helmet', async (app) => {
  await app.register(fastifyHelmet, {
    global: true,
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        imgSrc: ["'self'", 'data:', 'blob:'],
        styleSrc: ["'self'", "'unsafe-inline'"],
        scriptSrc: ["'self'"],
        connectSrc: ["'self'"],
        frameAncestors: ["'none'"],
      },
    },
    crossOriginResourcePolicy: { policy: 'same-origin' },
  });
});
