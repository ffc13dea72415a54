import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HubStatus, MAX_PAYLOAD_BYTES, topics } from '@oskartrack/protocol';
import { openSignedAs } from '@oskartrack/protocol/signing';
import mqtt, { type ErrorWithReasonCode, type ErrorWithSubackPacket, type MqttClient } from 'mqtt';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { TEST_HUB_KEY } from '../../../agent/test/support/hub-key.ts';
import { trackDeviceStatus } from '../../src/broker/device-status.ts';
import type { TestDatabase } from '../db/backends.ts';
import {
  closed,
  collect,
  connectDevice,
  enrolledDevice,
  openBrokerTestDatabase,
  Resources,
  silent,
  sleep,
  startTestBroker,
  status,
  waitFor,
} from './helpers.ts';

let t: TestDatabase;
beforeAll(async () => {
  t = await openBrokerTestDatabase();
});
afterAll(() => t?.close());
const resources = new Resources();
afterEach(() => resources.release());

/** SUBACK codes per topic (mqtt.js rejects a SUBSCRIBE with any refused topic as a whole). */
async function subackCodes(client: MqttClient, filters: string[]): Promise<Record<string, number>> {
  const codes: Record<string, number> = {};
  for (const filter of filters) {
    try {
      const granted = await client.subscribeAsync(filter, { qos: 1 });
      codes[filter] = granted[0]?.qos ?? -1;
    } catch (error) {
      codes[filter] = (error as ErrorWithSubackPacket).packet.granted[0] as number;
    }
  }
  return codes;
}

async function refusal(promise: Promise<unknown>): Promise<number | undefined> {
  try {
    await promise;
  } catch (error) {
    return (error as ErrorWithReasonCode).code;
  }
  throw new Error('the connection was accepted');
}

