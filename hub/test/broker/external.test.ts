import { HubStatus, topics } from '@oskartrack/protocol';
import { openSignedAs } from '@oskartrack/protocol/signing';
import mqtt, { type MqttClient } from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { TEST_HUB_KEY } from '../../../agent/test/support/hub-key.ts';
import { requireMosquitto } from '../../../agent/test/support/mosquitto.ts';
import type { InboundMessage } from '../../src/broker/bus.ts';
import { connectExternalBus, type ExternalBus, type ExternalBusOptions } from '../../src/broker/external.ts';
import { Resources, silent, sleep, uid, waitFor } from './helpers.ts';

const url = await requireMosquitto();

const resources = new Resources();
afterEach(() => resources.release());

/** Topics are fixed under oskartrack/v1: every test uses device ids, a group and a hub status topic of its own. */
function scope() {
  const u = `${process.pid}-${uid()}`;
  return {
    device: (n = 1) => `ext-${u}-${n}`,
    group: `test-${u}`,
    hubStatusTopic: `oskartrack-test/${u}/hub/status`,
  };
}

async function bus(options: Partial<ExternalBusOptions> & { hubStatusTopic: string }): Promise<ExternalBus> {
  const b = await connectExternalBus({ url, log: silent, signingKey: TEST_HUB_KEY.privateKey, ...options });
  resources.add(() => b.close());
  return b;
}

/** A plain client standing in for a device (anonymous on the test Mosquitto); clears what it retained. */
async function device(retained: string[] = []): Promise<MqttClient> {
  const client = await mqtt.connectAsync(url, {
    clientId: `dev-${uid()}`,
    reconnectPeriod: 0,
    protocolVersion: 4,
  });
  resources.add(async () => {
    for (const topic of retained) await client.publishAsync(topic, '', { qos: 1, retain: true });
    await client.endAsync();
  });
  return client;
}

function hubStates(client: MqttClient, topic: string): string[] {
  const states: string[] = [];
  client.on('message', (t, payload) => {
    if (t !== topic || payload.length === 0) return;
    const parsed = openSignedAs(HubStatus, TEST_HUB_KEY.publicKey, topic, payload);
    if (parsed.ok) states.push(parsed.value.state);
  });
  return states;
}

