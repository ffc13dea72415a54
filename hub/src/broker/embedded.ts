/**
 * The broker embedded in the hub (aedes) with device accounts, and the hub's MessageBus over it.
 *
 * - A device logs in with username = its device id (the MQTT client id must be the same) and
 *   password = its secret; a wrong or unknown credential gets CONNACK 4 "bad user name or password".
 * - It may publish only on its own agent channels and subscribe only to its own hub channels and the
 *   hub status (see acl.ts); a refused publish closes its connection (MQTT 3.1.1 has no negative
 *   PUBACK), a refused subscription is answered with the failure code 0x80.
 * - Payloads over MAX_PAYLOAD_BYTES are refused at the broker: the connection is closed as soon as
 *   the oversized packet's header arrives.
 * - The hub's own publishes (`publish` below) go straight into aedes and need no account.
 * - The retained hub status turns online once `prepare` has run and offline on a clean `close()`.
 *
 * aedes acknowledges a QoS 1 publish (PUBACK) before the hub's handlers see it: only the `ack` topic
 * tells a device its events are stored.
 */
import type { KeyObject } from 'node:crypto';
import type { EventEmitter } from 'node:events';
import { createServer as createTcpServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { MAX_PAYLOAD_BYTES, parseTopic, topics } from '@oskartrack/protocol';
import { Aedes, type AuthErrorCode, type AuthenticateError, type Client, type PublishPacket } from 'aedes';
import type { Logger } from 'pino';
import { listenError } from '../listen-error.ts';
import { devicePublishDecision, deviceSubscribeDecision } from './acl.ts';
import type { InboundMessage, MessageHandler, PublishOptions } from './bus.ts';
import type { ListenerAuthenticate } from './credentials.ts';
import { guardConnection } from './frame-guard.ts';
import { type HubBus, hubStatusPayload, type PrepareHook } from './hub-bus.ts';
import {
  isListenerName,
  type ListenerGrant,
  listenerPublishDecision,
  listenerSubscribeDecision,
} from './listener-acl.ts';
import { signedPayload } from './signed-publish.ts';

export interface EmbeddedBrokerOptions {
  /** Plain TCP port; 0 picks a free one (see `port` on the result); undefined with `tls`: TLS only. */
  port: number | undefined;
  /** Default `0.0.0.0`. */
  host?: string;
  /** TLS (MQTT over TLS) on a second port when a certificate is configured. */
  tls?: {
    cert: string | Buffer;
    key: string | Buffer;
    /** Default 8883; 0 picks a free one. */
    port?: number;
    /** Default: `host`. */
    host?: string;
  };
  /** Checks a device's secret (see `createDeviceAuthenticator`); a rejection means "server unavailable". */
  authenticate: (deviceId: string, secret: string) => Promise<boolean>;
  /**
   * Checks a building system's read-only account (user name `listener-...`, see listener-acl.ts);
   * absent: only devices log in.
   */
  listeners?: ListenerAuthenticate;
  log: Logger;
  /** The hub's Ed25519 key: signs every ack, config, request and hub status (the boxes check them). */
  signingKey: KeyObject;
  /** Largest payload accepted from a device. Default MAX_PAYLOAD_BYTES. */
  maxPayloadBytes?: number;
  /** Runs before the broker accepts connections; see PrepareHook. */
  prepare?: PrepareHook;
  /** Publish the retained hub status `online` once ready. Default true. */
  announce?: boolean;
}

export interface EmbeddedBroker extends HubBus {
  readonly kind: 'embedded';
  /** The port boxes connect to: the plain TCP one, or the TLS one when there is no plain listener. */
  readonly port: number;
  /** The TLS port, when TLS is configured. */
  readonly tlsPort: number | undefined;
  /** Ids of the devices connected now. */
  connectedDevices(): string[];
  /** Closes a device's connection (e.g. after its credential was revoked); false when not connected. */
  disconnectDevice(deviceId: string): Promise<boolean>;
  /** The aedes instance, for tests and diagnostics. */
  readonly aedes: Aedes;
}

/**
 * A publish packet's header plus topic and properties is at most this much bigger than its payload:
 * the frame guard's limit is `maxPayloadBytes + FRAME_OVERHEAD`, the exact payload check comes after.
 */
const FRAME_OVERHEAD = 65_536 + 16;
/** Client ids are device ids, which may be up to 64 characters (protocol `Id`). */
const MAX_CLIENT_ID_LENGTH = 64;
const CLOSE_GRACE_MS = 1000;

type DeliverFunc = (packet: PublishPacket, callback: () => void) => void;

function authError(returnCode: number, message: string): AuthenticateError {
  return Object.assign(new Error(message), { returnCode: returnCode as AuthErrorCode });
}

const BAD_CREDENTIALS = 4;
const IDENTIFIER_REJECTED = 2;
const SERVER_UNAVAILABLE = 3;
const NOT_AUTHORIZED = 5;

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const failed = (error: unknown) => reject(listenError(error, port, host, '--mqtt-port'));
    server.once('error', failed);
    server.listen(port, host, () => {
      server.off('error', failed);
      const address = server.address();
      if (!address || typeof address === 'string') reject(new Error('the broker has no TCP address'));
      else resolve(address.port);
    });
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

/** What the aedes hooks need: the options, the limit and the wills already found bad. */
interface HookContext {
  options: EmbeddedBrokerOptions;
  log: Logger;
  maxPayload: number;
  badWills: WeakMap<Client, string>;
  /** The clients logged in with a listener account, and what they may read. */
  grants: WeakMap<Client, ListenerGrant>;
}

type AedesOptions = NonNullable<Parameters<typeof Aedes.createBroker>[0]>;

/** The login and ACL hooks: device accounts, own channels only, payload size. */
function accessHooks(ctx: HookContext): AedesOptions {
  return {
    maxClientsIdLength: MAX_CLIENT_ID_LENGTH,
    preConnect: (client, packet, callback) => {
      checkWill(ctx, client, packet.clientId, packet.will);
      callback(null, true);
    },
    authenticate: (client, username, password, done) => authenticate(ctx, client, username, password, done),
    authorizePublish: (client, packet, callback) => callback(publishRefusal(ctx, client, packet)),
    authorizeSubscribe(client, subscription, callback) {
      const grant = ctx.grants.get(client);
      const decision = grant
        ? listenerSubscribeDecision(grant, subscription.topic)
        : deviceSubscribeDecision(client.id, subscription.topic);
      if (decision.ok) {
        callback(null, subscription);
        return;
      }
      ctx.log.warn(
        { deviceId: client.id, topic: subscription.topic, reason: decision.reason },
        'MQTT subscription refused',
      );
      callback(null, null); // SUBACK 0x80 for this topic; the connection stays
    },
  };
}

/**
 * A will is published in the device's name later: it must be its own (retained) status. The login is
 * then refused with "not authorized" (a CONNACK the device can read).
 */
function checkWill(
  ctx: HookContext,
  client: Client,
  clientId: string,
  will: { topic: string; payload?: Buffer | string; retain?: boolean } | undefined,
): void {
  if (!will) return;
  const decision = listenerLogin(ctx, clientId)
    ? listenerPublishDecision()
    : devicePublishDecision(clientId, will.topic, will.retain === true);
  const size = will.payload ? Buffer.byteLength(will.payload) : 0;
  const problem = !decision.ok ? decision.reason : size > ctx.maxPayload ? 'payload too large' : undefined;
  if (problem !== undefined) ctx.badWills.set(client, `bad last will (${will.topic}): ${problem}`);
}

/** Whether this user name logs in as a building system's listener account. */
function listenerLogin(ctx: HookContext, username: string): boolean {
  return ctx.options.listeners !== undefined && isListenerName(username);
}

/** Why a login is refused before its credential is checked: CONNACK code and reason. */
function loginRefusal(
  ctx: HookContext,
  client: Client,
  username: string | undefined,
  password: Buffer | undefined,
): [number, string] | undefined {
  const badWill = ctx.badWills.get(client);
  if (badWill !== undefined) return [NOT_AUTHORIZED, badWill];
  if (!username || !password || password.length === 0) return [BAD_CREDENTIALS, 'no username or password'];
  if (client.id !== username) return [IDENTIFIER_REJECTED, 'the client id must be the device id'];
  return undefined;
}

function authenticate(
  ctx: HookContext,
  client: Client,
  username: string | undefined,
  password: Buffer | undefined,
  done: (error: AuthenticateError | null, success: boolean | null) => void,
): void {
  const refuse = (code: number, why: string) => {
    ctx.log.warn({ clientId: client.id, username, why }, 'MQTT login refused');
    done(authError(code, why), false);
  };
  const refusal = loginRefusal(ctx, client, username, password);
  if (refusal || !username || !password) {
    refuse(...(refusal ?? [BAD_CREDENTIALS, 'no username or password']));
    return;
  }
  if (listenerLogin(ctx, username)) {
    authenticateListener(ctx, client, username, password.toString('utf8'), done, refuse);
    return;
  }
  ctx.options.authenticate(username, password.toString('utf8')).then(
    (ok) => {
      if (ok) done(null, true);
      else refuse(BAD_CREDENTIALS, 'bad device credential');
    },
    (error: unknown) => {
      ctx.log.error({ err: error, deviceId: username }, 'checking a device credential failed');
      done(authError(SERVER_UNAVAILABLE, 'credential check unavailable'), false);
    },
  );
}

/** A listener's login: on success the broker remembers which store's alerts the client may read. */
function authenticateListener(
  ctx: HookContext,
  client: Client,
  username: string,
  secret: string,
  done: (error: AuthenticateError | null, success: boolean | null) => void,
  refuse: (code: number, why: string) => void,
): void {
  const check = ctx.options.listeners;
  if (!check) {
    refuse(BAD_CREDENTIALS, 'no listener accounts here');
    return;
  }
  check(username, secret).then(
    (grant) => {
      if (!grant) {
        refuse(BAD_CREDENTIALS, 'bad listener credential');
        return;
      }
      ctx.grants.set(client, grant);
      done(null, true);
    },
    (error: unknown) => {
      ctx.log.error({ err: error, listenerId: username }, 'checking a listener credential failed');
      done(authError(SERVER_UNAVAILABLE, 'credential check unavailable'), false);
    },
  );
}

/** Why a device's publish is refused (its connection is then closed), or null. */
function publishRefusal(ctx: HookContext, client: Client | null, packet: PublishPacket): Error | null {
  // `client` is null for the last will of a session aedes kept from before (already checked).
  const deviceId = client?.id;
  const size = packet.payload ? Buffer.byteLength(packet.payload) : 0;
  if (size > ctx.maxPayload) {
    ctx.log.warn({ deviceId, topic: packet.topic, size }, 'MQTT publish refused: payload too large');
    return new Error('payload too large');
  }
  if (deviceId === undefined) {
    const orphanWill = parseTopic(packet.topic)?.channel === 'status';
    return orphanWill ? null : new Error('publish without a client refused');
  }
  const decision =
    client && ctx.grants.has(client)
      ? listenerPublishDecision()
      : devicePublishDecision(deviceId, packet.topic, packet.retain === true);
  if (decision.ok) return null;
  ctx.log.warn({ deviceId, topic: packet.topic, reason: decision.reason }, 'MQTT publish refused');
  return new Error(`publish refused: ${decision.reason}`);
}

/** Keeps the map of connected devices and logs what happens to connections. */
function trackClients(aedes: Aedes, devices: Map<string, Client>, log: Logger): void {
  aedes.on('clientReady', (client) => {
    devices.set(client.id, client);
    log.info({ deviceId: client.id }, 'device connected');
  });
  aedes.on('clientDisconnect', (client) => {
    if (devices.get(client.id) === client) devices.delete(client.id);
    log.info({ deviceId: client.id }, 'device disconnected');
  });
  aedes.on('clientError', (client, error) => {
    log.debug({ deviceId: client.id, err: error }, 'device connection error');
  });
  aedes.on('connectionError', (client, error) => {
    log.debug({ clientId: client.id, err: error }, 'MQTT connection error before login');
  });
  // aedes emits 'error' when publishing the wills of a lost session fails; unhandled it would throw.
  (aedes as EventEmitter).on('error', (error: unknown) => log.error({ err: error }, 'MQTT broker error'));
}

/** Hands a new socket to aedes, behind the frame guard that cuts oversized packets at their header. */
function socketHandler(aedes: Aedes, sockets: Set<Socket>, maxPayload: number, log: Logger) {
  return (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {}); // aedes reports it through the client
    aedes.handle(socket);
    guardConnection(socket, maxPayload + FRAME_OVERHEAD, (announced) => {
      log.warn(
        { remote: socket.remoteAddress, announced },
        'MQTT packet over the size limit: connection closed',
      );
    });
  };
}

