/**
 * Everything under /api. Secure by default: an onRequest hook demands a valid access token on every
 * route unless its config says `public: true`, and checks the route's least role (`role`), before
 * the body is even parsed. Store scope is checked by each handler (see scope.ts).
 */
import type { FastifyPluginAsync } from 'fastify';
import { badRequest, forbidden } from '../errors.ts';
import { hasRole } from '../scope.ts';
import alertListenerRoutes from './alert-listeners.ts';
import alertRoutes from './alerts.ts';
import analyticsRoutes from './analytics.ts';
import authRoutes from './auth.ts';
import cameraCheckRoute from './camera-check.ts';
import cameraRoutes from './cameras.ts';
import comparisonRoutes from './comparisons.ts';
import deadLetterRoutes from './dead-letters.ts';
import deviceRoutes, { enrollRoute } from './devices.ts';
import exportRoutes from './export.ts';
import geometryRoutes from './geometry.ts';
import healthRoute, { type BrokerHealthProvider } from './health.ts';
import type { RouteOptions } from './helpers.ts';
import hubRoutes from './hub.ts';
import peopleRoutes from './people.ts';
import reportRoutes from './reports.ts';
import settingsRoutes from './settings.ts';
import storeRoutes from './stores.ts';
import userRoutes from './users.ts';
import visitDurationRoutes from './visit-durations.ts';

export interface ApiOptions extends RouteOptions {
  broker?: BrokerHealthProvider | undefined;
  hasBus: boolean;
}

function holdsNul(value: unknown, depth: number): boolean {
  if (typeof value === 'string') return value.includes('\u0000');
  if (depth > 32 || value === null || typeof value !== 'object') return false;
  if (Array.isArray(value)) return value.some((v) => holdsNul(v, depth + 1));
  return Object.entries(value).some(([k, v]) => k.includes('\u0000') || holdsNul(v, depth + 1));
}

const apiRoutes: FastifyPluginAsync<ApiOptions> = async (app, opts) => {
  app.addHook('onRequest', async (request) => {
    const config = request.routeOptions.config;
    if (config.public) return;
    const p = await app.auth.authenticate(request);
    if (config.role && !hasRole(p, config.role)) {
      throw forbidden(`this needs the ${config.role} role; you are signed in as a ${p.role}`);
    }
  });
  // PostgreSQL cannot store the NUL character in text: refuse it up front with a clear message.
  app.addHook('preValidation', async (request) => {
    for (const part of [request.params, request.query, request.body]) {
      if (holdsNul(part, 0))
        throw badRequest('text in the request cannot contain the NUL character (\\u0000)');
    }
  });
  const routeOptions: RouteOptions = {
    mediaDir: opts.mediaDir,
    enrollment: opts.enrollment,
    loginRateLimit: opts.loginRateLimit,
    enrollRateLimit: opts.enrollRateLimit,
  };
  await app.register(healthRoute, { broker: opts.broker, hasBus: opts.hasBus });
  await app.register(authRoutes, { ...routeOptions, prefix: '/auth' });
  await app.register(enrollRoute, routeOptions);
  await app.register(userRoutes, { prefix: '/users' });
  await app.register(settingsRoutes, { prefix: '/settings' });
  await app.register(storeRoutes, { ...routeOptions, prefix: '/stores' });
  await app.register(hubRoutes, { ...routeOptions, prefix: '/hub' });
  await app.register(deviceRoutes, { prefix: '/devices' });
  await app.register(deadLetterRoutes, { prefix: '/dead-letters' });
  await app.register(cameraRoutes, { ...routeOptions, prefix: '/cameras' });
  await app.register(cameraCheckRoute, { prefix: '/cameras' });
  await app.register(geometryRoutes);
  await app.register(peopleRoutes);
  await app.register(analyticsRoutes, { prefix: '/analytics' });
  await app.register(visitDurationRoutes, { prefix: '/analytics' });
  await app.register(comparisonRoutes, { prefix: '/analytics' });
  await app.register(exportRoutes, { prefix: '/export' });
  await app.register(reportRoutes, { prefix: '/reports' });
  await app.register(alertRoutes, { prefix: '/alerts' });
  await app.register(alertListenerRoutes, { ...routeOptions, prefix: '/alert-listeners' });
};

export default apiRoutes;
