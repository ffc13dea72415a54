import {
  type Ack,
  Ack as AckSchema,
  type DeviceStatus,
  PROTOCOL_VERSION,
  topics,
} from '@oskartrack/protocol';
import { openSignedAs } from '@oskartrack/protocol/signing';
import type { MqttClient } from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { TEST_HUB_KEY } from '../../../agent/test/support/hub-key.ts';
import { clearRetained, on, send } from '../../src/broker/channel-bus.ts';
import { type EmbeddedBroker, startEmbeddedBroker } from '../../src/broker/embedded.ts';
import { connectDevice, Resources, silent, status, uid, waitFor } from './helpers.ts';

const resources = new Resources();
afterEach(() => resources.release());

/** The embedded broker with one device account (`secret`), no database needed. */
async function setup(): Promise<{ broker: EmbeddedBroker; device: MqttClient; id: string }> {
  const broker = await startEmbeddedBroker({
    port: 0,
    host: '127.0.0.1',
    authenticate: async (_id, secret) => secret === 'secret',
    log: silent,
    signingKey: TEST_HUB_KEY.privateKey,
  });
  resources.add(() => broker.close());
  const id = `box-${uid()}`;
  const device = await connectDevice(`mqtt://127.0.0.1:${broker.port}`, id, 'secret', resources);
  return { broker, device, id };
}

function received(device: MqttClient): Array<{ topic: string; payload: Buffer; retain: boolean }> {
  const messages: Array<{ topic: string; payload: Buffer; retain: boolean }> = [];
  device.on('message', (topic, payload, packet) => messages.push({ topic, payload, retain: packet.retain }));
  return messages;
}

describe('channel bus', () => {
  it('delivers an agent channel parsed, with the device id, and says why a payload is refused', async () => {
    const { broker, device, id } = await setup();
    const seen: Array<{ deviceId: string; ok: boolean; state?: DeviceStatus['state'] }> = [];
    await on(broker, 'status', (deviceId, parsed) => {
      seen.push({ deviceId, ok: parsed.ok, ...(parsed.ok ? { state: parsed.value.state } : {}) });
    });
    await device.publishAsync(topics.status(id), JSON.stringify(status({ state: 'online' })), { qos: 1 });
    await device.publishAsync(topics.status(id), '{"v":1}', { qos: 1 });
    await waitFor('two statuses', () => seen.length === 2);
    expect(seen).toEqual([
      { deviceId: id, ok: true, state: 'online' },
      { deviceId: id, ok: false },
    ]);
  });

  it('hands the camera id of a live message to the handler', async () => {
    const { broker, device, id } = await setup();
    const subs: Array<string | undefined> = [];
    await on(broker, 'live', (_deviceId, _parsed, sub) => {
      subs.push(sub);
    });
    await device.publishAsync(topics.live(id, 'cam-7'), '{}', { qos: 0 });
    await waitFor('a live message', () => subs.length === 1);
    expect(subs).toEqual(['cam-7']);
  });

  it('sends a hub channel signed, with the channel QoS and retain flag, and refuses a value off the schema', async () => {
    const { broker, device, id } = await setup();
    const messages = received(device);
    await device.subscribeAsync([topics.ack(id), topics.config(id)], { qos: 1 });
    const ack: Ack = { v: PROTOCOL_VERSION, upToSeq: 41, at: Date.now() };
    await send(broker, 'ack', id, ack);
    await waitFor('the ack', () => messages.length === 1);
    const opened = openSignedAs(AckSchema, TEST_HUB_KEY.publicKey, topics.ack(id), messages[0]!.payload);
    expect(opened).toEqual({ ok: true, value: ack });
    expect(messages[0]).toMatchObject({ topic: topics.ack(id), retain: false });

    expect(() => send(broker, 'ack', id, { ...ack, upToSeq: -1 })).toThrow(/invalid ack message/);
    expect(() => clearRetained(broker, 'ack', id)).toThrow(/not retained/);
  });

  it('clears a retained channel with an empty payload', async () => {
    const { broker, device, id } = await setup();
    await broker.publish(topics.config(id), '{"revision":1}', { qos: 1, retain: true });
    const messages = received(device);
    await device.subscribeAsync(topics.config(id), { qos: 1 });
    await waitFor('the retained config', () => messages.length === 1);
    await clearRetained(broker, 'config', id);
    await waitFor('the empty payload', () => messages.length === 2);
    expect(messages[1]).toMatchObject({ topic: topics.config(id), payload: Buffer.alloc(0) });

    await device.unsubscribeAsync(topics.config(id));
    await device.subscribeAsync([topics.config(id), topics.ack(id)], { qos: 1 });
    await send(broker, 'ack', id, { v: PROTOCOL_VERSION, upToSeq: 1, at: Date.now() });
    await waitFor('the ack', () => messages.some((m) => m.topic === topics.ack(id)));
    expect(messages).toHaveLength(3); // nothing retained on config any more
  });
});
