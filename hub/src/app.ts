/**
 * The hub's HTTP application. `hubApp` is itself a plugin (so it can be mounted into another fastify
 * instance); `buildApp` wraps it in a new instance, not listening, for `serve` and for tests.
 *
 * Layout: api/plugins/external (database, jwt, helmet, cors, rate limit, swagger), api/plugins/app
 * (errors, repositories, analytics, auth, answer cache, snapshots), api/routes (everything under /api).
 * Extension points: `extraPlugins` are registered last, at the root (not under /api), with every
 * decorator available: the live feed mounts `/ws` there and checks tokens with
 * `app.auth.verifyAccessToken`; uploads can reuse `app.analytics`, `app.repos` and the scope helpers.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyPluginAsync,
  type RouteOptions,
} from 'fastify';
import type { AnalyticsOptions } from './api/analytics.ts';
import type { AnswerCache } from './api/answer-cache.ts';
import type { EnrollmentSettings } from './api/box-addresses.ts';
import { resolveJwtSecret } from './api/jwt-secret.ts';
import { DEFAULT_LOGIN_LIMITS, type LoginLimits } from './api/login-limits.ts';
import { definePlugin } from './api/plugin.ts';
import alertDeliveryPlugin from './api/plugins/app/alert-delivery.ts';
import analyticsPlugin from './api/plugins/app/analytics.ts';
import answerCachePlugin from './api/plugins/app/answer-cache.ts';
import authPlugin, { type AuthOptions } from './api/plugins/app/auth.ts';
import cameraChecksPlugin from './api/plugins/app/camera-checks.ts';
import deviceAccountsPlugin from './api/plugins/app/device-accounts.ts';
import domainEventsPlugin from './api/plugins/app/domain-events.ts';
import errorsPlugin from './api/plugins/app/errors.ts';
import mailerPlugin from './api/plugins/app/mailer.ts';
import reportsPlugin from './api/plugins/app/reports.ts';
import repositoriesPlugin from './api/plugins/app/repositories.ts';
import retentionPlugin, { type RetentionPluginOptions } from './api/plugins/app/retention.ts';
import snapshotsPlugin from './api/plugins/app/snapshots.ts';
import sourceProbesPlugin from './api/plugins/app/source-probes.ts';
import corsPlugin from './api/plugins/external/cors.ts';
import databasePlugin from './api/plugins/external/database.ts';
import helmetPlugin from './api/plugins/external/helmet.ts';
import jwtPlugin from './api/plugins/external/jwt.ts';
import rateLimitPlugin from './api/plugins/external/rate-limit.ts';
import swaggerPlugin from './api/plugins/external/swagger.ts';
import type { BrokerHealthProvider } from './api/routes/health.ts';
import apiRoutes from './api/routes/index.ts';
import type { MessageBus } from './broker/bus.ts';
import type { DeviceAccounts } from './broker/device-accounts.ts';
import type { DatabaseHandle } from './db/database.ts';
import type { DomainEvents } from './domain/events.ts';
import { loadOrCreateSigningKey, type SigningKey } from './identity/signing-key.ts';
import type { HubTls } from './identity/tls.ts';
import type { Settings } from './settings.ts';
import { fastifyTrustProxy, type TrustProxy } from './trust-proxy.ts';

export interface AppOptions {
  settings: Settings;
  /** An open, migrated database; the caller closes it (app.close() does not). */
  db: DatabaseHandle;
  /** A pino logger; absent: no request logging. */
  log?: FastifyBaseLogger;
  /** The MQTT message bus; without it, camera pictures answer 503. */
  bus?: MessageBus;
  /** Broker status for /api/health. */
  brokerHealth?: BrokerHealthProvider;
  /** The boxes' broker accounts (enrollment, revocation, removal); default: none to manage. */
  deviceAccounts?: DeviceAccounts;
  /** The domain events routes raise; default: a new emitter nobody outside the app hears. */
  domain?: DomainEvents;
  /** Registered last at the root with every decorator available (the live feed's `/ws`, uploads). */
  extraPlugins?: FastifyPluginAsync[];
  /** Token lifetimes and clock (tests). */
  auth?: AuthOptions;
  /** Sign-in limits: per address over all names, and the growing wait per (name, address). */
  loginRateLimit?: Partial<LoginLimits>;
  /** Enrollment attempts allowed per window and address. */
  enrollRateLimit?: { perAddress?: number; windowMs?: number };
  /** How long a camera picture request waits for the box (default 10 s). */
  snapshotTimeoutMs?: number;
  /** An external broker's address for boxes (a loopback host is swapped for the one the box called). */
  mqttUrl?: string;
  /** The external broker's own certificate authority (PEM), handed to boxes at enrollment. */
  mqttCa?: string;
  /** The embedded broker's port for boxes (its TLS port when TLS is on); default 8883 with TLS, else 1883. */
  mqttPort?: number;
  /** HTTPS with this certificate; the CA goes to boxes (enrollment codes carry its fingerprint). */
  tls?: HubTls;
  /** The hub's address as boxes and browsers reach it; default: the `Host` each request names. */
  publicUrl?: string;
  /** The hub's signing key; default: `<dataDir>/hub-signing-key.pem`, made when missing. */
  signingKey?: SigningKey;
  analytics?: AnalyticsOptions;
  /** Keep analytics answers of ended ranges in this cache (`serve` gives one); default: none kept. */
  answerCache?: AnswerCache | false;
  /** Misses of the answer cache computed at once (`serve`: 4 of the pool's 10 connections); default: no limit. */
  computeAnswersAtOnce?: number;
  /** The retention job (`serve` has the day rows computed shortly after the start); default: the hourly pass only. */
  retention?: RetentionPluginOptions;
  /** Believe X-Forwarded-For from these proxies (limits, logs); default: `settings.trustProxy`, else none. */
  trustProxy?: TrustProxy;
  /** Called for every route as it is registered (tests walk them all). */
  onRoute?: (route: RouteOptions) => void;
  /** The token signing secret; default: from settings or `<dataDir>/jwt-secret` (see jwt-secret.ts). */
  jwtSecret?: string;
}

