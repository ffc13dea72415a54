/**
 * The hub's MessageBus over an external MQTT broker (`--mqtt-url`), for deployments that run a broker
 * cluster (e.g. Mosquitto 2, EMQX, HiveMQ) with device accounts and ACLs configured there.
 *
 * - MQTT 5 when the broker speaks it, MQTT 3.1.1 otherwise.
 * - Event batches are subscribed through a shared subscription (`$share/{group}/...`) when the broker
 *   offers them (CONNACK `sharedSubscriptionAvailable`, absent means yes): hubs of one group split the
 *   ingest, each batch goes to one of them. Status, live and response topics are subscribed plainly,
 *   so every hub sees every status (idempotent writes; retained statuses are not delivered to shared
 *   subscriptions), every live box (each hub feeds its own dashboards) and the responses to its own
 *   requests.
 * - The retained hub status is `online` while a hub of the group runs: each hub connects with a last
 *   will that sets it `offline`, and a hub that sees `offline` while it is itself online publishes
 *   `online` again (another hub went away: the agents then resend what it had not acknowledged).
 */
import { createPublicKey, type KeyObject, randomBytes } from 'node:crypto';
import { type Channel, HubStatus, MAX_PAYLOAD_BYTES, topics } from '@oskartrack/protocol';
import { openSignedAs } from '@oskartrack/protocol/signing';
import mqtt, {
  type IClientOptions,
  type IClientSubscribeOptions,
  type IConnackPacket,
  type MqttClient,
} from 'mqtt';
import type { Logger } from 'pino';
import { topicMatches } from './acl.ts';
import type { MessageHandler, PublishOptions } from './bus.ts';
import { type HubBus, hubStatusPayload, type PrepareHook } from './hub-bus.ts';
import { signedPayload } from './signed-publish.ts';

export interface ExternalBusOptions {
  /** `mqtt://host:1883`, `mqtts://host:8883`, `ws(s)://...`. */
  url: string;
  username?: string;
  password?: string;
  /** Shared-subscription group: hubs with the same group split the ingest. Default `oskartrack-hub`. */
  group?: string;
  log: Logger;
  /** The hub's Ed25519 key: signs every ack, config, request and hub status (the boxes check them). */
  signingKey: KeyObject;
  /** Default `oskartrack-hub-<random>` (every hub needs its own). */
  clientId?: string;
  /** Channels subscribed through the shared subscription. Default `['events']`. */
  sharedChannels?: readonly Channel[];
  /** Default `topics.hubStatus`; tests on a shared broker use a topic of their own. */
  hubStatusTopic?: string;
  /** Runs after connecting, before the hub status turns online; see PrepareHook. */
  prepare?: PrepareHook;
  /** Publish the retained hub status `online` once ready. Default true. */
  announce?: boolean;
  /** Largest payload handed to the hub's handlers. Default MAX_PAYLOAD_BYTES. */
  maxPayloadBytes?: number;
  /** Default 10 s for the first connection. */
  connectTimeoutMs?: number;
  /** Default 2 s; mqtt.js retries forever at this period after the first connection. */
  reconnectPeriodMs?: number;
  /** Only MQTT 3.1.1 (skips the MQTT 5 attempt). */
  forceMqtt311?: boolean;
  /** TLS and transport options for mqtt.js (ca, cert, key, rejectUnauthorized...). */
  mqttOptions?: Omit<
    IClientOptions,
    'clientId' | 'username' | 'password' | 'clean' | 'will' | 'protocolVersion' | 'reconnectPeriod'
  >;
}

export interface ExternalBus extends HubBus {
  readonly kind: 'external';
  readonly protocolVersion: 4 | 5;
  /** Whether the broker accepted shared subscriptions (false: every hub gets every batch). */
  readonly sharedSubscriptions: boolean;
  readonly connected: boolean;
  readonly clientId: string;
  /** The mqtt.js client, for tests and diagnostics. */
  readonly client: MqttClient;
}

interface Subscription {
  id: number;
  pattern: string;
  shared: boolean;
  handler: MessageHandler;
}

/** SUBACK reason code: "Shared Subscriptions not supported". */
const SHARED_NOT_SUPPORTED = 0x9e;
const UNSUPPORTED_PROTOCOL = new Set([1, 0x84]);
const CLOSE_TIMEOUT_MS = 2000;

function channelOf(pattern: string): string | undefined {
  const parts = pattern.split('/');
  return parts[0] === 'oskartrack' && parts[1] === 'v1' && parts[2] === 'devices' ? parts[4] : undefined;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  return Promise.race([
    promise,
    new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), ms).unref()),
  ]);
}