describe('external bus over Mosquitto', () => {
  it('speaks MQTT 5 with shared subscriptions and delivers device messages', async () => {
    const s = scope();
    const hub = await bus({ group: s.group, hubStatusTopic: s.hubStatusTopic });
    expect(hub.protocolVersion).toBe(5);
    expect(hub.sharedSubscriptions).toBe(true);
    const events: InboundMessage[] = [];
    const statuses: InboundMessage[] = [];
    await hub.subscribe(topics.events(s.device()), (m) => {
      events.push(m);
    });
    await hub.subscribe(topics.status(s.device()), (m) => {
      statuses.push(m);
    });
    const dev = await device([topics.status(s.device())]);
    await dev.publishAsync(topics.events(s.device()), '{"n":1}', { qos: 1 });
    await dev.publishAsync(topics.status(s.device()), '{"s":1}', { qos: 1, retain: true });
    await waitFor('both messages', () => events.length === 1 && statuses.length === 1);
    expect(events[0]).toEqual({ topic: topics.events(s.device()), payload: Buffer.from('{"n":1}') });
    expect(statuses[0]?.payload.toString()).toBe('{"s":1}');
    // The hub's own publishes reach the device.
    const got: string[] = [];
    dev.on('message', (topic) => got.push(topic));
    await dev.subscribeAsync(topics.ack(s.device()), { qos: 1 });
    await hub.publish(topics.ack(s.device()), '{"upToSeq":1}', { qos: 1, retain: false });
    await waitFor('the ack', () => got.includes(topics.ack(s.device())));
  });

  it('two hubs of one group split the event batches: each gets a share, none gets one twice', async () => {
    const s = scope();
    const id = s.device();
    const received = [new Map<string, number>(), new Map<string, number>()];
    for (const [i, seen] of received.entries()) {
      const hub = await bus({
        group: s.group,
        hubStatusTopic: s.hubStatusTopic,
        clientId: `hub-${s.group}-${i}`,
      });
      expect(hub.sharedSubscriptions).toBe(true);
      await hub.subscribe(topics.all.events, (m) => {
        if (m.topic !== topics.events(id)) return; // other runs on the shared broker
        const n = m.payload.toString();
        seen.set(n, (seen.get(n) ?? 0) + 1);
      });
    }
    const dev = await device();
    const total = 60;
    for (let n = 0; n < total; n++) await dev.publishAsync(topics.events(id), String(n), { qos: 1 });
    await waitFor('every batch', () => received[0]!.size + received[1]!.size >= total);
    await sleep(200);
    const [a, b] = received as [Map<string, number>, Map<string, number>];
    expect(a.size).toBeGreaterThan(0);
    expect(b.size).toBeGreaterThan(0);
    expect(a.size + b.size).toBe(total);
    expect([...a.keys()].filter((n) => b.has(n))).toEqual([]);
    expect([...a.values(), ...b.values()].every((count) => count === 1)).toBe(true);
  });

  it('a hub of another group, and the status subscription, get everything', async () => {
    const s = scope();
    const id = s.device();
    const counts = { one: 0, two: 0, otherGroup: 0, status: 0 };
    const one = await bus({ group: s.group, hubStatusTopic: s.hubStatusTopic });
    const two = await bus({ group: s.group, hubStatusTopic: s.hubStatusTopic });
    const other = await bus({ group: `${s.group}-other`, hubStatusTopic: s.hubStatusTopic });
    await one.subscribe(topics.events(id), () => {
      counts.one++;
    });
    await two.subscribe(topics.events(id), () => {
      counts.two++;
    });
    await other.subscribe(topics.events(id), () => {
      counts.otherGroup++;
    });
    // Status is not shared: both hubs of the group see each one.
    let statusTwo = 0;
    await one.subscribe(topics.status(id), () => {
      counts.status++;
    });
    await two.subscribe(topics.status(id), () => {
      statusTwo++;
    });
    const dev = await device([topics.status(id)]);
    for (let n = 0; n < 10; n++) await dev.publishAsync(topics.events(id), String(n), { qos: 1 });
    await dev.publishAsync(topics.status(id), '{}', { qos: 1, retain: true });
    await waitFor(
      'all',
      () => counts.one + counts.two === 10 && counts.otherGroup === 10 && counts.status === 1,
    );
    await waitFor('status on both', () => statusTwo === 1);
  });

  it('overlapping subscriptions each get the message once (subscription identifiers)', async () => {
    const s = scope();
    const id = s.device();
    const hub = await bus({ group: s.group, hubStatusTopic: s.hubStatusTopic });
    const got = { exact: 0, wildcard: 0 };
    await hub.subscribe(topics.live(id, 'cam-1'), () => {
      got.exact++;
    });
    await hub.subscribe(`${topics.deviceRoot(id)}/live/+`, () => {
      got.wildcard++;
    });
    const dev = await device();
    await dev.publishAsync(topics.live(id, 'cam-1'), '{}', { qos: 0 });
    await dev.publishAsync(topics.live(id, 'cam-2'), '{}', { qos: 0 });
    await waitFor('live', () => got.exact === 1 && got.wildcard === 2);
    await sleep(100);
    expect(got).toEqual({ exact: 1, wildcard: 2 });
  });

  it('hub status: online when ready, offline by the will or a clean stop, reasserted by a surviving hub', async () => {
    const s = scope();
    const watcher = await device([s.hubStatusTopic]);
    const states = hubStates(watcher, s.hubStatusTopic);
    await watcher.subscribeAsync(s.hubStatusTopic, { qos: 1 });

    const first = await connectExternalBus({
      url,
      log: silent,
      signingKey: TEST_HUB_KEY.privateKey,
      group: s.group,
      hubStatusTopic: s.hubStatusTopic,
    });
    await waitFor('online', () => states.at(-1) === 'online');
    const second = await bus({ group: s.group, hubStatusTopic: s.hubStatusTopic, announce: false });
    expect(second.online).toBe(false);
    await second.announceOnline();

    // The first hub dies without a DISCONNECT: its will says offline, the second one says online again.
    resources.add(() => first.close());
    first.client.options.reconnectPeriod = 0;
    first.client.stream.destroy();
    await waitFor('offline then online again', () => states.slice(-2).join() === 'offline,online', 10_000);

    // A clean stop of the last hub leaves it offline.
    await second.close();
    await waitFor('offline', () => states.at(-1) === 'offline');
  });

  it('starts through cuts under its subscribing and announcing (another hub changing the shared account)', async () => {
    const s = scope();
    const watcher = await device([s.hubStatusTopic]);
    const states = hubStates(watcher, s.hubStatusTopic);
    await watcher.subscribeAsync(s.hubStatusTopic, { qos: 1 });
    const events: InboundMessage[] = [];
    const hub = await bus({
      group: s.group,
      hubStatusTopic: s.hubStatusTopic,
      reconnectPeriodMs: 100,
      prepare: async (bus) => {
        const b = bus as ExternalBus; // the bus being started
        const cutOnSubscribe = (packet: { cmd: string }) => {
          if (packet.cmd !== 'subscribe') return;
          b.client.removeListener('packetsend', cutOnSubscribe);
          b.client.stream.destroy();
        };
        // Cut while the SUBACK is awaited...
        b.client.on('packetsend', cutOnSubscribe);
        await b.subscribe(topics.events(s.device()), (m) => {
          events.push(m);
        });
        // ...and just before the hub announces itself.
        b.client.stream.destroy();
        await waitFor('cut', () => !b.connected);
      },
    });
    await waitFor('online', () => states.at(-1) === 'online');
    expect(hub.online).toBe(true);
    const dev = await device();
    await dev.publishAsync(topics.events(s.device()), '{"n":1}', { qos: 1 });
    await waitFor('the event', () => events.length > 0);
    expect(events[0]?.payload.toString()).toBe('{"n":1}');
  });

  it('fails clearly when no broker answers', async () => {
    await expect(
      connectExternalBus({
        url: 'mqtt://127.0.0.1:1',
        log: silent,
        signingKey: TEST_HUB_KEY.privateKey,
        hubStatusTopic: 'x/y',
        connectTimeoutMs: 2000,
      }),
    ).rejects.toThrow();
  });
});
