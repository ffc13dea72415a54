// `oskartrack-hub serve`: database, broker (embedded or external), ingest, config push, the HTTP
// API with the dashboard, and with `demo` one demo box.

import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { rootCertificates } from 'node:tls';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import type { Logger } from 'pino';
import { splitUploadSummaries } from './aggregate/split-uploads.ts';
import { alertsPlugin } from './alerts/plugin.ts';
import { AnswerCache, type AnswerCacheOptions } from './api/answer-cache.ts';
import type { BrokerHealthProvider } from './api/routes/health.ts';
import { ensureFirstAdmin } from './api/users-command.ts';
import { buildApp } from './app.ts';
import { loadBrokerCa } from './broker/broker-ca.ts';
import type { MessageBus } from './broker/bus.ts';
import {
  createDeviceAuthenticator,
  createListenerAuthenticator,
  credentialLookup,
} from './broker/credentials.ts';
import { type DeviceAccounts, embeddedDeviceAccounts } from './broker/device-accounts.ts';
import type { KnownDevice } from './broker/dynsec-accounts.ts';
import { type EmbeddedBroker, startEmbeddedBroker } from './broker/embedded.ts';
import { connectExternalBus, type ExternalBus } from './broker/external.ts';
import { type ExternalAccounts, setUpExternalAccounts } from './broker/external-accounts.ts';
import type { PrepareHook } from './broker/hub-bus.ts';
import { instanceId } from './cluster/instance.ts';
import { LiveBridge } from './cluster/live-bridge.ts';
import { type DatabaseHandle, openDatabase } from './db/database.ts';
import { createRepositories, type Repositories } from './db/repositories/index.ts';
import { prepareDemo, startDemoAgent } from './demo.ts';
import { checkPublicUrl, serveTls } from './identity/serve-tls.ts';
import { loadOrCreateSigningKey, type SigningKey } from './identity/signing-key.ts';
import type { HubTls } from './identity/tls.ts';
import type { Ingest } from './ingest/index.ts';
import { listenError } from './listen-error.ts';
import { LiveFeed, type LiveLimits, livePlugin, requestLogSerializer } from './live/index.ts';
import { type MqttSide, mqttSidePlugins, startMqttSide } from './mqtt-side.ts';
import { DAY_ROWS_AFTER_START_MS } from './retention/job.ts';
import type { Settings } from './settings.ts';
import type { TrustProxy } from './trust-proxy.ts';
import { UploadService, type UploadServiceOptions, uploadsPlugin } from './uploads/index.ts';

export interface ServeOptions {
  settings: Settings;
  log: Logger;
  port: number;
  host: string;
  /** The embedded broker's port; default 8883 (MQTT over TLS), 1883 with `insecure`. */
  mqttPort?: number;
  /** An external broker instead of the embedded one. */
  mqttUrl?: string;
  mqttUsername?: string;
  mqttPassword?: string;
  /** A file with the external broker's certificate authority (PEM), when the hub's CA did not issue its certificate. */
  mqttCa?: string;
  /** The external broker's shared-subscription group: hubs with the same one split the ingest. */
  mqttGroup?: string;
  /** This hub process's id (several hubs on one database and broker); default random per start. */
  instanceId?: string;
  /** Certificate (chain) and key files instead of the hub's own CA (`--tls-cert`, `--tls-key`). */
  tlsCert?: string;
  tlsKey?: string;
  /** The CA boxes pin when `tlsCert` is given; default: the last certificate of that file. */
  tlsCa?: string;
  /** Plain HTTP and MQTT, no TLS (demo, tests on one machine); a warning at start. */
  insecure?: boolean;
  /** The hub's address as boxes reach it; default `settings.publicUrl`, else each request's Host. */
  publicUrl?: string;
  demo?: boolean;
  demoVideo?: string;
  /** Reverse proxies whose X-Forwarded-For is believed; default: `settings.trustProxy`. */
  trustProxy?: TrustProxy;
  /** Extra plugins at the root, after the live feed and uploads. */
  plugins?: FastifyPluginAsync[];
  /** The live feed's per-client limits (tests, benchmarks). */
  liveLimits?: Partial<LiveLimits>;
  /** An open database to use instead of the one settings name (tests); the caller closes it. */
  db?: DatabaseHandle;
  /** Upload job settings (tests): jobs at once, frames at most, progress intervals. */
  uploads?: Pick<UploadServiceOptions, 'concurrency' | 'maxFrames' | 'progressMs' | 'dbProgressMs'>;
  /** The analytics answer cache's limits, or false: every answer computed (api/answer-cache.ts). */
  answerCache?: Pick<AnswerCacheOptions, 'maxEntries' | 'maxBytes' | 'ttlMs'> | false;
}