export const hubApp = definePlugin<AppOptions>('oskartrack-hub', async (app, opts) => {
  const { settings } = opts;
  const secret = opts.jwtSecret ?? resolveJwtSecret(settings, app.log);
  const clock = opts.auth?.clock ?? Date.now;

  await app.register(databasePlugin, { database: opts.db });
  await app.register(errorsPlugin);
  await app.register(helmetPlugin);
  await app.register(corsPlugin, { origins: settings.corsOrigins ?? [] });
  await app.register(rateLimitPlugin);
  await app.register(jwtPlugin, { secret, clock });
  await app.register(swaggerPlugin);
  await app.register(repositoriesPlugin);
  await app.register(mailerPlugin);
  await app.register(alertDeliveryPlugin, { bus: opts.bus });
  await app.register(deviceAccountsPlugin, { accounts: opts.deviceAccounts });
  await app.register(domainEventsPlugin, { events: opts.domain });
  await app.register(analyticsPlugin, opts.analytics ?? {});
  await app.register(authPlugin, { ...opts.auth, clock });
  await app.register(answerCachePlugin, {
    cache: opts.answerCache,
    computeAtOnce: opts.computeAnswersAtOnce,
  });
  await app.register(snapshotsPlugin, {
    bus: opts.bus,
    ...(opts.snapshotTimeoutMs ? { timeoutMs: opts.snapshotTimeoutMs } : {}),
  });
  await app.register(cameraChecksPlugin, { bus: opts.bus });
  await app.register(sourceProbesPlugin, { bus: opts.bus });
  await app.register(reportsPlugin);
  await app.register(retentionPlugin, opts.retention ?? {});

  await app.register(apiRoutes, {
    prefix: '/api',
    mediaDir: settings.mediaDir ?? join(settings.dataDir, 'media'),
    enrollment: enrollmentSettings(opts),
    loginRateLimit: { ...DEFAULT_LOGIN_LIMITS, ...opts.loginRateLimit },
    enrollRateLimit: {
      perAddress: opts.enrollRateLimit?.perAddress ?? 10,
      windowMs: opts.enrollRateLimit?.windowMs ?? 60_000,
    },
    broker: opts.brokerHealth,
    hasBus: opts.bus !== undefined,
  });

  for (const plugin of opts.extraPlugins ?? []) await app.register(plugin);
});

/** What enrollment hands boxes, from the app's options. */
function enrollmentSettings(opts: AppOptions): EnrollmentSettings {
  if (!opts.signingKey) throw new Error('the hub app needs its signing key (buildApp loads it)');
  return {
    publicUrl: opts.publicUrl,
    tls: opts.tls ? { caPem: opts.tls.caPem, caFingerprint: opts.tls.caFingerprint } : undefined,
    broker: opts.mqttUrl
      ? { url: opts.mqttUrl, ...(opts.mqttCa ? { ca: opts.mqttCa } : {}) }
      : { port: opts.mqttPort ?? (opts.tls ? 8883 : 1883), tls: opts.tls !== undefined },
    signingKey: opts.signingKey.publicKeyBase64,
  };
}

/**
 * A new fastify instance with the hub app registered but not loaded yet (hooks such as onRoute can
 * still be added; `ready`, `listen` or `inject` load it). An unusable JWT secret throws here.
 */
export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const jwtSecret = options.jwtSecret ?? resolveJwtSecret(options.settings, options.log);
  const signingKey = options.signingKey ?? (await loadOrCreateSigningKey(options.settings.dataDir));
  const app = Fastify({
    ...(options.tls ? { https: { cert: options.tls.certChain, key: options.tls.key } } : {}),
    ...(options.log ? { loggerInstance: options.log } : { logger: false }),
    genReqId: () => randomUUID(),
    requestIdHeader: false,
    trustProxy: fastifyTrustProxy(options.trustProxy ?? options.settings.trustProxy ?? false),
    bodyLimit: 1_048_576,
    ajv: { customOptions: { removeAdditional: 'all', coerceTypes: 'array', useDefaults: true } },
  }).withTypeProvider<TypeBoxTypeProvider>();
  const onRoute = options.onRoute;
  if (onRoute) app.addHook('onRoute', (route) => onRoute(route));
  app.register(hubApp, { ...options, jwtSecret, signingKey });
  return app;
}
