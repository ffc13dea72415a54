/**
 * Alerts on the embedded broker (aedes): published on the store's alert topic (QoS 1, not retained)
 * where a subscriber on the hub's bus gets it, while a camera unit's account may not subscribe to it
 * and receives nothing of it.
 */
import { AlertNotice, check, STORE_ALERTS_CHANNEL, topics } from '@oskartrack/protocol';
import type { ErrorWithSubackPacket, MqttClient } from 'mqtt';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DeliveryWorker } from '../../../src/alerts/delivery/index.ts';
import { topicMatches } from '../../../src/broker/acl.ts';
import type { MessageBus } from '../../../src/broker/bus.ts';
import { deviceAcls, hubAcls } from '../../../src/broker/dynsec-acls.ts';
import { createMailer } from '../../../src/mail/mailer.ts';
import {
  collect,
  connectDevice,
  enrolledDevice,
  openBrokerTestDatabase,
  Resources,
  startTestBroker,
} from '../../broker/helpers.ts';
import type { TestDatabase } from '../../db/backends.ts';
import { delivery, insertAlert, insertDelivery, insertRule, silent, testClock, waitFor } from './support.ts';

let t: TestDatabase;
beforeAll(async () => {
  t = await openBrokerTestDatabase();
});
afterAll(() => t?.close());
const resources = new Resources();
afterEach(() => resources.release());

function worker(bus: MessageBus | undefined) {
  return new DeliveryWorker({
    db: t.db,
    mailer: createMailer(t.repos.settings),
    log: silent,
    bus,
    now: testClock(Date.now() + 1000).now,
    random: () => 0,
  });
}

/** The SUBACK code for one filter (0x80: refused). */
async function suback(client: MqttClient, filter: string): Promise<number> {
  try {
    return (await client.subscribeAsync(filter, { qos: 1 }))[0]?.qos ?? -1;
  } catch (error) {
    return (error as ErrorWithSubackPacket).packet.granted[0] as number;
  }
}

describe('MQTT alert delivery', () => {
  it('publishes the alert on the store topic; a camera unit can not subscribe and gets nothing', async () => {
    const broker = await startTestBroker(t.repos, resources);
    const box = await enrolledDevice(t.repos);
    const device = await connectDevice(broker.url, box.id, box.secret, resources);
    const boxGot: string[] = [];
    device.on('message', (topic) => boxGot.push(topic));
    const alertsTopic = topics.storeAlerts(box.store.id);
    expect(await suback(device, topics.all.storeAlerts)).toBe(0x80);
    expect(await suback(device, alertsTopic)).toBe(0x80);
    expect(await suback(device, 'oskartrack/v1/stores/#')).toBe(0x80);
    expect(await suback(device, '#')).toBe(0x80);
    expect(await suback(device, topics.hubStatus)).toBe(1); // what a box may read: the test's barrier

    const hubSide = await collect(broker, topics.all.storeAlerts);
    const rule = await insertRule(t.db, box.store.id);
    const alert = await insertAlert(t.db, {
      storeId: box.store.id,
      ruleId: rule.id,
      message: 'The camera unit Box 1 has been offline for 10 minutes.',
      kind: 'box_offline',
      subject: box.id,
    });
    const d = await insertDelivery(t.db, alert.id, 'mqtt', '');
    await worker(broker).runOnce();

    expect((await delivery(t.db, d.id)).deliveredAt).not.toBeNull();
    await waitFor('the hub-side subscriber', async () => hubSide.length > 0);
    expect(hubSide.map((m) => m.topic)).toEqual([alertsTopic]);
    const notice = JSON.parse(hubSide[0]!.payload.toString('utf8'));
    expect(check(AlertNotice, notice).ok).toBe(true);
    expect(notice).toMatchObject({
      id: alert.id,
      storeId: box.store.id,
      state: 'firing',
      kind: 'box_offline',
    });
    expect(STORE_ALERTS_CHANNEL).toMatchObject({ qos: 1, retain: false });

    // Published after the alert: once the box has this, it would have had the alert too.
    const statuses = () => boxGot.filter((topic) => topic === topics.hubStatus).length;
    const before = statuses(); // the retained one it got on subscribing
    await broker.announceOnline();
    await waitFor('the box to get the new hub status', async () => statuses() > before);
    expect(boxGot.filter((topic) => topic !== topics.hubStatus)).toEqual([]);
  });

  it("on a shared Mosquitto too, a camera unit's role has no subscription that reaches the alert topic", () => {
    const alertsTopic = topics.storeAlerts('store-1');
    const subscriptions = deviceAcls('dev-1').filter((a) => a.acltype.startsWith('subscribe'));
    expect(subscriptions.length).toBeGreaterThan(0);
    for (const acl of subscriptions) expect(topicMatches(acl.topic, alertsTopic), acl.topic).toBe(false);
    // The hub's own role may publish it.
    expect(
      hubAcls().some((a) => a.acltype === 'publishClientSend' && topicMatches(a.topic, alertsTopic)),
    ).toBe(true);
  });

  it('without a message bus: not delivered, the reason kept, tried again later', async () => {
    const box = await enrolledDevice(t.repos);
    const rule = await insertRule(t.db, box.store.id);
    const alert = await insertAlert(t.db, { storeId: box.store.id, ruleId: rule.id, message: 'Too full.' });
    const d = await insertDelivery(t.db, alert.id, 'mqtt', '');
    await worker(undefined).runOnce();
    const row = await delivery(t.db, d.id);
    expect(row.deliveredAt).toBeNull();
    expect(row.attempts).toBe(1);
    expect(row.lastError).toMatch(/without its message broker/);
  });
});
