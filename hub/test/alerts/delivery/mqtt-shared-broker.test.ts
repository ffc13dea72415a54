/**
 * Alerts on a shared Mosquitto with dynamic security (a private broker started here): the hub
 * publishes through its own account, a building system reads the alert topic through a read-only
 * account made with the README's commands, and a camera unit's account is refused the topic.
 */
import { randomBytes } from 'node:crypto';
import { AlertNotice, check, topics } from '@oskartrack/protocol';
import mqtt, { type ErrorWithSubackPacket, type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_HUB_KEY } from '../../../../agent/test/support/hub-key.ts';
import { DeliveryWorker } from '../../../src/alerts/delivery/index.ts';
import { DynsecClient } from '../../../src/broker/dynsec.ts';
import { DynsecDeviceAccounts } from '../../../src/broker/dynsec-accounts.ts';
import { connectExternalBus, type ExternalBus } from '../../../src/broker/external.ts';
import { createMailer } from '../../../src/mail/mailer.ts';
import { connectDevice, Resources } from '../../broker/helpers.ts';
import { openTestDatabase, type TestDatabase } from '../../db/backends.ts';
import { type DynsecMosquitto, startDynsecMosquitto } from '../../support/mosquitto-dynsec.ts';
import {
  delivery,
  insertAlert,
  insertDelivery,
  seedStoreWithRule,
  silent,
  testClock,
  waitFor,
} from './support.ts';

const resources = new Resources();
let t: TestDatabase;
let broker: DynsecMosquitto;
let admin: DynsecClient;
let bus: ExternalBus;

beforeAll(async () => {
  t = await openTestDatabase('postgres');
  resources.add(() => t.close());
  broker = await startDynsecMosquitto();
  resources.add(() => broker.stop());
  admin = await DynsecClient.connect({ url: broker.url, ...broker.admin });
  resources.add(() => admin.close());
  await new DynsecDeviceAccounts(admin, silent).ensureHubRole(broker.admin.username);
  bus = await connectExternalBus({
    url: broker.url,
    ...broker.admin,
    log: silent,
    signingKey: TEST_HUB_KEY.privateKey,
  });
  resources.add(() => bus.close());
}, 120_000);
afterAll(() => resources.release());

async function suback(client: MqttClient, filter: string): Promise<number> {
  try {
    return (await client.subscribeAsync(filter, { qos: 1 }))[0]?.qos ?? -1;
  } catch (error) {
    return (error as ErrorWithSubackPacket).packet.granted[0] as number;
  }
}

describe('MQTT alerts on a shared Mosquitto', () => {
  it('reach a building system through its read-only account, never a camera unit', async () => {
    // The building system's account, as the README has it.
    await admin.command('createRole', {
      rolename: 'alerts-reader',
      acls: [
        { acltype: 'subscribePattern', topic: topics.all.storeAlerts, allow: true },
        { acltype: 'publishClientReceive', topic: topics.all.storeAlerts, allow: true },
      ],
    });
    const bmsPassword = randomBytes(12).toString('hex');
    await admin.command('createClient', {
      username: 'building-system',
      password: bmsPassword,
      roles: [{ rolename: 'alerts-reader' }],
    });
    const bms = await mqtt.connectAsync(broker.url, {
      clientId: 'building-system',
      username: 'building-system',
      password: bmsPassword,
      reconnectPeriod: 0,
      protocolVersion: 4,
    });
    resources.add(() => bms.endAsync(true));
    const bmsGot: { topic: string; payload: string }[] = [];
    bms.on('message', (topic, payload) => bmsGot.push({ topic, payload: payload.toString('utf8') }));
    expect(await suback(bms, topics.all.storeAlerts)).toBe(1);
    expect(await suback(bms, 'oskartrack/v1/devices/#')).toBe(0x80); // no box's config or events

    // A camera unit, with the account the hub makes at enrollment.
    const demo = await seedStoreWithRule(t.repos, t.db, 'Demo store');
    const boxId = `box-${randomBytes(3).toString('hex')}`;
    const boxSecret = randomBytes(16).toString('hex');
    await new DynsecDeviceAccounts(admin, silent).provision(boxId, boxSecret);
    const box = await connectDevice(broker.url, boxId, boxSecret, resources);
    const boxGot: string[] = [];
    box.on('message', (topic) => boxGot.push(topic));
    expect(await suback(box, topics.all.storeAlerts)).toBe(0x80);
    expect(await suback(box, topics.storeAlerts(demo.store.id))).toBe(0x80);
    expect(await suback(box, topics.hubStatus)).toBe(1); // the test's barrier below

    const alert = await insertAlert(t.db, {
      storeId: demo.store.id,
      ruleId: demo.rule.id,
      message: 'More than 50 people are inside.',
      kind: 'people_inside',
    });
    const d = await insertDelivery(t.db, alert.id, 'mqtt', '');
    await new DeliveryWorker({
      db: t.db,
      mailer: createMailer(t.repos.settings),
      log: silent,
      bus,
      now: testClock(Date.now() + 1000).now,
    }).runOnce();
    expect((await delivery(t.db, d.id)).deliveredAt).not.toBeNull();

    await waitFor('the building system to get the alert', async () => bmsGot.length > 0);
    expect(bmsGot[0]?.topic).toBe(topics.storeAlerts(demo.store.id));
    const notice = JSON.parse(bmsGot[0]!.payload);
    expect(check(AlertNotice, notice).ok).toBe(true);
    expect(notice).toMatchObject({ id: alert.id, storeName: 'Demo store', state: 'firing' });

    // Published after the alert: once the box has it, it would have had the alert too.
    const statuses = () => boxGot.filter((topic) => topic === topics.hubStatus).length;
    const before = statuses(); // the retained one it got on subscribing
    await bus.announceOnline();
    await waitFor('the box to get the new hub status', async () => statuses() > before);
    expect(boxGot.filter((topic) => topic !== topics.hubStatus)).toEqual([]);
  });
});