/** The hub's own publish: straight into aedes, signed on a signed channel. */
function aedesPublisher(aedes: Aedes, signingKey: KeyObject) {
  return (topic: string, payload: string | Buffer, publishOptions: PublishOptions): Promise<void> =>
    new Promise((resolve, reject) => {
      const wire = signedPayload(signingKey, topic, payload);
      aedes.publish(
        {
          cmd: 'publish',
          topic,
          payload: typeof wire === 'string' ? Buffer.from(wire) : wire,
          qos: publishOptions.qos,
          retain: publishOptions.retain,
          dup: false,
        },
        (error) => (error ? reject(error) : resolve()),
      );
    });
}

type Subscriptions = Array<{ pattern: string; deliver: DeliverFunc }>;

/** The hub's own subscription: handlers run concurrently, a failure is logged. */
function aedesSubscriber(aedes: Aedes, subscriptions: Subscriptions, log: Logger) {
  return (pattern: string, handler: MessageHandler): Promise<void> => {
    const deliver: DeliverFunc = (packet, callback) => {
      const message: InboundMessage = {
        topic: packet.topic,
        payload: typeof packet.payload === 'string' ? Buffer.from(packet.payload) : packet.payload,
      };
      // Handlers run concurrently; the agents' unacknowledged window bounds how much is in flight.
      try {
        const result = handler(message);
        if (result instanceof Promise) {
          result.catch((error: unknown) =>
            log.error({ err: error, topic: packet.topic }, 'a hub message handler failed'),
          );
        }
      } catch (error) {
        log.error({ err: error, topic: packet.topic }, 'a hub message handler failed');
      }
      callback();
    };
    subscriptions.push({ pattern, deliver });
    return new Promise((resolve) => aedes.subscribe(pattern, deliver, () => resolve()));
  };
}

