/**
 * A building system's read-only account, end to end: made through the API on a hub app with the
 * embedded broker, it logs in with what the API answered, reads its store's alerts (delivered by the
 * app's own delivery worker) and nothing else, may publish nothing, and is refused once deleted.
 */
import { type AlertListener, type NewAlertListener, topics } from '@oskartrack/protocol';
import mqtt, {
  type ErrorWithReasonCode,
  type ErrorWithSubackPacket,
  type IClientOptions,
  type MqttClient,
} from 'mqtt';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { TEST_HUB_KEY } from '../../../agent/test/support/hub-key.ts';
import { createListenerAuthenticator } from '../../src/broker/credentials.ts';
import { embeddedDeviceAccounts } from '../../src/broker/device-accounts.ts';
import { type EmbeddedBroker, startEmbeddedBroker } from '../../src/broker/embedded.ts';
import { type Fixture, openFixture } from '../api/fixture.ts';
import { closed, Resources, silent } from '../broker/helpers.ts';
import { delivery, insertAlert, insertDelivery, insertRule, waitFor } from './delivery/support.ts';

let f: Fixture;
let broker: EmbeddedBroker;
const resources = new Resources();
afterEach(() => resources.release());

beforeAll(async () => {
  // The broker checks listener logins in the fixture's database, opened just after it.
  broker = await startEmbeddedBroker({
    port: 0,
    host: '127.0.0.1',
    authenticate: async () => false,
    listeners: createListenerAuthenticator({ credential: (id) => f.repos.alertListeners.credential(id) }),
    log: silent,
    signingKey: TEST_HUB_KEY.privateKey,
  });
  f = await openFixture('postgres', {
    bus: broker,
    mqttPort: broker.port,
    deviceAccounts: embeddedDeviceAccounts(broker),
  });
});
afterAll(async () => {
  await f?.close();
  await broker?.close();
});

/** The dashboard's request as from the hub's own machine, so the answered address is reachable here. */
async function createAccount(body: { name: string; storeId: string | null }): Promise<NewAlertListener> {
  const r = await f.inject(f.tokens.admin, {
    method: 'POST',
    url: '/api/alert-listeners',
    payload: body,
    headers: { host: '127.0.0.1:3000' },
  });
  expect(r.statusCode, r.body).toBe(201);
  return r.json();
}

function connect(url: string, username: string, password: string, extra: IClientOptions = {}) {
  const client = mqtt.connectAsync(url, {
    clientId: username,
    username,
    password,
    protocolVersion: 4,
    clean: true,
    reconnectPeriod: 0,
    connectTimeout: 20_000,
    ...extra,
  });
  client.then((c) => resources.add(() => c.endAsync(true).catch(() => undefined))).catch(() => {});
  return client;
}

async function listen(account: NewAlertListener): Promise<{ client: MqttClient; got: string[] }> {
  const client = await connect(account.brokerUrls[0]!, account.username, account.password);
  const got: string[] = [];
  client.on('message', (topic) => got.push(topic));
  await client.subscribeAsync(account.topic, { qos: 1 });
  return { client, got };
}

async function suback(client: MqttClient, filter: string): Promise<number> {
  try {
    return (await client.subscribeAsync(filter, { qos: 1 }))[0]?.qos ?? -1;
  } catch (error) {
    return (error as ErrorWithSubackPacket).packet.granted[0] as number;
  }
}

async function refusal(promise: Promise<unknown>): Promise<number | undefined> {
  try {
    await promise;
  } catch (error) {
    return (error as ErrorWithReasonCode).code;
  }
  throw new Error('the connection was accepted');
}

/** An alert of the store, delivered on MQTT by the app's own delivery worker. */
async function deliverAlert(storeId: string): Promise<void> {
  const rule = await insertRule(f.t.db, storeId);
  const alert = await insertAlert(f.t.db, { storeId, ruleId: rule.id, message: 'Too many people inside.' });
  const d = await insertDelivery(f.t.db, alert.id, 'mqtt', '');
  await f.app.alertDelivery.runOnce();
  await waitFor('the alert to be published', async () => (await delivery(f.t.db, d.id)).deliveredAt !== null);
}