describe('embedded broker: device accounts', () => {
  it('a device logs in with its secret and publishes; the hub receives it', async () => {
    const broker = await startTestBroker(t.repos, resources);
    const { id, secret } = await enrolledDevice(t.repos);
    const received = await collect(broker, topics.all.events);
    const device = await connectDevice(broker.url, id, secret, resources);
    await device.publishAsync(topics.events(id), '{"hello":1}', { qos: 1 });
    await waitFor('the event message', () => received.length === 1);
    expect(received[0]).toEqual({ topic: topics.events(id), payload: Buffer.from('{"hello":1}') });
    expect(broker.connectedDevices()).toEqual([id]);
  });

  it('a wrong password, an unknown device or a missing password is "bad user name or password"', async () => {
    const broker = await startTestBroker(t.repos, resources);
    const { id, secret } = await enrolledDevice(t.repos);
    expect(await refusal(connectDevice(broker.url, id, `${secret}x`, resources))).toBe(4);
    expect(await refusal(connectDevice(broker.url, 'dev-nobody', secret, resources))).toBe(4);
    expect(
      await refusal(mqtt.connectAsync(broker.url, { clientId: id, protocolVersion: 4, reconnectPeriod: 0 })),
    ).toBe(4);
    // A device whose credential was revoked
    await t.repos.devices.setCredential(id, null);
    expect(await refusal(connectDevice(broker.url, id, secret, resources))).toBe(4);
    expect(broker.connectedDevices()).toEqual([]);
  });

  it('the client id must be the device id', async () => {
    const broker = await startTestBroker(t.repos, resources);
    const { id, secret } = await enrolledDevice(t.repos);
    expect(
      await refusal(connectDevice(broker.url, id, secret, resources, { clientId: 'someone-else' })),
    ).toBe(2);
  });

  it("a device publishing under another device's topic is cut off; the hub never sees it", async () => {
    const broker = await startTestBroker(t.repos, resources);
    const a = await enrolledDevice(t.repos, 'deva');
    const b = await enrolledDevice(t.repos, 'devb');
    const received = await collect(broker, 'oskartrack/v1/#');
    const clientA = await connectDevice(broker.url, a.id, a.secret, resources);
    const gone = closed(clientA);
    clientA.publish(topics.events(b.id), '{"forged":true}', { qos: 1 });
    await gone;

    // Nor its hub channels, nor retained events.
    for (const [topic, retain] of [
      [topics.ack(a.id), false],
      [topics.config(a.id), true],
      [topics.events(a.id), true],
    ] as const) {
      const again = await connectDevice(broker.url, a.id, a.secret, resources);
      const cut = closed(again);
      again.publish(topic, '{}', { qos: 1, retain });
      await cut;
    }

    // Its own topic still works, and only that arrives.
    const clientA2 = await connectDevice(broker.url, a.id, a.secret, resources);
    await clientA2.publishAsync(topics.events(a.id), '{"own":true}', { qos: 1 });
    await waitFor('the own event', () => received.length >= 1);
    await sleep(100);
    expect(received.map((m) => m.topic)).toEqual([topics.events(a.id)]);
  });

  it("a device may not subscribe to another device's config, or to wildcards over devices", async () => {
    const broker = await startTestBroker(t.repos, resources);
    const a = await enrolledDevice(t.repos, 'deva');
    const b = await enrolledDevice(t.repos, 'devb');
    const clientA = await connectDevice(broker.url, a.id, a.secret, resources);
    const codes = await subackCodes(clientA, [
      topics.config(a.id),
      topics.ack(a.id),
      `${topics.deviceRoot(a.id)}/request/+`,
      topics.hubStatus,
      topics.config(b.id),
      'oskartrack/v1/devices/+/config',
      '#',
    ]);
    expect(codes).toEqual({
      [topics.config(a.id)]: 1,
      [topics.ack(a.id)]: 1,
      [`${topics.deviceRoot(a.id)}/request/+`]: 1,
      [topics.hubStatus]: 1,
      [topics.config(b.id)]: 128,
      'oskartrack/v1/devices/+/config': 128,
      '#': 128,
    });
    // The refused subscription delivers nothing: B's config stays private.
    const messages: string[] = [];
    clientA.on('message', (topic) => messages.push(topic));
    await broker.publish(topics.config(b.id), '{"secret":"config"}', { qos: 1, retain: true });
    await broker.publish(topics.config(a.id), '{"own":"config"}', { qos: 1, retain: true });
    await waitFor('own config', () => messages.includes(topics.config(a.id)));
    await sleep(100);
    expect(messages).not.toContain(topics.config(b.id));
    expect(clientA.connected).toBe(true);
  });

  it('an oversized payload is refused at the broker and a good device keeps going', async () => {
    const broker = await startTestBroker(t.repos, resources);
    const bad = await enrolledDevice(t.repos, 'bad');
    const good = await enrolledDevice(t.repos, 'good');
    const received = await collect(broker, topics.all.events);
    const goodClient = await connectDevice(broker.url, good.id, good.secret, resources);

    // Just over the payload limit: refused by the publish check.
    const badClient = await connectDevice(broker.url, bad.id, bad.secret, resources);
    const cut = closed(badClient);
    badClient.publish(topics.events(bad.id), Buffer.alloc(MAX_PAYLOAD_BYTES + 1, 0x20), { qos: 1 });
    await cut;
    // Far over it: the connection is closed when the header arrives.
    const badClient2 = await connectDevice(broker.url, bad.id, bad.secret, resources);
    const cut2 = closed(badClient2);
    badClient2.publish(topics.events(bad.id), Buffer.alloc(8 * MAX_PAYLOAD_BYTES, 0x20), { qos: 0 });
    await cut2;

    await goodClient.publishAsync(topics.events(good.id), Buffer.alloc(MAX_PAYLOAD_BYTES, 0x20), { qos: 1 });
    await waitFor('the good batch', () => received.length === 1);
    expect(received[0]?.topic).toBe(topics.events(good.id));
    expect(received[0]?.payload.length).toBe(MAX_PAYLOAD_BYTES);
  });

  it('a last will that is not its own status is refused at connect', async () => {
    const broker = await startTestBroker(t.repos, resources);
    const a = await enrolledDevice(t.repos, 'deva');
    const b = await enrolledDevice(t.repos, 'devb');
    const will = (topic: string) => ({ topic, payload: Buffer.from('{}'), qos: 1 as const, retain: true });
    expect(
      await refusal(
        connectDevice(broker.url, a.id, a.secret, resources, { will: will(topics.status(b.id)) }),
      ),
    ).toBe(5);
    expect(
      await refusal(
        connectDevice(broker.url, a.id, a.secret, resources, { will: will(topics.events(a.id)) }),
      ),
    ).toBe(5);
    await connectDevice(broker.url, a.id, a.secret, resources, { will: will(topics.status(a.id)) });
  });

  it('the retained status and the last will keep the device online / offline in the database', async () => {
    const broker = await startTestBroker(t.repos, resources);
    const { id, secret } = await enrolledDevice(t.repos);
    const tracker = await trackDeviceStatus({ bus: broker, devices: t.repos.devices, log: silent });
    const will = {
      topic: topics.status(id),
      payload: Buffer.from(JSON.stringify(status({ state: 'offline' }))),
      qos: 1 as const,
      retain: true,
    };
    const device = await connectDevice(broker.url, id, secret, resources, { will });
    await device.publishAsync(topics.status(id), JSON.stringify(status()), { qos: 1, retain: true });
    await waitFor('online in the database', async () => (await t.repos.devices.get(id)).online);
    const row = await t.repos.devices.get(id);
    expect(row).toMatchObject({ online: true, connection: 1, softwareVersion: '0.1.0-test', outboxDepth: 3 });
    expect(row.lastSeenAt).toBeInstanceOf(Date);

    // The connection drops without a DISCONNECT: the broker publishes the will.
    device.stream.destroy();
    await waitFor('offline in the database', async () => !(await t.repos.devices.get(id)).online);
    expect(tracker.stats()).toMatchObject({ recorded: 2, rejected: 0 });
  });

  it('malformed statuses are logged and skipped, never stop the tracker', async () => {
    const broker = await startTestBroker(t.repos, resources);
    const { id, secret } = await enrolledDevice(t.repos);
    const tracker = await trackDeviceStatus({ bus: broker, devices: t.repos.devices, log: silent });
    const device = await connectDevice(broker.url, id, secret, resources);
    for (const payload of ['not json', '{}', JSON.stringify({ ...status(), v: 2 }), '[]']) {
      await device.publishAsync(topics.status(id), payload, { qos: 1 });
    }
    await device.publishAsync(topics.status(id), JSON.stringify(status({ connection: 4 })), { qos: 1 });
    await waitFor('the good status', () => tracker.stats().recorded === 1);
    expect(tracker.stats()).toEqual({ recorded: 1, stale: 0, rejected: 4 });
    expect((await t.repos.devices.get(id)).connection).toBe(4);
    // A status of a device the database does not know (published by the hub itself here).
    await broker.publish(topics.status('dev-ghost'), JSON.stringify(status()), { qos: 1, retain: false });
    await waitFor('the ghost status', () => tracker.stats().rejected === 5);
  });

  it('the hub status is retained online while the broker runs and offline on a clean stop', async () => {
    const { id, secret } = await enrolledDevice(t.repos);
    const broker = await startTestBroker(t.repos, resources);
    const device = await connectDevice(broker.url, id, secret, resources, { reconnectPeriod: 0 });
    const states: string[] = [];
    device.on('message', (topic, payload) => {
      const parsed = openSignedAs(HubStatus, TEST_HUB_KEY.publicKey, topic, payload);
      if (topic === topics.hubStatus && parsed.ok) states.push(parsed.value.state);
    });
    await device.subscribeAsync(topics.hubStatus, { qos: 1 });
    await waitFor('online', () => states.includes('online'));
    await broker.close();
    await waitFor('offline', () => states.includes('offline'));
    expect(states).toEqual(['online', 'offline']);
  });

  it('runs the prepare hook before any device can connect', async () => {
    const order: string[] = [];
    const broker = await startTestBroker(t.repos, resources, {
      prepare: async (bus) => {
        order.push('prepare');
        await bus.subscribe(topics.all.events, () => {});
        await bus.publish(topics.config('dev-x'), '{}', { qos: 1, retain: true });
      },
      announce: false,
    });
    order.push('listening');
    expect(order).toEqual(['prepare', 'listening']);
    expect(broker.online).toBe(false);
    await broker.announceOnline();
    expect(broker.online).toBe(true);
  });

  it('a device can be disconnected by the hub', async () => {
    const broker = await startTestBroker(t.repos, resources);
    const { id, secret } = await enrolledDevice(t.repos);
    const device = await connectDevice(broker.url, id, secret, resources);
    const gone = closed(device);
    expect(await broker.disconnectDevice(id)).toBe(true);
    await gone;
    expect(await broker.disconnectDevice(id)).toBe(false);
  });
});