/** The plain and TLS servers the options ask for (not listening yet). */
function createServers(options: EmbeddedBrokerOptions, handle: (socket: Socket) => void) {
  if (options.port === undefined && !options.tls) throw new Error('the broker needs a plain port or TLS');
  const tcp = options.port === undefined ? undefined : createTcpServer(handle);
  const tls = options.tls
    ? createTlsServer({ cert: options.tls.cert, key: options.tls.key }, handle)
    : undefined;
  tls?.on('tlsClientError', (error, socket) =>
    options.log.debug({ err: error, remote: socket.remoteAddress }, 'TLS handshake failed'),
  );
  return { tcp, tls };
}

/** Everything `close()` takes down, in order. */
interface Running {
  aedes: Aedes;
  servers: Server[];
  sockets: Set<Socket>;
  subscriptions: Subscriptions;
  log: Logger;
  /** Publishes the offline hub status when the hub was online; true when it did. */
  goOffline: () => Promise<boolean>;
}

async function closeBroker(r: Running): Promise<void> {
  const stopped = Promise.all(r.servers.map(closeServer)); // no new connections
  // Agents see the hub go away before their connections do.
  if (await r.goOffline()) await flushSockets(r.sockets, CLOSE_GRACE_MS);
  for (const { pattern, deliver } of r.subscriptions.splice(0)) {
    await new Promise<void>((resolve) => r.aedes.unsubscribe(pattern, deliver, () => resolve()));
  }
  await new Promise<void>((resolve) => r.aedes.close(() => resolve()));
  for (const socket of r.sockets) socket.destroy();
  await stopped;
  r.log.info('MQTT broker stopped');
}

