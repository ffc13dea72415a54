/**
 * Opening hours in real Chromium, on a desktop (1366x900) and a phone (390x844), against a real hub
 * (embedded PGlite and broker, no camera unit): an administrator sets a store's hours on the Stores &
 * users page in plain words, a wrong time is explained before saving, nothing runs off the phone's
 * screen, the hub keeps what was set, and the Numbers page says the figures count opening hours only.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { OpeningHours } from '@oskartrack/protocol';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDashboardIfStale } from './hub.ts';
import { type SeededHub, startSeededHub } from './seeded-hub.ts';
import { apiAs, launchChromium, openAs, SIZES, type WindowSize } from './session.ts';

/** Pictures to look at after a run (not compared): test-output/screenshots/opening-hours-*.png. */
const SHOTS = join(fileURLToPath(new URL('../../../', import.meta.url)), 'test-output', 'screenshots');

let hub: SeededHub;
let browser: Browser;
let admin: Awaited<ReturnType<typeof apiAs>>;
const errors: string[] = [];

/** Nothing wider than the window: the page never scrolls sideways. */
async function noSidewaysScroll(p: Page, size: WindowSize): Promise<void> {
  const width = await p.evaluate(() => document.documentElement.scrollWidth);
  expect(width, `${size.name}: the page is wider than the window`).toBeLessThanOrEqual(size.width);
}

beforeAll(async () => {
  buildDashboardIfStale();
  mkdirSync(SHOTS, { recursive: true });
  hub = await startSeededHub();
  admin = await apiAs(hub.url, hub.admin);
  browser = await launchChromium();
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await hub?.stop();
});

describe.each(SIZES)('opening hours on a $name', (size) => {
  it('are set on the Stores & users page and named under the figures on the Numbers page', async () => {
    const store = await admin<{ id: string }>('POST', '/api/stores', {
      name: `Corner shop ${size.name}`,
      timezone: 'Europe/London',
    });
    const p = await openAs(browser, hub.url, hub.admin, size, errors);
    await p.goto(`${hub.url}/stores`);
    const card = p.locator(`[data-testid=opening-hours-${store.id}]`);
    await card.waitFor({ timeout: 60_000 });
    expect(await card.getByTestId('opening-hours-words').textContent()).toBe(
      'Open around the clock (every hour is counted)',
    );
    await card.getByRole('button', { name: 'Set opening hours' }).click();
    const editor = card.getByTestId('opening-hours-editor');
    await editor.waitFor();
    // The usual week to start from: Monday to Saturday 09:00 to 18:00, Sunday closed.
    expect(await editor.getByTestId('oh-day-0').textContent()).toContain('Closed');
    await noSidewaysScroll(p, size);

    // A Monday that closes before it opens is explained, not sent.
    await editor.getByLabel('Monday closes at').fill('08:00');
    await editor.getByTestId('oh-save').click();
    expect(await editor.getByTestId('oh-problem').textContent()).toMatch(
      /Monday: The closing time must be later/,
    );
    await editor.getByLabel('Monday closes at').fill('18:00');

    const expected: OpeningHours = {
      week: [1, 2, 3, 4, 5, 6].map((day) => ({ day, open: '09:00', close: '18:00' })),
      closedDates: [],
    };
    let words = 'Open Mon-Sat 09:00-18:00';
    let note = 'Counted during opening hours only (Mon-Sat 09:00-18:00)';
    if (!size.phone) {
      // On the desktop also Sunday afternoons and a holiday.
      await editor.getByTestId('oh-day-0').getByRole('button', { name: 'Open this day' }).click();
      await editor.getByLabel('Sunday opens at').fill('10:00');
      await editor.getByLabel('Sunday closes at').fill('16:00');
      await editor.getByLabel('A date the store is closed').fill('2025-12-25');
      await editor.getByRole('button', { name: 'Add closed date' }).click();
      expected.week = [{ day: 0, open: '10:00', close: '16:00' }, ...expected.week];
      expected.closedDates = ['2025-12-25'];
      words = 'Open Mon-Sat 09:00-18:00, Sun 10:00-16:00; closed on 1 date';
      note = 'Counted during opening hours only (Mon-Sat 09:00-18:00, Sun 10:00-16:00)';
    }
    await noSidewaysScroll(p, size);
    await editor.screenshot({ path: join(SHOTS, `opening-hours-editor-${size.name}.png`) });
    await editor.getByTestId('oh-save').click();
    await editor.waitFor({ state: 'detached', timeout: 30_000 });
    const wordsShown = () => card.getByTestId('opening-hours-words').textContent();
    await expect.poll(wordsShown, { timeout: 30_000 }).toBe(words);
    const saved = await admin<{ openingHours: OpeningHours }>('GET', `/api/stores/${store.id}`);
    expect(saved.openingHours).toEqual(expected);

    await p.goto(`${hub.url}/dashboard`);
    await p.waitForSelector(`[data-testid=store-select] option[value="${store.id}"]`, {
      state: 'attached',
      timeout: 60_000,
    });
    await p.selectOption('[data-testid=store-select]', store.id);
    const shown = p.getByTestId('opening-hours-note');
    await shown.waitFor({ timeout: 60_000 });
    expect(await shown.textContent()).toBe(note);
    await p.screenshot({ path: join(SHOTS, `opening-hours-numbers-${size.name}.png`) });
    await noSidewaysScroll(p, size);
    await p.context().close();
    expect(errors).toEqual([]);
  });
});