/** The SUBACK reason code of one subscription (mqtt.js rejects a refused one; the code is on the error). */
async function subackCode(
  client: MqttClient,
  filter: string,
  options: IClientSubscribeOptions,
): Promise<number> {
  try {
    const granted = await client.subscribeAsync(filter, options);
    // mqtt.js puts the reason code in `qos` (typed QoS | 128; MQTT 5 has more codes).
    return granted[0]?.qos ?? 0x80;
  } catch (error) {
    // ErrorWithSubackPacket: the SUBACK itself is on the error.
    const code = (error as { packet?: { granted?: unknown[] } }).packet?.granted?.[0];
    if (typeof code === 'number') return code;
    throw error;
  }
}

/** Connects (waiting for the first CONNACK) or fails with the broker's reason. */
function connectOnce(
  url: string,
  options: IClientOptions,
): Promise<{ client: MqttClient; connack: IConnackPacket }> {
  return new Promise((resolve, reject) => {
    const client = mqtt.connect(url, { ...options, reconnectPeriod: 0 });
    const fail = (error: Error) => {
      cleanup();
      client.end(true);
      reject(error);
    };
    const onConnect = (connack: IConnackPacket) => {
      cleanup();
      resolve({ client, connack });
    };
    const onClose = () => fail(new Error(`connection to ${url} closed before the broker accepted it`));
    const cleanup = () => {
      client.off('connect', onConnect);
      client.off('error', fail);
      client.off('close', onClose);
    };
    client.on('connect', onConnect);
    client.on('error', fail);
    client.on('close', onClose);
  });
}