// scripts/setup.sh --test installs openssl; without it the TLS test must fail, not vanish.
if (spawnSync('openssl', ['version']).status !== 0)
  throw new Error('openssl is missing: run bash scripts/setup.sh --test');

describe('embedded broker over TLS', () => {
  it('accepts a device over TLS with a self-signed certificate', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'oskartrack-tls-'));
    resources.add(() => rmSync(dir, { recursive: true, force: true }));
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
        '-days',
        '1',
        '-subj',
        '/CN=localhost',
        '-addext',
        'subjectAltName=DNS:localhost,IP:127.0.0.1',
      ],
      { stdio: 'ignore' },
    );
    const cert = readFileSync(join(dir, 'cert.pem'));
    const key = readFileSync(join(dir, 'key.pem'));
    const broker = await startTestBroker(t.repos, resources, { tls: { cert, key, port: 0 } });
    expect(broker.tlsPort).toBeGreaterThan(0);
    const { id, secret } = await enrolledDevice(t.repos);
    const received = await collect(broker, topics.all.events);
    const url = `mqtts://127.0.0.1:${broker.tlsPort}`;
    const device = await connectDevice(url, id, secret, resources, { ca: cert, rejectUnauthorized: true });
    await device.publishAsync(topics.events(id), '{"tls":true}', { qos: 1 });
    await waitFor('the event over TLS', () => received.length === 1);
    // A client that does not trust the certificate is refused by TLS itself.
    await expect(
      mqtt.connectAsync(url, {
        clientId: id,
        username: id,
        password: secret,
        protocolVersion: 4,
        reconnectPeriod: 0,
        connectTimeout: 2000,
      }),
    ).rejects.toThrow();
    // A wrong password over TLS is still refused by the account check.
    expect(await refusal(connectDevice(url, id, `${secret}x`, resources, { ca: cert }))).toBe(4);
  });
});