export interface RunningHub {
  app: FastifyInstance;
  /** This hub process's id (cluster/instance.ts). */
  instanceId: string;
  db: DatabaseHandle;
  bus: EmbeddedBroker | ExternalBus;
  ingest: Ingest;
  /** The WebSocket fan-out at `/ws`. */
  live: LiveFeed;
  /** Upload jobs (`/api/uploads`). */
  uploads: UploadService;
  /** The analytics answer cache; undefined when `answerCache: false`. */
  answers: AnswerCache | undefined;
  url: string;
  mqttUrl: string;
  /** The key every ack, config, request and hub status is signed with; boxes get its public half. */
  signingKey: SigningKey;
  /** The TLS identity (CA for boxes); undefined with `insecure`. */
  tls: HubTls | undefined;
  admin?: { name: string; password: string } | undefined;
  stop(): Promise<void>;
}

/** How this machine reaches a server listening on `host` (any address: loopback). */
function localHost(host: string, loopback: string): string {
  if (host === '0.0.0.0' || host === '::') return loopback;
  return host.includes(':') ? `[${host}]` : host;
}

/** Whether a TCP port can be listened on right now. */
function portFree(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, host, () => s.close(() => resolve(true)));
  });
}

/** Serves dashboard/dist at `/` when it has been built; every unknown non-API path gets index.html. */
const dashboardPlugin: FastifyPluginAsync = async (app) => {
  const dist = fileURLToPath(new URL('../../dashboard/dist/', import.meta.url));
  if (!existsSync(`${dist}index.html`)) {
    app.log.warn(
      'the dashboard is not built, so the hub serves its API only: run "npm run build -w dashboard"',
    );
    app.get('/', async (_req, reply) =>
      reply
        .type('text/plain')
        .send('OskarTrack hub is running. The dashboard is not built: run "npm run build -w dashboard".'),
    );
    return;
  }
  const index = await readFile(`${dist}index.html`);
  const { default: fastifyStatic } = await import('@fastify/static');
  await app.register(fastifyStatic, { root: dist, wildcard: false });
  // A catch-all route, not a not-found handler: the app's errors plugin already set the root one, and
  // fastify refuses a second one for the same prefix (startHub failed whenever the dashboard was built).
  app.get('/*', (req, reply) => {
    if (req.url.startsWith('/api') || req.url.startsWith('/ws')) {
      return reply
        .code(404)
        .send({ statusCode: 404, error: 'Not Found', message: `${req.method} ${req.url} does not exist` });
    }
    return reply.type('text/html').send(index);
  });
};

/** Every box with whether it holds a credential, for the broker accounts' reconcile. */
async function knownDevices(repos: Repositories): Promise<KnownDevice[]> {
  const boxes = (await repos.devices.list()).filter((d) => d.kind === 'box');
  return Promise.all(
    boxes.map(async (d) => ({ id: d.id, enrolled: (await repos.devices.credentialHash(d.id)) !== null })),
  );
}

