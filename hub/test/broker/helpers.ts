import { randomBytes } from 'node:crypto';
import { type DeviceStatus, PROTOCOL_VERSION } from '@oskartrack/protocol';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import pino from 'pino';
import { TEST_HUB_KEY } from '../../../agent/test/support/hub-key.ts';
import type { InboundMessage, MessageBus } from '../../src/broker/bus.ts';
import {
  createDeviceAuthenticator,
  credentialLookup,
  generateSecret,
  hashSecret,
} from '../../src/broker/credentials.ts';
import {
  type EmbeddedBroker,
  type EmbeddedBrokerOptions,
  startEmbeddedBroker,
} from '../../src/broker/embedded.ts';
import type { Repositories } from '../../src/db/repositories/index.ts';
import { openTestDatabase, type TestDatabase } from '../db/backends.ts';

export const silent = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });

/** The real PostgreSQL (a fresh schema for this file); a missing server fails the tests. */
export function openBrokerTestDatabase(): Promise<TestDatabase> {
  return openTestDatabase('postgres');
}

/** Per-test resources, released in reverse order. */
export class Resources {
  private readonly items: Array<() => unknown> = [];

  add(release: () => unknown): void {
    this.items.push(release);
  }

  async release(): Promise<void> {
    for (const release of this.items.splice(0).reverse()) await release();
  }
}

export function uid(): string {
  return randomBytes(4).toString('hex');
}

/** A store and an enrolled device (its secret hashed in the database, like enrollment does). */
export async function enrolledDevice(repos: Repositories, prefix = 'dev') {
  const u = uid();
  const store = await repos.stores.create({ id: `store-${u}`, name: `Shop ${u}` });
  const secret = generateSecret();
  const device = await repos.devices.create({
    id: `${prefix}-${u}`,
    storeId: store.id,
    name: `Box ${u}`,
    credentialHash: await hashSecret(secret),
  });
  return { store, device, id: device.id, secret };
}

/** The embedded broker on a free port, logging in devices against the test database. */
export async function startTestBroker(
  repos: Repositories,
  resources: Resources,
  options: Partial<EmbeddedBrokerOptions> = {},
): Promise<EmbeddedBroker & { url: string }> {
  const authenticator = createDeviceAuthenticator({ lookup: credentialLookup(repos.devices) });
  const broker = await startEmbeddedBroker({
    port: 0,
    host: '127.0.0.1',
    authenticate: authenticator.authenticate,
    log: silent,
    signingKey: TEST_HUB_KEY.privateKey,
    ...options,
  });
  resources.add(() => broker.close());
  return Object.assign(broker, { url: `mqtt://127.0.0.1:${broker.port}` });
}

/** A device's MQTT 3.1.1 connection as the agent makes it; rejects with the CONNACK code when refused. */
export async function connectDevice(
  url: string,
  deviceId: string,
  secret: string,
  resources: Resources,
  extra: IClientOptions = {},
): Promise<MqttClient> {
  const client = await mqtt.connectAsync(url, {
    clientId: deviceId,
    username: deviceId,
    password: secret,
    protocolVersion: 4,
    clean: true,
    reconnectPeriod: 0,
    connectTimeout: 5000,
    ...extra,
  });
  resources.add(() => client.endAsync(true).catch(() => undefined));
  return client;
}

/** Collects what a bus subscriber receives. */
export async function collect(bus: MessageBus, pattern: string): Promise<InboundMessage[]> {
  const received: InboundMessage[] = [];
  await bus.subscribe(pattern, (message) => {
    received.push(message);
  });
  return received;
}

export function status(overrides: Partial<DeviceStatus> = {}): DeviceStatus {
  return {
    v: PROTOCOL_VERSION,
    state: 'online',
    at: Date.now(),
    connection: 1,
    software: '0.1.0-test',
    configRevision: 0,
    outbox: { depth: 3, oldestAgeMs: 1500, dropped: 0 },
    cameras: [],
    ...overrides,
  };
}

/** Resolves when the client's connection closes (the broker cut it). */
export function closed(client: MqttClient): Promise<void> {
  return new Promise((resolve) => {
    if (client.disconnected || !client.connected) resolve();
    client.once('close', () => resolve());
  });
}

export async function waitFor(what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 5000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