export async function startEmbeddedBroker(options: EmbeddedBrokerOptions): Promise<EmbeddedBroker> {
  const log = options.log;
  const maxPayload = options.maxPayloadBytes ?? MAX_PAYLOAD_BYTES;
  const signing = { key: options.signingKey, topic: topics.hubStatus };
  const devices = new Map<string, Client>();
  const sockets = new Set<Socket>();
  const subscriptions: Subscriptions = [];
  const state = { online: false, closing: false, port: 0, tlsPort: undefined as number | undefined };

  const grants = new WeakMap<Client, ListenerGrant>();
  const aedes = await Aedes.createBroker(
    accessHooks({ options, log, maxPayload, badWills: new WeakMap(), grants }),
  );
  trackClients(aedes, devices, log);
  const publish = aedesPublisher(aedes, options.signingKey);
  const { tcp, tls } = createServers(options, socketHandler(aedes, sockets, maxPayload, log));
  const hubStatus = (s: 'online' | 'offline') =>
    publish(topics.hubStatus, hubStatusPayload(s, signing), { qos: 1, retain: true });
  const goOffline = async () => {
    if (!state.online) return false;
    await hubStatus('offline').catch((error: unknown) =>
      log.warn({ err: error }, 'publishing the hub offline status failed'),
    );
    state.online = false;
    return true;
  };

  const bus: EmbeddedBroker = {
    kind: 'embedded',
    hubStatusTopic: topics.hubStatus,
    get port() {
      return tcp ? state.port : (state.tlsPort ?? 0);
    },
    get tlsPort() {
      return state.tlsPort;
    },
    aedes,
    get online() {
      return state.online;
    },
    subscribe: aedesSubscriber(aedes, subscriptions, log),
    publish,
    async announceOnline() {
      await hubStatus('online');
      state.online = true;
    },
    // Building systems' listener clients are not boxes; `disconnectDevice` cuts them too.
    connectedDevices: () => [...devices].filter(([, c]) => !grants.has(c)).map(([id]) => id),
    disconnectDevice(deviceId: string) {
      const client = devices.get(deviceId);
      if (!client) return Promise.resolve(false);
      return new Promise((resolve) => client.close(() => resolve(true)));
    },
    async close() {
      if (state.closing) return;
      state.closing = true;
      const servers = [...(tcp ? [tcp] : []), ...(tls ? [tls] : [])];
      await closeBroker({ aedes, servers, sockets, subscriptions, log, goOffline });
    },
  };

  try {
    if (options.prepare) await options.prepare(bus);
    const host = options.host ?? '0.0.0.0';
    if (tcp) state.port = await listen(tcp, options.port ?? 0, host);
    if (tls && options.tls)
      state.tlsPort = await listen(tls, options.tls.port ?? 8883, options.tls.host ?? host);
    if (options.announce ?? true) await bus.announceOnline();
    log.info({ port: bus.port, tlsPort: bus.tlsPort }, 'MQTT broker listening');
  } catch (error) {
    tcp?.close();
    tls?.close();
    await new Promise<void>((resolve) => aedes.close(() => resolve()));
    throw error;
  }
  return bus;
}

/** Waits until every socket has written what it holds (the offline hub status), at most `ms`. */
async function flushSockets(sockets: Set<Socket>, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  // aedes writes deliveries on setImmediate; give it a turn before looking.
  await new Promise((resolve) => setImmediate(resolve));
  while (Date.now() < deadline && [...sockets].some((s) => !s.destroyed && s.writableLength > 0)) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