/** The hub's signing key, its public address and its TLS identity (undefined with `insecure`). */
async function hubIdentity(opts: ServeOptions) {
  const { settings } = opts;
  const signingKey = await loadOrCreateSigningKey(settings.dataDir);
  const publicUrl = checkPublicUrl(opts.publicUrl ?? settings.publicUrl, !opts.insecure);
  const tls = await serveTls({
    dataDir: settings.dataDir,
    insecure: opts.insecure,
    publicUrl,
    tlsCert: opts.tlsCert,
    tlsKey: opts.tlsKey,
    tlsCa: opts.tlsCa,
    log: opts.log,
  });
  return { signingKey, publicUrl, tls };
}

/** The broker's line in /api/health. */
function brokerHealth(
  bus: EmbeddedBroker | ExternalBus,
  accounts: DeviceAccounts,
  brokerUrl: string,
): BrokerHealthProvider {
  return () => {
    if (bus.kind === 'embedded') {
      return {
        ok: true,
        detail: `embedded on port ${bus.port}, ${bus.connectedDevices().length} boxes connected`,
      };
    }
    const health = accounts.health();
    return {
      ok: bus.connected && health.ok,
      detail: `external ${brokerUrl}${bus.connected ? '' : ' (not connected)'}; ${health.detail}`,
    };
  };
}

interface StartedBus {
  bus: EmbeddedBroker | ExternalBus;
  brokerUrl: string;
  external: ExternalAccounts | undefined;
  deviceAccounts: DeviceAccounts;
  /** The external broker's own CA (PEM), handed to boxes at enrollment. */
  brokerCa?: string;
}

/** The external broker (with its accounts) or the embedded one; `prepare` runs before it goes online. */
async function startBus(
  opts: ServeOptions,
  tls: HubTls | undefined,
  repos: Repositories,
  signingKey: SigningKey,
  prepare: PrepareHook,
): Promise<StartedBus> {
  const { log } = opts;
  if (opts.mqttUrl) {
    const brokerCa = opts.mqttCa ? await loadBrokerCa(opts.mqttCa) : undefined;
    // Without --mqtt-ca the broker's certificate must be one boxes trust: the hub's own authority's
    // (what boxes pin), or a public one.
    const ca = brokerCa ?? (tls ? [...rootCertificates, tls.caPem] : undefined);
    const mqttOptions = ca ? { mqttOptions: { ca } } : {};
    // Accounts first: the hub's own account gets the hub role before the bus subscribes.
    const external = await setUpExternalAccounts({
      url: opts.mqttUrl,
      username: opts.mqttUsername,
      password: opts.mqttPassword,
      log,
      knownDevices: () => knownDevices(repos),
      ...mqttOptions,
    });
    const bus = await connectExternalBus({
      url: opts.mqttUrl,
      log,
      ...mqttOptions,
      signingKey: signingKey.privateKey,
      prepare,
      ...(opts.mqttGroup ? { group: opts.mqttGroup } : {}),
      ...(opts.mqttUsername ? { username: opts.mqttUsername } : {}),
      ...(opts.mqttPassword ? { password: opts.mqttPassword } : {}),
    }).catch(async (error: unknown) => {
      await external.close();
      throw error;
    });
    return {
      bus,
      brokerUrl: opts.mqttUrl,
      external,
      deviceAccounts: external.accounts,
      ...(brokerCa ? { brokerCa } : {}),
    };
  }
  if (opts.mqttCa)
    throw new Error(
      "--mqtt-ca names the authority of an external broker's certificate: give the broker with --mqtt-url too, or leave --mqtt-ca out",
    );
  let mqttPort = opts.mqttPort ?? (tls ? 8883 : 1883);
  if (opts.demo && mqttPort !== 0 && !(await portFree(mqttPort, opts.host))) {
    log.warn(`MQTT port ${mqttPort} is taken by another program; the demo uses a free port instead`);
    mqttPort = 0;
  }
  const auth = createDeviceAuthenticator({ lookup: credentialLookup(repos.devices) });
  const bus = await startEmbeddedBroker({
    // With TLS the broker serves MQTT over TLS only.
    port: tls ? undefined : mqttPort,
    host: opts.host,
    authenticate: (id, secret) => auth.authenticate(id, secret),
    listeners: createListenerAuthenticator(repos.alertListeners),
    log,
    signingKey: signingKey.privateKey,
    prepare,
    ...(tls ? { tls: { cert: tls.certChain, key: tls.key, port: mqttPort } } : {}),
  });
  const brokerUrl = `${tls ? 'mqtts' : 'mqtt'}://${localHost(opts.host, '127.0.0.1')}:${bus.port}`;
  return { bus, brokerUrl, external: undefined, deviceAccounts: embeddedDeviceAccounts(bus) };
}