export async function connectExternalBus(options: ExternalBusOptions): Promise<ExternalBus> {
  const log = options.log;
  const group = options.group ?? 'oskartrack-hub';
  if (!/^[^/#+]+$/.test(group)) throw new Error(`invalid shared subscription group ${JSON.stringify(group)}`);
  const clientId = options.clientId ?? `oskartrack-hub-${randomBytes(6).toString('hex')}`;
  const hubStatusTopic = options.hubStatusTopic ?? topics.hubStatus;
  const sharedChannels = new Set<string>(options.sharedChannels ?? ['events']);
  const maxPayload = options.maxPayloadBytes ?? MAX_PAYLOAD_BYTES;
  const signing = { key: options.signingKey, topic: hubStatusTopic };

  const base = (version: 4 | 5): IClientOptions => ({
    ...options.mqttOptions,
    clientId,
    ...(options.username !== undefined ? { username: options.username } : {}),
    ...(options.password !== undefined ? { password: options.password } : {}),
    protocolVersion: version,
    clean: true,
    resubscribe: false, // this bus resubscribes itself, with its subscription identifiers
    queueQoSZero: false,
    connectTimeout: options.connectTimeoutMs ?? 10_000,
    will: { topic: hubStatusTopic, payload: hubStatusPayload('offline', signing), qos: 1, retain: true },
    ...(version === 5
      ? { properties: { maximumPacketSize: maxPayload + 65_536 + 16, sessionExpiryInterval: 0 } }
      : {}),
  });

  let opened: { client: MqttClient; connack: IConnackPacket };
  let version: 4 | 5 = options.forceMqtt311 ? 4 : 5;
  try {
    opened = await connectOnce(options.url, base(version));
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    const unsupported = typeof code === 'number' && UNSUPPORTED_PROTOCOL.has(code);
    const closed = !(typeof code === 'number') && /closed before/.test(String(error));
    if (version === 4 || !(unsupported || closed)) throw error;
    log.warn({ err: error }, 'the MQTT broker refused MQTT 5; using MQTT 3.1.1 without shared subscriptions');
    version = 4;
    opened = await connectOnce(options.url, base(version));
  }
  const { client, connack } = opened;
  client.options.reconnectPeriod = options.reconnectPeriodMs ?? 2000;

  const props = version === 5 ? connack.properties : undefined;
  let sharedOk = version === 5 && props?.sharedSubscriptionAvailable !== false;
  const useIdentifiers = version === 5 && props?.subscriptionIdentifiersAvailable !== false;
  const subscriptions: Subscription[] = [];
  const byId = new Map<number, Subscription>();
  let nextId = 1;
  let online = false;
  let closing = false;

  log.info(
    { url: options.url, clientId, version, sharedSubscriptions: sharedOk },
    'connected to the MQTT broker',
  );

  function invoke(subscription: Subscription, topic: string, payload: Buffer): void {
    try {
      const result = subscription.handler({ topic, payload });
      if (result instanceof Promise) {
        result.catch((error: unknown) => log.error({ err: error, topic }, 'a hub message handler failed'));
      }
    } catch (error) {
      log.error({ err: error, topic }, 'a hub message handler failed');
    }
  }

  client.on('message', (topic, payload, packet) => {
    if (payload.length > maxPayload) {
      log.warn({ topic, size: payload.length }, 'MQTT message over the size limit dropped');
      return;
    }
    const ids = packet.properties?.subscriptionIdentifier;
    const targets =
      ids !== undefined
        ? (Array.isArray(ids) ? ids : [ids]).flatMap((id) => byId.get(id) ?? [])
        : subscriptions.filter((s) => topicMatches(s.pattern, topic));
    for (const subscription of targets) invoke(subscription, topic, payload);
  });

  async function subscribeOne(subscription: Subscription): Promise<void> {
    const shared = subscription.shared && sharedOk;
    const filter = shared ? `$share/${group}/${subscription.pattern}` : subscription.pattern;
    const code = await subackCode(client, filter, {
      qos: 1,
      ...(useIdentifiers ? { properties: { subscriptionIdentifier: subscription.id } } : {}),
    });
    if (shared && code === SHARED_NOT_SUPPORTED) {
      sharedOk = false;
      log.warn({ filter }, 'the MQTT broker has no shared subscriptions: every hub receives every batch');
      return subscribeOne(subscription);
    }
    if (code >= 0x80) throw new Error(`the MQTT broker refused the subscription to ${filter} (code ${code})`);
  }

  async function publish(topic: string, payload: string | Buffer, publishOptions: PublishOptions) {
    if (!client.connected) throw new Error('not connected to the MQTT broker');
    const wire = signedPayload(options.signingKey, topic, payload);
    await client.publishAsync(topic, wire, { qos: publishOptions.qos, retain: publishOptions.retain });
  }

  async function announce(): Promise<void> {
    await publish(hubStatusTopic, hubStatusPayload('online', signing), { qos: 1, retain: true });
  }

  // The hub status, seen by this hub too: another hub's will (or clean stop) turned it offline.
  const statusSubscription: Subscription = {
    id: nextId++,
    pattern: hubStatusTopic,
    shared: false,
    handler: ({ payload }) => {
      if (payload.length === 0) return;
      const status = openSignedAs(HubStatus, createPublicKey(options.signingKey), hubStatusTopic, payload);
      if (!status.ok || status.value.state !== 'offline' || !online || closing) return;
      log.info('the hub status turned offline while this hub runs (another hub stopped): set online again');
      announce().catch((error: unknown) => log.warn({ err: error }, 'republishing the hub status failed'));
    },
  };
  subscriptions.push(statusSubscription);
  byId.set(statusSubscription.id, statusSubscription);
  await subscribeOne(statusSubscription);

  client.on('connect', () => {
    log.info({ url: options.url }, 'reconnected to the MQTT broker');
    void (async () => {
      for (const subscription of subscriptions) await subscribeOne(subscription);
      if (online) await announce();
    })().catch((error: unknown) => {
      log.error({ err: error }, 'resubscribing after a reconnect failed; reconnecting');
      client.reconnect();
    });
  });
  client.on('close', () => {
    if (!closing) log.warn({ url: options.url }, 'lost the MQTT broker; reconnecting');
  });
  client.on('error', (error) => log.warn({ err: error }, 'MQTT client error'));

  const bus: ExternalBus = {
    kind: 'external',
    hubStatusTopic,
    protocolVersion: version,
    clientId,
    client,
    get sharedSubscriptions() {
      return sharedOk;
    },
    get connected() {
      return client.connected;
    },
    get online() {
      return online;
    },

    async subscribe(pattern, handler) {
      const channel = channelOf(pattern);
      const subscription: Subscription = {
        id: nextId++,
        pattern,
        shared: channel !== undefined && sharedChannels.has(channel),
        handler,
      };
      subscriptions.push(subscription);
      byId.set(subscription.id, subscription);
      await subscribeOne(subscription);
    },

    publish,

    async announceOnline() {
      online = true;
      await announce();
    },

    async close() {
      if (closing) return;
      closing = true;
      if (online && client.connected) {
        await withTimeout(
          publish(hubStatusTopic, hubStatusPayload('offline', signing), { qos: 1, retain: true }),
          CLOSE_TIMEOUT_MS,
        ).catch((error: unknown) => log.warn({ err: error }, 'publishing the hub offline status failed'));
      }
      online = false;
      // A clean DISCONNECT: the broker drops the will (the offline status is already published).
      const ended = await withTimeout(
        client.endAsync(false).then(() => true),
        CLOSE_TIMEOUT_MS,
      );
      if (!ended) client.end(true);
      log.info({ url: options.url }, 'disconnected from the MQTT broker');
    },
  };

  try {
    if (options.prepare) await options.prepare(bus);
    if (options.announce ?? true) await bus.announceOnline();
  } catch (error) {
    closing = true;
    client.end(true);
    throw error;
  }
  return bus;
}
