/**
 * The hub's MessageBus over an external MQTT broker (`--mqtt-url`), for deployments that run a broker
 * cluster (e.g. Mosquitto 2, EMQX, HiveMQ) with device accounts and ACLs configured there.
 *
 * - MQTT 5 when the broker speaks it, MQTT 3.1.1 otherwise.
 * - Event batches are subscribed through a shared subscription (`$share/{group}/...`) when the broker
 *   offers them (CONNACK `sharedSubscriptionAvailable`, absent means yes): hubs of one group split the
 *   ingest, each batch goes to one of them. Status, live and response topics are subscribed plainly,
 *   so every hub sees every status (idempotent writes; retained statuses are not delivered to shared
 *   subscriptions), every live box and video picture (each hub feeds its own dashboards) and every response:
 *   a hub takes only the answers whose random transaction id it waits for, so a snapshot or camera
 *   check reaches the hub that asked whichever hubs share the broker. Only events may be shared
 *   (`sharedChannels`).
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
import { acrossCuts } from './across-cuts.ts';
import { brokerTlsProblem } from './broker-ca.ts';
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
      const words = brokerTlsProblem(url, error);
      reject(words ? new Error(words, { cause: error }) : error);
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

/** The hub's identity and limits on the broker, settled before connecting. */
interface Settings {
  options: ExternalBusOptions;
  log: Logger;
  group: string;
  clientId: string;
  hubStatusTopic: string;
  sharedChannels: Set<string>;
  maxPayload: number;
  signing: { key: KeyObject; topic: string };
}

/**
 * Only event batches may be dealt to one hub of the group: a response or a picture must reach the hub
 * that asked (every hub gets them and takes only its own), a status every hub.
 */
function sharedChannels(channels: readonly Channel[] = ['events']): Set<string> {
  const wrong = channels.filter((c) => c !== 'events');
  if (wrong.length > 0)
    throw new Error(`only events can go through a shared subscription, not ${wrong.join(', ')}`);
  return new Set<string>(channels);
}