/** The HTTP side (API, live feed, uploads, dashboard) built on the started parts and listening. */
async function listenApp(
  opts: ServeOptions,
  parts: {
    db: DatabaseHandle;
    bus: Awaited<ReturnType<typeof startBus>>;
    identity: Awaited<ReturnType<typeof hubIdentity>>;
    mqtt: MqttSide;
    live: LiveFeed;
    uploads: UploadService;
    answers: AnswerCache | undefined;
  },
): Promise<{ app: FastifyInstance; url: string }> {
  const { settings, log } = opts;
  const { bus, brokerUrl, deviceAccounts, brokerCa } = parts.bus;
  const { signingKey, publicUrl, tls } = parts.identity;
  const { db, mqtt, live, uploads } = parts;
  const app = await buildApp({
    settings,
    db,
    // Request logs without the live feed's `?token=` (an access token must not end up in log files).
    log: log.child({}, { serializers: { req: requestLogSerializer } }),
    bus,
    ...(bus.kind === 'embedded' ? { mqttPort: bus.port } : { mqttUrl: brokerUrl }),
    ...(brokerCa ? { mqttCa: brokerCa } : {}),
    ...(tls ? { tls } : {}),
    ...(publicUrl ? { publicUrl } : {}),
    signingKey,
    ...(opts.trustProxy !== undefined ? { trustProxy: opts.trustProxy } : {}),
    deviceAccounts,
    brokerHealth: brokerHealth(bus, deviceAccounts, brokerUrl),
    answerCache: parts.answers ?? false,
    // Fewer than the database pool's 10 connections: a hit's sign-in check never waits behind misses.
    computeAnswersAtOnce: 4,
    retention: { dayRowsAfterStartMs: DAY_ROWS_AFTER_START_MS },
    extraPlugins: [
      ...mqttSidePlugins(mqtt, live),
      livePlugin(live),
      alertsPlugin(live),
      uploadsPlugin({ service: uploads, maxBytes: settings.uploadMaxBytes }),
      ...(opts.plugins ?? []),
      dashboardPlugin,
    ],
  });
  await app.listen({ port: opts.port, host: opts.host }).catch((error: unknown) => {
    throw listenError(error, opts.port, opts.host, '--port');
  });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : opts.port;
  const url = `${tls ? 'https' : 'http'}://${localHost(opts.host, 'localhost')}:${port}`;
  return { app, url };
}

/**
 * On a PostgreSQL server, the live feed of every hub process on it (LISTEN/NOTIFY); none on the
 * embedded database, which one hub process holds alone.
 */
async function startLiveBridge(
  opts: ServeOptions,
  db: DatabaseHandle,
  hubId: string,
  live: LiveFeed,
  answers: AnswerCache | undefined,
): Promise<LiveBridge | undefined> {
  const url = opts.settings.databaseUrl;
  if (db.kind !== 'postgres' || !url) return undefined;
  const bridge = new LiveBridge({
    connectionString: url,
    schema: db.schema,
    instanceId: hubId,
    db: db.db,
    feed: live,
    log: opts.log,
    answers,
  });
  await bridge.start();
  answers?.tellOthersWith(bridge.announceChanged);
  return bridge;
}

