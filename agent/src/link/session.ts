/**
 * The box's MQTT session with the hub's broker: one mqtt.js client that reconnects forever, the
 * device's login, the last will (its offline status), a connection number per attempt, and the
 * subscriptions to the hub's channels. It knows nothing about what the messages mean.
 */
import type { Outgoing } from '@oskartrack/protocol';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import { ForgetfulStore } from './forgetful-store.ts';

const STOP_TIMEOUT_MS = 2000;

/** The last problem in words, shared by the parts of the link and shown in its state. */
export interface LastError {
  message: string | null;
}

export type TransportOptions = Omit<
  IClientOptions,
  'clientId' | 'username' | 'password' | 'clean' | 'will' | 'outgoingStore' | 'queueQoSZero'
>;

export interface SessionOptions {
  url: string;
  deviceId: string;
  /** Sent as the password with `username = deviceId`. Absent: anonymous. */
  secret?: string;
  /** Default: the device id, so a second agent with the same identity takes the session over. */
  clientId?: string;
  reconnectPeriodMs?: number;
  connectTimeoutMs?: number;
  keepaliveSeconds?: number;
  mqttOptions?: TransportOptions;
  /** Topics to subscribe (QoS 1) on every connection. */
  subscriptions: readonly string[];
  /** The next connection number (persistent). */
  nextConnection: () => number;
  /** The last will: the offline status, built for the current connection number. */
  will: () => Outgoing;
  lastError: LastError;
  /** Whether a last error is only a refused message (cleared when the connection drops). */
  isRefusal: (message: string) => boolean;
  /** Runs an event handler; a throw is logged, never crashes the agent. */
  guard: (what: string, fn: () => void) => void;
  log: Logger;
  /** Connected, before subscribing. */
  onConnected: () => void;
  /** Connected and subscribed: the hub's messages will arrive. */
  onReady: () => void;
  onMessage: (topic: string, payload: Buffer) => void;
  /** An established connection dropped (not a failed attempt). */
  onLost: () => void;
}

export class Session {
  /** Connection number of the current (or last) session; also in the status and the last will. */
  connection = 0;
  lastConnectedAt: number | null = null;
  lastDisconnectedAt: number | null = null;
  private client: MqttClient | undefined;
  private subscribed = false;
  private up = false;

  constructor(private readonly o: SessionOptions) {}

  get connected(): boolean {
    return this.client?.connected ?? false;
  }

  /** Connected and subscribed. */
  get ready(): boolean {
    return this.subscribed && this.client?.connected === true;
  }

  /** Bytes waiting in the socket. */
  get buffered(): number {
    return this.client?.stream.writableLength ?? 0;
  }

  /** Connects (and keeps reconnecting) in the background. */
  open(): void {
    const o = this.o;
    this.connection = o.nextConnection();
    const client = mqtt.connect(o.url, {
      ...o.mqttOptions,
      clientId: o.clientId ?? o.deviceId,
      ...(o.secret !== undefined ? { username: o.deviceId, password: o.secret } : {}),
      clean: true,
      queueQoSZero: false,
      resubscribe: false,
      protocolVersion: 4,
      reconnectPeriod: o.reconnectPeriodMs ?? 3000,
      // A refused login is retried too: the hub's broker answers "server unavailable" while its
      // database is down, and an account may be set up after the box starts.
      reconnectOnConnackError: true,
      connectTimeout: o.connectTimeoutMs ?? 10_000,
      keepalive: o.keepaliveSeconds ?? 30,
      outgoingStore: new ForgetfulStore(),
      will: this.will(),
    });
    this.client = client;
    client.on('connect', () => o.guard('connect', () => this.onConnect(client)));
    client.on('close', () => o.guard('close', () => this.onClose()));
    client.on('reconnect', () => o.guard('reconnect', () => this.onReconnect()));
    client.on('error', (error) => this.onError(error));
    client.on('message', (topic, payload) => o.guard('message', () => o.onMessage(topic, payload)));
  }

  /** Publishes when connected; false (and `done` never runs) otherwise. */
  publish(message: Outgoing, done?: (error?: Error) => void): boolean {
    const client = this.client;
    if (!client?.connected) return false;
    const { topic, payload, qos, retain } = message;
    client.publish(topic, payload, { qos, retain }, done);
    return true;
  }

  /** Publishes `last` (the offline status) when connected, then disconnects cleanly. */
  async close(last: () => Outgoing): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (!client) return;
    if (client.connected) {
      const { topic, payload, qos, retain } = last();
      await withTimeout(client.publishAsync(topic, payload, { qos, retain }), STOP_TIMEOUT_MS).catch(
        () => undefined,
      );
    }
    await withTimeout(client.endAsync(false), STOP_TIMEOUT_MS).catch(() => client.end(true));
    this.subscribed = false;
  }

  private will(): NonNullable<IClientOptions['will']> {
    const { topic, payload, qos, retain } = this.o.will();
    return { topic, payload: Buffer.from(payload), qos, retain };
  }

  private onConnect(client: MqttClient): void {
    if (this.client !== client) return;
    client.options.reconnectPeriod = this.o.reconnectPeriodMs ?? 3000;
    this.lastConnectedAt = Date.now();
    this.up = true;
    this.o.lastError.message = null;
    this.subscribed = false;
    this.o.log.info({ connection: this.connection, url: this.o.url }, 'connected to the hub broker');
    this.o.onConnected();
    client.subscribe([...this.o.subscriptions], { qos: 1 }, (error, granted) => {
      if (this.client !== client) return;
      if (error) {
        this.o.log.error({ err: error }, 'subscribing failed; reconnecting');
        client.reconnect();
        return;
      }
      const refused = (granted ?? []).filter((g) => g.qos === 128).map((g) => g.topic);
      if (refused.length > 0) this.o.log.error({ refused }, 'the broker refused subscriptions');
      if (!client.connected) return;
      this.subscribed = true;
      this.o.onReady();
    });
  }

  private onClose(): void {
    this.subscribed = false;
    // A refused message says nothing about why the connection dropped.
    const last = this.o.lastError.message;
    if (last !== null && this.o.isRefusal(last)) this.o.lastError.message = null;
    if (!this.up) return; // a failed connection attempt: mqtt.js retries, 'error' said why
    this.up = false;
    this.lastDisconnectedAt = Date.now();
    this.o.onLost();
  }

  private onReconnect(): void {
    // Every attempt is a new connection number: the hub can tell this session's last will from the
    // previous one's, even when they arrive out of order.
    this.connection = this.o.nextConnection();
    if (this.client) this.client.options.will = this.will();
  }

  private onError(error: Error): void {
    const client = this.client;
    if (client) {
      // Refused credentials (MQTT 3.1.1 CONNACK 4 or 5) will not heal in seconds: retry once a minute.
      const code = (error as { code?: unknown }).code;
      const refused = code === 4 || code === 5;
      client.options.reconnectPeriod = refused
        ? Math.max(CREDENTIALS_RETRY_MS, this.o.reconnectPeriodMs ?? 3000)
        : (this.o.reconnectPeriodMs ?? 3000);
    }
    const message = error.message || String(error);
    // Expected on a bad network: the reason, not a stack (status and doctor explain it).
    if (message !== this.o.lastError.message) this.o.log.warn({ error: message }, 'MQTT error');
    this.o.lastError.message = message;
  }
}

/** How often a box whose login was refused tries again. */
const CREDENTIALS_RETRY_MS = 60_000;

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}