function settings(options: ExternalBusOptions): Settings {
  const group = options.group ?? 'oskartrack-hub';
  if (!/^[^/#+]+$/.test(group)) throw new Error(`invalid shared subscription group ${JSON.stringify(group)}`);
  const hubStatusTopic = options.hubStatusTopic ?? topics.hubStatus;
  return {
    options,
    log: options.log,
    group,
    clientId: options.clientId ?? `oskartrack-hub-${randomBytes(6).toString('hex')}`,
    hubStatusTopic,
    sharedChannels: sharedChannels(options.sharedChannels),
    maxPayload: options.maxPayloadBytes ?? MAX_PAYLOAD_BYTES,
    signing: { key: options.signingKey, topic: hubStatusTopic },
  };
}

/** The mqtt.js options for one protocol version; the will turns the hub status offline. */
function clientOptions(s: Settings, version: 4 | 5): IClientOptions {
  const o = s.options;
  return {
    ...o.mqttOptions,
    clientId: s.clientId,
    ...(o.username !== undefined ? { username: o.username } : {}),
    ...(o.password !== undefined ? { password: o.password } : {}),
    protocolVersion: version,
    clean: true,
    resubscribe: false, // this bus resubscribes itself, with its subscription identifiers
    queueQoSZero: false,
    connectTimeout: o.connectTimeoutMs ?? 10_000,
    will: { topic: s.hubStatusTopic, payload: hubStatusPayload('offline', s.signing), qos: 1, retain: true },
    ...(version === 5
      ? { properties: { maximumPacketSize: s.maxPayload + 65_536 + 16, sessionExpiryInterval: 0 } }
      : {}),
  };
}

/** Connects with MQTT 5, or MQTT 3.1.1 when the broker refuses 5 (or `forceMqtt311`). */
async function connectEither(
  s: Settings,
): Promise<{ client: MqttClient; connack: IConnackPacket; version: 4 | 5 }> {
  const url = s.options.url;
  if (s.options.forceMqtt311) return { ...(await connectOnce(url, clientOptions(s, 4))), version: 4 };
  try {
    return { ...(await connectOnce(url, clientOptions(s, 5))), version: 5 };
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    const unsupported = typeof code === 'number' && UNSUPPORTED_PROTOCOL.has(code);
    const closed = !(typeof code === 'number') && /closed before/.test(String(error));
    if (!(unsupported || closed)) throw error;
    s.log.warn(
      { err: error },
      'the MQTT broker refused MQTT 5; using MQTT 3.1.1 without shared subscriptions',
    );
    return { ...(await connectOnce(url, clientOptions(s, 4))), version: 4 };
  }
}

/**
 * The hub's subscriptions on the broker: each has an identifier (MQTT 5) that routes a message to its
 * handler; they are subscribed again after every reconnect, shared where the broker allows.
 */
class Subscriptions {
  readonly all: Subscription[] = [];
  private readonly byId = new Map<number, Subscription>();
  private nextId = 1;
  sharedOk: boolean;

  constructor(
    private readonly client: MqttClient,
    private readonly s: Settings,
    private readonly useIdentifiers: boolean,
    sharedOk: boolean,
  ) {
    this.sharedOk = sharedOk;
  }

  async add(pattern: string, shared: boolean, handler: MessageHandler): Promise<void> {
    const subscription: Subscription = { id: this.nextId++, pattern, shared, handler };
    this.all.push(subscription);
    this.byId.set(subscription.id, subscription);
    await this.subscribe(subscription);
  }

  async resubscribe(): Promise<void> {
    for (const subscription of this.all) await this.subscribe(subscription);
  }

  /** Hands a message to the handlers it was delivered for. */
  deliver(topic: string, payload: Buffer, ids: number | number[] | undefined): void {
    const targets =
      ids !== undefined
        ? (Array.isArray(ids) ? ids : [ids]).flatMap((id) => this.byId.get(id) ?? [])
        : this.all.filter((sub) => topicMatches(sub.pattern, topic));
    for (const subscription of targets) this.invoke(subscription, topic, payload);
  }

  private invoke(subscription: Subscription, topic: string, payload: Buffer): void {
    const log = this.s.log;
    try {
      const result = subscription.handler({ topic, payload });
      if (result instanceof Promise) {
        result.catch((error: unknown) => log.error({ err: error, topic }, 'a hub message handler failed'));
      }
    } catch (error) {
      log.error({ err: error, topic }, 'a hub message handler failed');
    }
  }

  private async subscribe(subscription: Subscription): Promise<void> {
    const shared = subscription.shared && this.sharedOk;
    const filter = shared ? `$share/${this.s.group}/${subscription.pattern}` : subscription.pattern;
    const code = await acrossCuts(this.client, () =>
      subackCode(this.client, filter, {
        qos: 1,
        ...(this.useIdentifiers ? { properties: { subscriptionIdentifier: subscription.id } } : {}),
      }),
    );
    if (shared && code === SHARED_NOT_SUPPORTED) {
      this.sharedOk = false;
      this.s.log.warn(
        { filter },
        'the MQTT broker has no shared subscriptions: every hub receives every batch',
      );
      return this.subscribe(subscription);
    }
    if (code >= 0x80) throw new Error(`the MQTT broker refused the subscription to ${filter} (code ${code})`);
  }
}

/** What the running bus shares with its event handlers. */
interface Live {
  online: boolean;
  closing: boolean;
}

/** The hub status, seen by this hub too: another hub's will (or clean stop) turned it offline. */
function watchHubStatus(s: Settings, live: Live, announce: () => Promise<void>): MessageHandler {
  const publicKey = createPublicKey(s.options.signingKey);
  return ({ payload }) => {
    if (payload.length === 0) return;
    const status = openSignedAs(HubStatus, publicKey, s.hubStatusTopic, payload);
    if (!status.ok || status.value.state !== 'offline' || !live.online || live.closing) return;
    s.log.info('the hub status turned offline while this hub runs (another hub stopped): set online again');
    announce().catch((error: unknown) => s.log.warn({ err: error }, 'republishing the hub status failed'));
  };
}

/** Message delivery, and after a reconnect: subscribe everything again and announce again. */
function handleClientEvents(
  client: MqttClient,
  s: Settings,
  subs: Subscriptions,
  live: Live,
  announce: () => Promise<void>,
): void {
  const { log, options } = s;
  client.on('message', (topic, payload, packet) => {
    if (payload.length > s.maxPayload) {
      log.warn({ topic, size: payload.length }, 'MQTT message over the size limit dropped');
      return;
    }
    subs.deliver(topic, payload, packet.properties?.subscriptionIdentifier);
  });
  client.on('connect', () => {
    log.info({ url: options.url }, 'reconnected to the MQTT broker');
    void (async () => {
      await subs.resubscribe();
      if (live.online) await announce();
    })().catch((error: unknown) => {
      log.error({ err: error }, 'resubscribing after a reconnect failed; reconnecting');
      client.reconnect();
    });
  });
  client.on('close', () => {
    if (!live.closing) log.warn({ url: options.url }, 'lost the MQTT broker; reconnecting');
  });
  client.on('error', (error) => log.warn({ err: error }, 'MQTT client error'));
}

/** Publishes the offline hub status (when online) and disconnects cleanly, each within a bound. */
async function closeBus(client: MqttClient, s: Settings, live: Live, publish: PublishFunc): Promise<void> {
  if (live.online && client.connected) {
    await withTimeout(
      publish(s.hubStatusTopic, hubStatusPayload('offline', s.signing), { qos: 1, retain: true }),
      CLOSE_TIMEOUT_MS,
    ).catch((error: unknown) => s.log.warn({ err: error }, 'publishing the hub offline status failed'));
  }
  live.online = false;
  // A clean DISCONNECT: the broker drops the will (the offline status is already published).
  const ended = await withTimeout(
    client.endAsync(false).then(() => true),
    CLOSE_TIMEOUT_MS,
  );
  if (!ended) client.end(true);
  s.log.info({ url: s.options.url }, 'disconnected from the MQTT broker');
}

type PublishFunc = (topic: string, payload: string | Buffer, options: PublishOptions) => Promise<void>;

export async function connectExternalBus(options: ExternalBusOptions): Promise<ExternalBus> {
  const s = settings(options);
  const { client, connack, version } = await connectEither(s);
  client.options.reconnectPeriod = options.reconnectPeriodMs ?? 2000;
  const props = version === 5 ? connack.properties : undefined;
  const useIdentifiers = version === 5 && props?.subscriptionIdentifiersAvailable !== false;
  const subs = new Subscriptions(
    client,
    s,
    useIdentifiers,
    version === 5 && props?.sharedSubscriptionAvailable !== false,
  );
  const live: Live = { online: false, closing: false };
  s.log.info(
    { url: options.url, clientId: s.clientId, version, sharedSubscriptions: subs.sharedOk },
    'connected to the MQTT broker',
  );

  const publish: PublishFunc = async (topic, payload, publishOptions) => {
    if (!client.connected) throw new Error('not connected to the MQTT broker');
    const wire = signedPayload(options.signingKey, topic, payload);
    await client.publishAsync(topic, wire, { qos: publishOptions.qos, retain: publishOptions.retain });
  };
  const announce = () =>
    publish(s.hubStatusTopic, hubStatusPayload('online', s.signing), { qos: 1, retain: true });

  handleClientEvents(client, s, subs, live, announce);
  await subs.add(s.hubStatusTopic, false, watchHubStatus(s, live, announce));

  const bus: ExternalBus = {
    kind: 'external',
    hubStatusTopic: s.hubStatusTopic,
    protocolVersion: version,
    clientId: s.clientId,
    client,
    get sharedSubscriptions() {
      return subs.sharedOk;
    },
    get connected() {
      return client.connected;
    },
    get online() {
      return live.online;
    },
    async subscribe(pattern, handler) {
      const channel = channelOf(pattern);
      await subs.add(pattern, channel !== undefined && s.sharedChannels.has(channel), handler);
    },
    publish,
    async announceOnline() {
      live.online = true;
      await announce();
    },
    async close() {
      if (live.closing) return;
      live.closing = true;
      await closeBus(client, s, live, publish);
    },
  };

  try {
    if (options.prepare) await options.prepare(bus);
    if (options.announce ?? true) await acrossCuts(client, () => bus.announceOnline());
  } catch (error) {
    live.closing = true;
    client.end(true);
    throw error;
  }
  return bus;
}
