/**
 * An alert end to end on a whole hub (embedded database and broker, the demo camera unit playing the
 * PETS 2009 clip): a rule made through the API fires on what the camera sees, and its alert arrives by
 * e-mail through a real SMTP server, at a webhook receiver with a valid signature, and on the store's
 * MQTT topic for a building system's account, each in the alert's own words.
 */
import type { AlertNotice, NewAlertListener, WebhookSettings } from '@oskartrack/protocol';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDashboardIfStale, startTestHub, type TestHub } from '../../../dashboard/test/browser/hub.ts';
import { startTestSmtp, type TestSmtp } from '../mail/smtp-server.ts';
import { startReceiver, waitFor } from './delivery/support.ts';

const STORE = 'demo-store';
let hub: TestHub;
let smtp: TestSmtp;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
let listener: MqttClient | undefined;
let token = '';

async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(hub.url + path, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return (res.status === 204 ? undefined : await res.json()) as T;
}

beforeAll(async () => {
  buildDashboardIfStale();
  hub = await startTestHub();
  const login = await fetch(`${hub.url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(hub.admin),
  });
  token = ((await login.json()) as { accessToken: string }).accessToken;
  smtp = await startTestSmtp();
  await api('PUT', '/api/settings/email', smtp.settings());
  const webhook = await api<WebhookSettings>('GET', '/api/settings/webhook');
  receiver = await startReceiver(async () => webhook.signingSecret);
}, 240_000);

afterAll(async () => {
  await listener?.endAsync(true).catch(() => undefined);
  await receiver?.close();
  await smtp?.close();
  await hub?.stop();
}, 60_000);

describe('an alert from rule to e-mail, webhook and MQTT', () => {
  it('fires on what the camera sees and reaches every channel', async () => {
    const account = await api<NewAlertListener>('POST', '/api/alert-listeners', {
      name: 'Door display',
      storeId: STORE,
    });
    listener = await mqtt.connectAsync(account.brokerUrls[0]!, {
      clientId: account.username,
      username: account.username,
      password: account.password,
      protocolVersion: 4,
      reconnectPeriod: 0,
      connectTimeout: 20_000,
    });
    const heard: AlertNotice[] = [];
    listener.on('message', (_topic, payload) => heard.push(JSON.parse(payload.toString()) as AlertNotice));
    await listener.subscribeAsync(account.topic, { qos: 1 });

    // One person inside is enough: the demo clip always has people walking.
    await api('POST', '/api/alerts/rules', {
      storeId: STORE,
      kind: 'people_inside',
      threshold: 1,
      channels: { email: ['manager@shop.example'], webhook: `${receiver.url}/alerts`, mqtt: true },
    });

    const mail = await waitFor('the alert e-mail', async () => smtp.received[0], 180_000);
    expect(mail.to).toEqual(['manager@shop.example']);
    expect(mail.subject).toMatch(/Demo store/);
    const post = await waitFor('the webhook', async () => receiver.received[0], 180_000);
    expect(post.signatureOk).toBe(true);
    const notice = await waitFor('the MQTT alert', async () => heard[0], 180_000);

    // One alert, told the same on every channel.
    const hooked = JSON.parse(post.body) as AlertNotice;
    expect(hooked).toMatchObject({ storeId: STORE, kind: 'people_inside', state: 'firing' });
    expect(notice.id).toBe(hooked.id);
    expect(notice.message).toBe(hooked.message);
    expect(mail.body).toContain(hooked.message);
  }, 300_000);
});
