/**
 * The Alerts page's "Building systems" card in real Chromium against the real hub (embedded broker,
 * as `serve` wires it): an administrator adds an account for one store, the page shows the address,
 * user name, password and topic once; a system logging in with exactly those reads that store's
 * alerts and may not read anything else; deleting the account on the page cuts it off. Managers do not
 * see the card.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { topics } from '@oskartrack/protocol';
import mqtt, { type ErrorWithSubackPacket, type MqttClient } from 'mqtt';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDashboardIfStale } from './hub.ts';
import { type SeededHub, startSeededHub } from './seeded-hub.ts';
import { apiAs, launchChromium, openAs, SIZES } from './session.ts';

const SHOTS = join(fileURLToPath(new URL('../../../', import.meta.url)), 'test-output', 'screenshots');
const MANAGER = { name: 'bms-manager', password: 'manager-password-2025' };
const STORE = { id: 'bms-store', name: 'Corner Shop' };
const OTHER = { id: 'bms-other', name: 'High Street' };

let seeded: SeededHub;
let browser: Browser;
const errors: string[] = [];
const clients: MqttClient[] = [];

beforeAll(async () => {
  buildDashboardIfStale();
  seeded = await startSeededHub();
  const admin = await apiAs(seeded.url, seeded.admin);
  await admin('POST', '/api/stores', STORE);
  await admin('POST', '/api/stores', OTHER);
  await admin('POST', '/api/users', { ...MANAGER, role: 'manager', storeIds: [STORE.id] });
  browser = await launchChromium();
}, 400_000);

afterAll(async () => {
  for (const c of clients) await c.endAsync(true).catch(() => undefined);
  await browser?.close();
  await seeded?.stop();
}, 60_000);

async function alertsPage(user: { name: string; password: string }, size = SIZES[SIZES.length - 1]!) {
  const p = await openAs(browser, seeded.url, user, size, errors);
  await p.goto(`${seeded.url}/alerts`);
  await p.waitForSelector(`[data-testid=store-select] option[value=${STORE.id}]`, {
    state: 'attached',
    timeout: 60_000,
  });
  await p.selectOption('[data-testid=store-select]', STORE.id);
  await p.waitForSelector('[data-testid=alerts-history]');
  return p;
}

const shown = (p: Page, testId: string) => p.$eval(`[data-testid=${testId}]`, (e) => e.textContent ?? '');

async function suback(client: MqttClient, filter: string): Promise<number> {
  try {
    return (await client.subscribeAsync(filter, { qos: 1 }))[0]?.qos ?? -1;
  } catch (error) {
    return (error as ErrorWithSubackPacket).packet.granted[0] as number;
  }
}

async function waitFor(what: string, condition: () => boolean, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('building systems in Chromium', () => {
  it('adds an account on the page; a system reads its store alerts with what the page showed', async () => {
    const p = await alertsPage(seeded.admin);
    const card = '[data-testid=building-systems]';
    await p.waitForSelector(`${card} >> text=No building system connected yet.`);
    await p.fill('[data-testid=building-system-name]', 'Building management');
    await p.selectOption('[data-testid=building-system-store]', STORE.id);
    await p.click('[data-testid=building-system-add]');
    await p.waitForSelector('[data-testid=building-system-new]');
    const url = await shown(p, 'building-system-url');
    const username = await shown(p, 'building-system-user');
    const password = await shown(p, 'building-system-password');
    const topic = await shown(p, 'building-system-topic');
    expect(url).toBe(seeded.hub.mqttUrl);
    expect(username).toMatch(/^listener-/);
    expect(topic).toBe(topics.storeAlerts(STORE.id));
    await p.waitForSelector(`[data-testid=building-system] >> text=${STORE.name}`);
    mkdirSync(SHOTS, { recursive: true });
    await p.$eval(card, (e) => e.scrollIntoView());
    await p.screenshot({ path: join(SHOTS, 'building-systems.png') });
    const words = await p.$eval(card, (e) => e.textContent ?? '');
    for (const w of [/\bbox(es)?\b/i, /\bdevice\b/i, /\btracking\b/i]) expect(words).not.toMatch(w);

    const client = await mqtt.connectAsync(url, {
      clientId: username,
      username,
      password,
      protocolVersion: 4,
      reconnectPeriod: 0,
      connectTimeout: 20_000,
    });
    clients.push(client);
    const got: string[] = [];
    client.on('message', (t) => got.push(t));
    expect(await suback(client, topic)).toBe(1);
    expect(await suback(client, '#')).toBe(0x80);
    expect(await suback(client, topics.storeAlerts(OTHER.id))).toBe(0x80);
    const notice = JSON.stringify({ test: true });
    await seeded.hub.bus.publish(topics.storeAlerts(OTHER.id), notice, { qos: 1, retain: false });
    await seeded.hub.bus.publish(topic, notice, { qos: 1, retain: false });
    await waitFor('the store alert', () => got.length > 0);
    expect(got).toEqual([topic]);

    // The password is gone once the note is closed, and the list never shows it.
    await p.click('[data-testid=building-system-done]');
    await p.waitForSelector('[data-testid=building-system-new]', { state: 'detached' });
    expect(await p.content()).not.toContain(password);

    p.on('dialog', (d) => void d.accept());
    const closed = new Promise<void>((resolve) => client.once('close', () => resolve()));
    await p.click('[data-testid=building-system] button');
    await p.waitForSelector('[data-testid=building-system]', { state: 'detached' });
    await closed;
    await expect(
      mqtt.connectAsync(url, {
        clientId: username,
        username,
        password,
        protocolVersion: 4,
        reconnectPeriod: 0,
        connectTimeout: 20_000,
      }),
    ).rejects.toMatchObject({ code: 4 });
    expect(errors).toEqual([]);
  }, 180_000);

  it('fits a phone screen and is not shown to a store manager', async () => {
    const phone = SIZES.find((s) => s.phone) ?? SIZES[0]!;
    const p = await alertsPage(seeded.admin, phone);
    await p.waitForSelector('[data-testid=building-systems]');
    const { scroll, inner } = await p.evaluate(() => ({
      scroll: document.documentElement.scrollWidth,
      inner: window.innerWidth,
    }));
    expect(scroll).toBeLessThanOrEqual(inner + 1);
    const m = await alertsPage(MANAGER);
    await m.waitForSelector('[data-testid=alert-rules]');
    expect(await m.$('[data-testid=building-systems]')).toBeNull();
    expect(errors).toEqual([]);
  }, 180_000);
});
