import { type Ack, EventBatch, type HubStatus, parsePayload, topics } from '@oskartrack/protocol';
import mqtt from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { Link } from '../../src/link/link.ts';
import { Outbox } from '../../src/outbox/outbox.ts';
import { crossing, events, tempDir } from '../outbox/helpers.ts';
import { hubSigned, newHubKey, TEST_HUB_KEY } from '../support/hub-key.ts';
import { requireMosquitto } from '../support/mosquitto.ts';
import { Resources, silent } from './fixture.ts';
import { deviceId, waitFor } from './helpers.ts';

const url = await requireMosquitto();

const resources = new Resources();
afterEach(() => resources.release());

describe('Link over an external Mosquitto (anonymous)', () => {
  it('delivers a backlog and fresh events, end-to-end acknowledged, without credentials', async () => {
    const id = deviceId('mosq');
    // the hub status topic is shared by everyone on this broker: use one of our own
    const hubStatusTopic = `oskartrack-test/${id}/hub/status`;
    const tmp = tempDir('link-mosq');
    resources.add(tmp.remove);
    const outbox = new Outbox(tmp.file('outbox.db'), { logger: silent, synchronous: 'normal' });
    resources.add(() => outbox.close());

    // the hub: a plain mqtt.js client that stores and acknowledges
    const hub = await mqtt.connectAsync(url, { clientId: `hub-${id}`, clean: true, reconnectPeriod: 0 });
    resources.add(async () => {
      // leave nothing retained behind on the shared broker
      await hub.publishAsync(topics.status(id), '', { qos: 1, retain: true });
      await hub.publishAsync(hubStatusTopic, '', { qos: 1, retain: true });
      await hub.endAsync();
    });
    const stored = new Map<number, unknown>();
    let ackedUpTo = 0;
    let online = 0;
    hub.on('message', (topic, payload) => {
      if (topic === topics.status(id)) {
        if (payload.length > 0 && JSON.parse(payload.toString()).state === 'online') online++;
        return;
      }
      const batch = parsePayload(EventBatch, payload);
      if (!batch.ok) throw new Error(batch.error);
      for (const { seq, event } of batch.value.events) stored.set(seq, event);
      while (stored.has(ackedUpTo + 1)) ackedUpTo++;
      const ack: Ack = { v: 1, upToSeq: ackedUpTo, at: Date.now() };
      hub.publish(topics.ack(id), hubSigned(topics.ack(id), ack), { qos: 1 });
    });
    await hub.subscribeAsync([topics.events(id), topics.status(id)], { qos: 1 });
    const status: HubStatus = { v: 1, state: 'online', at: Date.now() };
    await hub.publishAsync(hubStatusTopic, hubSigned(hubStatusTopic, status), { qos: 1, retain: true });

    outbox.append(events(1, 400));
    const link = new Link({
      url,
      deviceId: id,
      software: 'oskartrack-test/1.0',
      outbox,
      hubKey: TEST_HUB_KEY.publicKey,
      hubStatusTopic,
      batchSize: 100,
      ackTimeoutMs: 1000,
      reconnectPeriodMs: 200,
      logger: silent,
    });
    resources.add(() => link.stop());
    await link.start();
    await waitFor('connected', () => link.state().hub === 'online');
    outbox.append(events(401, 20));
    await waitFor('all acknowledged', () => ackedUpTo === 420 && outbox.depth() === 0, 10_000);
    expect([...stored.keys()].sort((a, b) => a - b)).toEqual(Array.from({ length: 420 }, (_, i) => i + 1));
    expect(stored.get(420)).toEqual(crossing(420));
    expect(online).toBeGreaterThanOrEqual(1);
  });
});

describe('Link over an external Mosquitto: forgeries by another client', () => {
  it('ignores forged acks and a forged hub status from another broker client; loses nothing', async () => {
    const id = deviceId('mosq-forge');
    const hubStatusTopic = `oskartrack-test/${id}/hub/status`;
    const tmp = tempDir('link-mosq-forge');
    resources.add(tmp.remove);
    const outbox = new Outbox(tmp.file('outbox.db'), { logger: silent, synchronous: 'normal' });
    resources.add(() => outbox.close());
    const connect = (name: string) =>
      mqtt.connectAsync(url, { clientId: `${name}-${id}`, clean: true, reconnectPeriod: 0 });
    const hub = await connect('hub');
    const forger = await connect('forger');
    resources.add(async () => {
      await hub.publishAsync(topics.status(id), '', { qos: 1, retain: true });
      await hub.publishAsync(hubStatusTopic, '', { qos: 1, retain: true });
      await hub.endAsync();
      await forger.endAsync();
    });
    // the hub stores every batch; it acknowledges only when told to
    const stored = new Map<number, number>();
    hub.on('message', (topic, payload) => {
      if (topic !== topics.events(id)) return;
      const batch = parsePayload(EventBatch, payload);
      if (!batch.ok) throw new Error(batch.error);
      for (const { seq } of batch.value.events) stored.set(seq, (stored.get(seq) ?? 0) + 1);
    });
    await hub.subscribeAsync(topics.events(id), { qos: 1 });
    const online: HubStatus = { v: 1, state: 'online', at: Date.now() };
    await hub.publishAsync(hubStatusTopic, hubSigned(hubStatusTopic, online), { qos: 1, retain: true });

    outbox.append(events(1, 20));
    const link = new Link({
      url,
      deviceId: id,
      software: 'oskartrack-test/1.0',
      outbox,
      hubKey: TEST_HUB_KEY.publicKey,
      hubStatusTopic,
      batchSize: 100,
      ackTimeoutMs: 60_000,
      reconnectPeriodMs: 200,
      logger: silent,
    });
    resources.add(() => link.stop());
    await link.start();
    await waitFor('sent', () => stored.size === 20, 10_000);

    const forge = (upToSeq: number) => JSON.stringify({ v: 1, upToSeq, at: Date.now() } satisfies Ack);
    await forger.publishAsync(topics.ack(id), forge(14), { qos: 1 });
    await forger.publishAsync(topics.ack(id), forge(Number.MAX_SAFE_INTEGER), { qos: 1 });
    await forger.publishAsync(topics.ack(id), hubSigned(topics.ack(id), JSON.parse(forge(14)), newHubKey()), {
      qos: 1,
    });
    const offline = JSON.stringify({ v: 1, state: 'offline', at: Date.now() } satisfies HubStatus);
    await forger.publishAsync(hubStatusTopic, offline, { qos: 1, retain: true });
    await waitFor('all refused', () => link.state().refusedMessages === 4, 10_000);
    expect(outbox.depth()).toBe(20);
    expect(link.state()).toMatchObject({ ackedUpTo: 0, hub: 'online' });

    const ack: Ack = { v: 1, upToSeq: 20, at: Date.now() };
    await hub.publishAsync(topics.ack(id), hubSigned(topics.ack(id), ack), { qos: 1 });
    await waitFor('acknowledged', () => outbox.depth() === 0, 10_000);
    expect(outbox.append([crossing(21)])).toEqual([21]);
    await waitFor('the next one', () => stored.has(21), 10_000);
    expect([...stored.keys()].sort((a, b) => a - b)).toEqual(Array.from({ length: 21 }, (_, i) => i + 1));
    expect([...stored.values()].every((n) => n === 1)).toBe(true); // each stored exactly once
  });
});