describe('building-system accounts on the embedded broker', () => {
  it('answers the account once; the list never shows a password', async () => {
    const account = await createAccount({ name: 'Building management', storeId: f.a.store.id });
    expect(account.username).toBe(account.account.id);
    expect(account.username.startsWith('listener-')).toBe(true);
    expect(account.password.length).toBeGreaterThanOrEqual(32);
    expect(account.brokerUrls).toEqual([`mqtt://127.0.0.1:${broker.port}`]);
    expect(account.topic).toBe(topics.storeAlerts(f.a.store.id));
    expect(account.account).toMatchObject({ name: 'Building management', storeId: f.a.store.id });

    const list = await f.inject(f.tokens.admin, { method: 'GET', url: '/api/alert-listeners' });
    expect(list.statusCode).toBe(200);
    expect(list.body).not.toContain(account.password);
    expect(list.body).not.toContain('argon2');
    const listed = (list.json() as AlertListener[]).find((l) => l.id === account.username);
    expect(listed).toMatchObject({ name: 'Building management', storeId: f.a.store.id });
    expect(Object.keys(listed ?? {})).not.toContain('secretHash');
  });

  it('is for administrators only, and a store must exist', async () => {
    for (const token of [f.tokens.managerA, f.tokens.viewerA]) {
      expect((await f.inject(token, { method: 'GET', url: '/api/alert-listeners' })).statusCode).toBe(403);
      const post = await f.inject(token, {
        method: 'POST',
        url: '/api/alert-listeners',
        payload: { name: 'x', storeId: f.a.store.id },
      });
      expect(post.statusCode).toBe(403);
    }
    const unknown = await f.inject(f.tokens.admin, {
      method: 'POST',
      url: '/api/alert-listeners',
      payload: { name: 'x', storeId: 'no-such-store' },
    });
    expect(unknown.statusCode).toBe(404);
  });

  it("reads its store's alerts and not another store's", async () => {
    const account = await createAccount({ name: 'Alarm panel', storeId: f.a.store.id });
    const { got } = await listen(account);
    await deliverAlert(f.b.store.id); // first: had it reached the account, it would come before A's
    await deliverAlert(f.a.store.id);
    await waitFor('the store alert', async () => got.length > 0);
    expect(got).toEqual([topics.storeAlerts(f.a.store.id)]);
  });

  it("an every-store account reads every store's alerts", async () => {
    const account = await createAccount({ name: 'Head office', storeId: null });
    expect(account.topic).toBe(topics.all.storeAlerts);
    const { got } = await listen(account);
    await deliverAlert(f.b.store.id);
    await deliverAlert(f.a.store.id);
    await waitFor('both alerts', async () => got.length >= 2);
    expect(got.sort()).toEqual([topics.storeAlerts(f.a.store.id), topics.storeAlerts(f.b.store.id)].sort());
  });

  it('may not subscribe to everything, to another store or to a device topic', async () => {
    const account = await createAccount({ name: 'Script', storeId: f.a.store.id });
    const { client } = await listen(account);
    expect(await suback(client, '#')).toBe(0x80);
    expect(await suback(client, topics.all.storeAlerts)).toBe(0x80);
    expect(await suback(client, topics.storeAlerts(f.b.store.id))).toBe(0x80);
    expect(await suback(client, topics.events(f.a.device.id))).toBe(0x80);
    expect(await suback(client, topics.all.status)).toBe(0x80);
    expect(await suback(client, topics.hubStatus)).toBe(0x80);
    expect(client.connected).toBe(true); // a refused subscription keeps the connection
  });

  it('a publish closes its connection', async () => {
    const account = await createAccount({ name: 'Writer', storeId: f.a.store.id });
    const { client } = await listen(account);
    const cut = closed(client);
    client.publish(account.topic, '{"fake":true}', { qos: 1 });
    await cut;
    expect(client.connected).toBe(false);
  });

  it('refuses a wrong password, a last will, and a client id that is not the user name', async () => {
    const account = await createAccount({ name: 'Careless', storeId: f.a.store.id });
    const url = account.brokerUrls[0]!;
    expect(await refusal(connect(url, account.username, `${account.password}x`))).toBe(4);
    const will = { topic: account.topic, payload: Buffer.from('gone'), qos: 0 as const, retain: true };
    expect(await refusal(connect(url, account.username, account.password, { will }))).toBe(5);
    expect(
      await refusal(connect(url, account.username, account.password, { clientId: 'listener-other' })),
    ).toBe(2);
  });

  it('deleting the account cuts its connection and refuses the next login', async () => {
    const account = await createAccount({ name: 'Old system', storeId: f.a.store.id });
    const { client } = await listen(account);
    const cut = closed(client);
    const del = await f.inject(f.tokens.admin, {
      method: 'DELETE',
      url: `/api/alert-listeners/${account.username}`,
    });
    expect(del.statusCode).toBe(204);
    await cut;
    const url = account.brokerUrls[0]!;
    expect(await refusal(connect(url, account.username, account.password))).toBe(4);
    const again = await f.inject(f.tokens.admin, {
      method: 'DELETE',
      url: `/api/alert-listeners/${account.username}`,
    });
    expect(again.statusCode).toBe(404);
  });
});

describe('building-system accounts with an external broker', () => {
  it('answers 409 with what to do', async () => {
    const external = await openFixture('postgres', { mqttUrl: 'mqtt://broker.example:1883' });
    try {
      const r = await external.inject(external.tokens.admin, {
        method: 'POST',
        url: '/api/alert-listeners',
        payload: { name: 'BMS', storeId: null },
      });
      expect(r.statusCode).toBe(409);
      expect(r.json().message ?? r.body).toMatch(/external broker.*README/);
    } finally {
      await external.close();
    }
  });
});
