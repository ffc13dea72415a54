import { type Ack, EventBatch, type HubStatus, parsePayload, topics } from '@oskartrack/protocol';
import mqtt from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { Link } from '../../src/link/link.ts';
import { Outbox } from '../../src/outbox/outbox.ts';
import { crossing, events, tempDir } from '../outbox/helpers.ts';
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
      hub.publish(topics.ack(id), JSON.stringify(ack), { qos: 1 });
    });
    await hub.subscribeAsync([topics.events(id), topics.status(id)], { qos: 1 });
    const status: HubStatus = { v: 1, state: 'online', at: Date.now() };
    await hub.publishAsync(hubStatusTopic, JSON.stringify(status), { qos: 1, retain: true });

    outbox.append(events(1, 400));
    const link = new Link({
      url,
      deviceId: id,
      software: 'oskartrack-test/1.0',
      outbox,
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
