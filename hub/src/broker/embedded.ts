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
import { devicePublishDecision, deviceSubscribeDecision } from './acl.ts';
import type { InboundMessage, MessageHandler, PublishOptions } from './bus.ts';
import { guardConnection } from './frame-guard.ts';
import { type HubBus, hubStatusPayload, type PrepareHook } from './hub-bus.ts';
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
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const address = server.address();
      if (!address || typeof address === 'string') reject(new Error('the broker has no TCP address'));
      else resolve(address.port);
    });
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

export async function startEmbeddedBroker(options: EmbeddedBrokerOptions): Promise<EmbeddedBroker> {
  const log = options.log;
  const maxPayload = options.maxPayloadBytes ?? MAX_PAYLOAD_BYTES;
  const signing = { key: options.signingKey, topic: topics.hubStatus };
  const devices = new Map<string, Client>();
  const badWills = new WeakMap<Client, string>();
  const sockets = new Set<Socket>();
  const subscriptions: Array<{ pattern: string; deliver: DeliverFunc }> = [];
  let online = false;
  let closing = false;
  let port = 0;
  let tlsPort: number | undefined;

  const aedes = await Aedes.createBroker({
    maxClientsIdLength: MAX_CLIENT_ID_LENGTH,

    preConnect(client, packet, callback) {
      // A will is published in the device's name later: it must be its own (retained) status. The
      // login is then refused with "not authorized" (a CONNACK the device can read).
      const will = packet.will;
      if (will) {
        const decision = devicePublishDecision(packet.clientId, will.topic, will.retain === true);
        const size = will.payload ? Buffer.byteLength(will.payload) : 0;
        const problem = !decision.ok ? decision.reason : size > maxPayload ? 'payload too large' : undefined;
        if (problem !== undefined) badWills.set(client, `bad last will (${will.topic}): ${problem}`);
      }
      callback(null, true);
    },

    authenticate(client, username, password, done) {
      const refuse = (code: number, why: string) => {
        log.warn({ clientId: client.id, username, why }, 'MQTT login refused');
        done(authError(code, why), false);
      };
      const badWill = badWills.get(client);
      if (badWill !== undefined) {
        refuse(NOT_AUTHORIZED, badWill);
        return;
      }
      if (!username || !password || password.length === 0) {
        refuse(BAD_CREDENTIALS, 'no username or password');
        return;
      }
      if (client.id !== username) {
        refuse(IDENTIFIER_REJECTED, 'the client id must be the device id');
        return;
      }
      options.authenticate(username, password.toString('utf8')).then(
        (ok) => {
          if (ok) done(null, true);
          else refuse(BAD_CREDENTIALS, 'bad device credential');
        },
        (error: unknown) => {
          log.error({ err: error, deviceId: username }, 'checking a device credential failed');
          done(authError(SERVER_UNAVAILABLE, 'credential check unavailable'), false);
        },
      );
    },

    authorizePublish(client, packet, callback) {
      // `client` is null for the last will of a session aedes kept from before (already checked).
      const deviceId = client?.id;
      const size = packet.payload ? Buffer.byteLength(packet.payload) : 0;
      if (size > maxPayload) {
        log.warn({ deviceId, topic: packet.topic, size }, 'MQTT publish refused: payload too large');
        callback(new Error('payload too large'));
        return;
      }
      if (deviceId === undefined) {
        const orphanWill = parseTopic(packet.topic)?.channel === 'status';
        callback(orphanWill ? null : new Error('publish without a client refused'));
        return;
      }
      const decision = devicePublishDecision(deviceId, packet.topic, packet.retain === true);
      if (!decision.ok) {
        log.warn({ deviceId, topic: packet.topic, reason: decision.reason }, 'MQTT publish refused');
        callback(new Error(`publish refused: ${decision.reason}`));
        return;
      }
      callback(null);
    },

    authorizeSubscribe(client, subscription, callback) {
      const decision = deviceSubscribeDecision(client.id, subscription.topic);
      if (!decision.ok) {
        log.warn(
          { deviceId: client.id, topic: subscription.topic, reason: decision.reason },
          'MQTT subscription refused',
        );
        callback(null, null); // SUBACK 0x80 for this topic; the connection stays
        return;
      }
      callback(null, subscription);
    },
  });

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

  const handle = (socket: Socket) => {
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

  function publish(topic: string, payload: string | Buffer, publishOptions: PublishOptions): Promise<void> {
    return new Promise((resolve, reject) => {
      const wire = signedPayload(options.signingKey, topic, payload);
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

  const bus: EmbeddedBroker = {
    kind: 'embedded',
    hubStatusTopic: topics.hubStatus,
    get port() {
      return tcp ? port : (tlsPort ?? 0);
    },
    get tlsPort() {
      return tlsPort;
    },
    aedes,
    get online() {
      return online;
    },

    subscribe(pattern: string, handler: MessageHandler): Promise<void> {
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
    },

    publish,

    async announceOnline() {
      await publish(topics.hubStatus, hubStatusPayload('online', signing), { qos: 1, retain: true });
      online = true;
    },

    connectedDevices() {
      return [...devices.keys()];
    },

    disconnectDevice(deviceId: string) {
      const client = devices.get(deviceId);
      if (!client) return Promise.resolve(false);
      return new Promise((resolve) => client.close(() => resolve(true)));
    },

    async close() {
      if (closing) return;
      closing = true;
      const servers = [...(tcp ? [tcp] : []), ...(tlsServer ? [tlsServer] : [])];
      const stopped = Promise.all(servers.map(closeServer)); // no new connections
      if (online) {
        // Agents see the hub go away before their connections do.
        await publish(topics.hubStatus, hubStatusPayload('offline', signing), { qos: 1, retain: true }).catch(
          (error: unknown) => log.warn({ err: error }, 'publishing the hub offline status failed'),
        );
        online = false;
        await flushSockets(sockets, CLOSE_GRACE_MS);
      }
      for (const { pattern, deliver } of subscriptions.splice(0)) {
        await new Promise<void>((resolve) => aedes.unsubscribe(pattern, deliver, () => resolve()));
      }
      await new Promise<void>((resolve) => aedes.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await stopped;
      log.info('MQTT broker stopped');
    },
  };

  if (options.port === undefined && !options.tls) throw new Error('the broker needs a plain port or TLS');
  const tcp = options.port === undefined ? undefined : createTcpServer(handle);
  const tlsServer = options.tls
    ? createTlsServer({ cert: options.tls.cert, key: options.tls.key }, handle)
    : undefined;
  tlsServer?.on('tlsClientError', (error, socket) =>
    log.debug({ err: error, remote: socket.remoteAddress }, 'TLS handshake failed'),
  );

  try {
    if (options.prepare) await options.prepare(bus);
    const host = options.host ?? '0.0.0.0';
    if (tcp) port = await listen(tcp, options.port ?? 0, host);
    if (tlsServer && options.tls) {
      tlsPort = await listen(tlsServer, options.tls.port ?? 8883, options.tls.host ?? host);
    }
    if (options.announce ?? true) await bus.announceOnline();
    log.info({ port: bus.port, tlsPort: bus.tlsPort }, 'MQTT broker listening');
  } catch (error) {
    tcp?.close();
    tlsServer?.close();
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