export async function startHub(options: ServeOptions): Promise<RunningHub> {
  const hubId = instanceId(options.instanceId);
  // Several hubs on one broker: every line says which hub wrote it.
  const opts = options.mqttUrl ? { ...options, log: options.log.child({ hub: hubId }) } : options;
  const { settings, log } = opts;
  const db = opts.db ?? (await openDatabase(settings));
  await db.migrate();
  // Once, before any event is counted: older uploads' counts out of the live summaries.
  await splitUploadSummaries(db.db);
  const { signingKey, publicUrl, tls } = await hubIdentity(opts);
  const repos = createRepositories(db.db);
  const demoSecret = opts.demo ? await prepareDemo(repos, opts.demoVideo) : undefined;

  // The live feed exists before the bus delivers anything: statuses, live boxes and stored events all
  // go to it from the start.
  const live = new LiveFeed({
    repos,
    log,
    instanceId: hubId,
    ...(opts.liveLimits ? { limits: opts.liveLimits } : {}),
  });
  // Answers of ended ranges, kept until the data they were computed from changes (api/answer-cache.ts).
  // Made even when answers are not kept: the other hubs are still told what changes here.
  const answers = new AnswerCache({
    ...(opts.answerCache || {}),
    keep: opts.answerCache !== false,
    storeOf: async (deviceId) => (await repos.devices.find(deviceId))?.storeId,
  });
  const bridge = await startLiveBridge(opts, db, hubId, live, answers);
  // Subscribed before the hub announces itself online (mqtt-side.ts says why).
  let side: MqttSide | undefined;
  const prepare = async (bus: MessageBus) => {
    side = await startMqttSide(bus, {
      db,
      repos,
      log,
      live,
      markAllOffline: !opts.mqttUrl,
      announce: bridge?.announceStored,
      onStored: (deviceId: string) => answers.eventsStored(deviceId),
    });
  };
  const started = await startBus(opts, tls, repos, signingKey, prepare);
  const { bus, brokerUrl, external } = started;
  // prepare ran inside startBus: the bus's start waits for it.
  const mqtt = side!;

  const uploads = new UploadService({
    repos,
    db: db.db,
    feed: live,
    dataDir: settings.dataDir,
    keepFiles: settings.keepUploads,
    log,
    onStored: (storeId: string) => answers.changedEverywhere(storeId),
    ...opts.uploads,
  });
  await uploads.start();

  const { app, url } = await listenApp(opts, {
    db,
    bus: started,
    identity: { signingKey, publicUrl, tls },
    mqtt,
    live,
    uploads,
    answers,
  });
  // Once the hub serves: a start that fails before (a broker it cannot trust, a port taken) must not
  // print the first administrator's one-time password into the failure's output.
  const admin = await ensureFirstAdmin(repos, log);

  const stopDemo = demoSecret
    ? await startDemoAgent({
        dataDir: settings.dataDir,
        secret: demoSecret,
        hubUrl: url,
        mqttUrl: brokerUrl,
        signingKey: signingKey.publicKeyBase64,
        ...(tls ? { caPem: tls.caPem } : {}),
        ...(started.brokerCa ? { mqttCaPem: started.brokerCa } : {}),
        log,
      })
    : undefined;

  log.info(`OskarTrack hub ready: open ${url} (MQTT ${brokerUrl})`);
  return {
    app,
    instanceId: hubId,
    db,
    bus,
    ingest: mqtt.ingest,
    live,
    uploads,
    answers: answers.keeps ? answers : undefined,
    url,
    mqttUrl: brokerUrl,
    signingKey,
    tls,
    admin,
    async stop() {
      await stopDemo?.();
      await uploads.stop();
      // Stops ingest (its transactions finish and ack) and drains config push: their plugins' onClose.
      await app.close();
      live.close();
      await bridge?.stop();
      await bus.close();
      await external?.close();
      if (!opts.db) await db.close();
    },
  };
}
