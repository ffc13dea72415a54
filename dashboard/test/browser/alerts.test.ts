/**
 * The Alerts page in real Chromium, on a phone (390x844) and a desktop (1366x900), against the real
 * hub with the demo camera unit playing the PETS 2009 clip: a store manager adds "more than N people
 * inside" on the page, the hub's alert engine fires it while people walk through the clip, the page
 * shows it under "Going on now" (brought by the live feed) and the Overview's banner names it; the
 * manager changes it and switches it off, and the page shows it over; a viewer of the store sees it
 * too, without the rules. Everyday words only.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDashboardIfStale, startTestHub, type TestHub } from './hub.ts';
import { apiAs, launchChromium, openAs, SIZES, type WindowSize } from './session.ts';

const SHOTS = join(fileURLToPath(new URL('../../../', import.meta.url)), 'test-output', 'screenshots');
const MANAGER = { name: 'alert-anna', password: 'alert-password-2025' };
const VIEWER = { name: 'alert-victor', password: 'viewer-password-2025' };
/** Words a shop owner does not use. */
const FORBIDDEN = [/\bbox(es)?\b/i, /\boutbox\b/i, /\bdevice\b/i, /\btracking\b/i, /\bwebhook\b/i];
/** The demo unit needs a while to start and to see people walk in. */
const FIRE_WAIT_MS = 300_000;

let hub: TestHub;
let browser: Browser;
const errors: string[] = [];

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  buildDashboardIfStale();
  hub = await startTestHub();
  const admin = await apiAs(hub.url, hub.admin);
  await admin('POST', '/api/users', { ...MANAGER, role: 'manager', storeIds: ['demo-store'] });
  await admin('POST', '/api/users', { ...VIEWER, role: 'viewer', storeIds: ['demo-store'] });
  browser = await launchChromium();
}, 420_000);

afterAll(async () => {
  await browser?.close();
  await hub?.stop();
}, 60_000);

async function openAlerts(size: WindowSize, user = MANAGER): Promise<Page> {
  const p = await openAs(browser, hub.url, user, size, errors);
  await p.goto(`${hub.url}/alerts`);
  await p.waitForSelector('[data-testid=store-select] option[value=demo-store]', {
    state: 'attached',
    timeout: 60_000,
  });
  await p.selectOption('[data-testid=store-select]', 'demo-store');
  return p;
}

/** Fits the window: nothing wider than the screen. */
async function fitsWidth(p: Page): Promise<void> {
  const { scroll, inner } = await p.evaluate(() => ({
    scroll: document.documentElement.scrollWidth,
    inner: window.innerWidth,
  }));
  expect(scroll).toBeLessThanOrEqual(inner + 1);
}

describe('alerts in Chromium', () => {
  SIZES.forEach((size, i) => {
    // Each window size its own rule, told apart by its limit.
    const limit = i + 1;
    const fired = `people inside (your limit is ${limit})`;

    it(
      `adds a people-inside alert on the page and shows it when it fires (${size.name})`,
      async () => {
        const p = await openAlerts(size);
        const form = '[data-testid=new-alert-rule]';
        await p.waitForSelector(form);
        await p.selectOption(`${form} select[name=alert-kind]`, 'people_inside');
        await p.fill(`${form} input[name=alert-threshold]`, String(limit));
        await p.click(`${form} button[type=submit]`);
        await p.waitForSelector(
          `[data-testid=alert-rule] >> text=More than ${limit} ${limit === 1 ? 'person' : 'people'} inside`,
        );

        // The engine fires it while the clip's people walk through; the page learns it by itself.
        await p.waitForSelector(`[data-testid=alerts-firing] [data-testid=alert-message] >> text=${fired}`, {
          timeout: FIRE_WAIT_MS,
        });
        const line = await p.textContent(
          `[data-testid=alerts-firing] [data-testid=alert-line]:has-text("${fired}")`,
        );
        expect(line).toMatch(/^Going on\s*Demo store: \d+ people inside/);
        const text = await p.evaluate(() => document.body.textContent ?? '');
        for (const word of FORBIDDEN) expect(text).not.toMatch(word);
        await fitsWidth(p);
        await p.screenshot({ path: join(SHOTS, `alerts-${size.name}.png`), fullPage: true });

        // The Overview's banner names it and leads to the Alerts page.
        await p.goto(`${hub.url}/`);
        await p.waitForSelector(`[data-testid=alerts-banner] >> text=${fired}`, { timeout: 60_000 });
        await fitsWidth(p);
        await p.screenshot({ path: join(SHOTS, `alerts-banner-${size.name}.png`) });
        await p.click('[data-testid=alerts-banner] a[href="/alerts"]');
        await p.waitForSelector('[data-testid=alerts-now]');

        // Changed on the page: e-mail added; then switched off, which ends the alert.
        const row = `[data-testid=alert-rule]:has-text("More than ${limit} ")`;
        await p.click(`${row} button:has-text("Change")`);
        const change = '[data-testid=change-alert-rule]';
        await p.fill(`${change} input[name=alert-emails]`, 'owner@shop.example');
        await p.click(`${change} button[type=submit]`);
        await p.waitForSelector(`${row} >> text=e-mail to owner@shop.example`);
        await p.click(`${row} [data-testid=alert-rule-on]`);
        await p.waitForSelector(
          `[data-testid=alerts-history-list] [data-testid=alert-line][data-state=cleared]:has-text("${fired}")`,
          { timeout: 60_000 },
        );
        expect(
          await p.$(`[data-testid=alerts-firing] [data-testid=alert-line]:has-text("${fired}")`),
        ).toBeNull();
        await p.context().close();
      },
      FIRE_WAIT_MS + 120_000,
    );
  });

  it('shows a viewer the alerts of their store, without the rules', async () => {
    const p = await openAlerts(SIZES[0]!, VIEWER);
    await p.waitForSelector('[data-testid=alerts-history-list] >> text=people inside (your limit is 1)', {
      timeout: 60_000,
    });
    expect(await p.$('[data-testid=alert-rules]')).toBeNull();
    expect(await p.$('[data-testid=new-alert-rule]')).toBeNull();
    await p.context().close();
    expect(errors).toEqual([]);
  }, 120_000);
});
