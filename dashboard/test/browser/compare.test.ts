/**
 * Comparisons in real Chromium on a phone (390x844) and a desktop (1366x900) against a real hub
 * (embedded PGlite, no camera unit: visits and hourly numbers are seeded through the hub's own
 * repositories): the "Stores compared" table sorts by a click on a header, filters by name and
 * downloads as CSV, never wider than the screen; the Numbers page's headline figures say how they
 * changed ("vs"); compare mode draws both periods on one chart. A user of one store has no such page
 * in the menu. The desktop table is saved as docs/screenshots/stores-compared.png with
 * UPDATE_SCREENSHOTS=1.
 */
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RunningHub } from '@oskartrack/hub/server';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toDateInput } from '../../src/lib/format.ts';
import { buildDashboardIfStale } from './hub.ts';
import { type SeededHub, startSeededHub } from './seeded-hub.ts';
import { launchChromium, openAs, SIZES } from './session.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const SHOTS = join(ROOT, 'test-output', 'screenshots');
const DOCS_SHOTS = join(ROOT, 'docs', 'screenshots');
const HEAD_OFFICE = { name: 'head-office-hana', password: 'head-office-password-2025' };
const ONE_STORE = { name: 'manager-mia', password: 'manager-password-2025' };
const MIN = 60_000;
const H = 60 * MIN;

/** Visitors per store, by days before today: 1 yesterday, 2 the day before, 8 the same weekday a week earlier. */
const STORES = [
  { id: 'harbour', name: 'Harbour Street', visitors: { 1: 6, 2: 3, 8: 4 } },
  { id: 'market', name: 'Market Square', visitors: { 1: 3, 2: 3, 8: 0 } },
  { id: 'station', name: 'Station Road', visitors: { 1: 9, 2: 0, 8: 0 } },
] as const;
type Seeded = (typeof STORES)[number];
const visitorsOn = (s: Seeded, daysAgo: 1 | 2 | 8) => s.visitors[daysAgo];

let hub: RunningHub;
let seeded: SeededHub | undefined;
let browser: Browser;
const errors: string[] = [];

/** Local midnight `daysAgo` days before today: the page's days are the browser's (this machine's). */
function dayStart(daysAgo: number): Date {
  const now = new Date();
  return new Date(now.getFullYear(), now.getMonth(), now.getDate() - daysAgo);
}
const YESTERDAY = () => toDateInput(dayStart(1));

/** Visits from 10:00 local, a minute apart, and the hourly summary rows the hub would have made of them. */
async function seed(h: RunningHub): Promise<void> {
  const r = h.app.repos;
  for (const s of STORES) {
    await r.stores.create({ id: s.id, name: s.name });
    const device = await r.devices.create({ id: `${s.id}-unit`, storeId: s.id, name: 'Unit' });
    const camera = await r.cameras.create({
      id: `${s.id}-door`,
      storeId: s.id,
      deviceId: device.id,
      name: 'Door',
      source: '0',
    });
    for (const daysAgo of [1, 2, 8] as const) {
      const n = visitorsOn(s, daysAgo);
      if (n === 0) continue;
      const start = dayStart(daysAgo).getTime() + 10 * H;
      let dwell = 0;
      for (let i = 0; i < n; i++) {
        const ms = (i + 1) * MIN;
        dwell += ms;
        await r.visits.create({
          cameraId: camera.id,
          trackId: daysAgo * 100 + i,
          startedAt: new Date(start + i * MIN),
          endedAt: new Date(start + i * MIN + ms),
        });
      }
      await r.summaries.replace([
        {
          period: 'hour',
          bucketStart: new Date(Math.floor(start / H) * H),
          storeId: s.id,
          cameraId: camera.id,
          zoneId: null,
          visitors: n,
          dwellCount: n,
          totalDwellMs: dwell,
          peakOccupancy: 2,
        },
      ]);
    }
  }
}

/** A screenshot in test-output; `docs`: also the README's copy in docs/screenshots (UPDATE_SCREENSHOTS=1). */
async function shot(p: Page, name: string, docs = false): Promise<void> {
  await p.evaluate(() => window.scrollTo(0, 0));
  await p.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
  if (docs && process.env.UPDATE_SCREENSHOTS)
    copyFileSync(join(SHOTS, `${name}.png`), join(DOCS_SHOTS, `${name}.png`));
}

/** "+100 %" from the seeded counts; null: nothing to compare with. */
function expectedChange(now: number, before: number): string | null {
  if (before === 0) return null;
  const p = Math.round(((now - before) / before) * 100);
  return `${p > 0 ? '+' : p < 0 ? '-' : ''}${Math.abs(p)} %`;
}

async function chooseYesterday(p: Page): Promise<void> {
  await p.click('.page-header .toolbar button:text-is("Yesterday")');
}

/** Polls until the table shows these stores in this order. */
async function storesShown(p: Page, names: readonly string[]): Promise<void> {
  await p.waitForFunction(
    (want) =>
      JSON.stringify(
        [...document.querySelectorAll('[data-testid=store-row] td[data-column=name]')].map(
          (t) => t.textContent,
        ),
      ) === JSON.stringify(want),
    names,
    { timeout: 30_000 },
  );
}

function pageIsNoWiderThanWindow(p: Page): Promise<{ page: number; window: number }> {
  return p.evaluate(() => ({ page: document.documentElement.scrollWidth, window: window.innerWidth }));
}

const byName = (names: string[]) => [...names].sort((a, b) => a.localeCompare(b));
const byYesterday = (order: 1 | -1) =>
  [...STORES].sort((a, b) => order * (visitorsOn(a, 1) - visitorsOn(b, 1))).map((s) => s.name);

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  if (process.env.UPDATE_SCREENSHOTS) mkdirSync(DOCS_SHOTS, { recursive: true });
  buildDashboardIfStale();
  seeded = await startSeededHub();
  hub = seeded.hub;
  await seed(hub);
  const { createUser } = await import('@oskartrack/hub/api/users-command');
  await createUser(hub.app.repos, { ...HEAD_OFFICE, role: 'viewer', storeIds: STORES.map((s) => s.id) });
  await createUser(hub.app.repos, { ...ONE_STORE, role: 'manager', storeIds: ['harbour'] });
  browser = await launchChromium();
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await seeded?.stop();
}, 60_000);

describe('comparisons in Chromium', () => {
  for (const size of SIZES) {
    it(`sorts, filters and downloads the store table on a ${size.name}`, async () => {
      const p = await openAs(browser, hub.url, HEAD_OFFICE, size, errors);
      await p.waitForSelector('nav a[href="/compare"]', { state: 'attached', timeout: 30_000 });
      await p.goto(`${hub.url}/compare`);
      await chooseYesterday(p);
      // First by rank: the most visitors yesterday on top.
      await storesShown(p, byYesterday(-1));
      const ranks = await p.$$eval('[data-testid=store-row] td[data-column=rank]', (t) =>
        t.map((x) => x.textContent),
      );
      expect(ranks).toEqual(['1', '2', '3']);
      await shot(p, size.phone ? 'stores-compared-phone' : 'stores-compared', !size.phone);
      for (const s of STORES) {
        const change = expectedChange(visitorsOn(s, 1), visitorsOn(s, 2));
        const cell = await p.textContent(`[data-store=${s.id}] td[data-column=change]`);
        expect(cell, s.name).toBe(change ?? 'no data to compare');
        expect(await p.textContent(`[data-store=${s.id}] td[data-column=visitors]`)).toBe(
          String(visitorsOn(s, 1)),
        );
      }

      await p.click('[data-testid=sort-name]');
      await storesShown(p, byName(STORES.map((s) => s.name)));
      expect(await p.getAttribute('th:has([data-testid=sort-name])', 'aria-sort')).toBe('ascending');
      await p.click('[data-testid=sort-visitors]');
      await storesShown(p, byYesterday(-1));
      await p.click('[data-testid=sort-visitors]');
      await storesShown(p, byYesterday(1));
      expect(await p.getAttribute('th:has([data-testid=sort-visitors])', 'aria-sort')).toBe('ascending');

      const size_ = await pageIsNoWiderThanWindow(p);
      expect(size_.page, 'the page scrolls sideways').toBeLessThanOrEqual(size_.window);
      const table = await p.locator('[data-testid=stores-table-wrap]').boundingBox();
      expect(table!.x + table!.width).toBeLessThanOrEqual(size.width + 0.5);

      const download = p.waitForEvent('download');
      await p.click('[data-testid=stores-csv]');
      const file = await download;
      expect(file.suggestedFilename()).toBe(`stores-${YESTERDAY()}-to-${YESTERDAY()}.csv`);
      const csv = readFileSync((await file.path())!, 'utf8')
        .trim()
        .split(/\r?\n/);
      expect(csv[0]).toContain('Store,Visitors,Entrances,Average time spent (seconds)');
      expect(csv.slice(1).map((l) => l.split(',')[1])).toEqual(byYesterday(1));

      await p.fill('[data-testid=store-filter]', 'mark');
      await storesShown(p, ['Market Square']);
      await p.fill('[data-testid=store-filter]', 'nowhere');
      await p.waitForSelector('[data-testid=no-stores]');
      await p.context().close();
    }, 120_000);

    it(`shows the headline changes and both periods on one chart on a ${size.name}`, async () => {
      const p = await openAs(browser, hub.url, HEAD_OFFICE, size, errors);
      await p.evaluate(() =>
        localStorage.setItem('oskartrack.choice', JSON.stringify({ storeId: 'harbour', cameraId: null })),
      );
      await p.goto(`${hub.url}/dashboard`);
      await chooseYesterday(p);
      const harbour = STORES[0];
      const weekday = dayStart(1).toLocaleDateString('en-GB', { weekday: 'long' });
      const wanted = [
        `${expectedChange(visitorsOn(harbour, 1), visitorsOn(harbour, 2))} vs the day before`,
        `${expectedChange(visitorsOn(harbour, 1), visitorsOn(harbour, 8))} vs last ${weekday}`,
      ];
      await p.waitForFunction(
        (w) =>
          JSON.stringify(
            [...document.querySelectorAll('[data-testid=dash-visitors] [data-testid=stat-change]')].map(
              (e) => e.textContent,
            ),
          ) === JSON.stringify(w),
        wanted,
        { timeout: 30_000 },
      );
      expect(await p.textContent('[data-testid=dash-visitors] .stat-value')).toBe(
        String(visitorsOn(harbour, 1)),
      );
      // No entrances were counted on any of these days: no change to show.
      await expect(p.textContent('[data-testid=dash-entrances] [data-testid=stat-change]')).resolves.toBe(
        'no data to compare with the day before',
      );

      await p.selectOption('[data-testid=compare-with]', 'previous');
      await p.waitForSelector('[data-testid=chart-two-periods][data-rendered=true] svg .apexcharts-series', {
        state: 'attached',
        timeout: 30_000,
      });
      const legend = await p.$$eval('[data-testid=chart-two-periods] .apexcharts-legend-text', (els) =>
        els.map((e) => e.textContent ?? ''),
      );
      expect(legend).toHaveLength(2);
      expect(legend.every((l) => l.startsWith('Visitors, '))).toBe(true);
      const series = await p.$$eval(
        '[data-testid=chart-two-periods] .apexcharts-bar-series .apexcharts-series',
        (els) => els.map((e) => e.getAttribute('seriesName')),
      );
      expect(series).toHaveLength(2);
      await shot(p, `numbers-compared-${size.name}`);
      const size_ = await pageIsNoWiderThanWindow(p);
      expect(size_.page).toBeLessThanOrEqual(size_.window);
      await p.context().close();
    }, 120_000);
  }

  it('offers no store comparison to a user of one store', async () => {
    const p = await openAs(browser, hub.url, ONE_STORE, SIZES[1]!, errors);
    await p.goto(`${hub.url}/dashboard`);
    // The headline needs the store list loaded: the menu has been decided by then.
    await p.waitForSelector('[data-testid=dash-visitors]', { timeout: 30_000 });
    await p.waitForSelector('nav a[href="/dashboard"]');
    expect(await p.locator('nav a[href="/compare"]').count()).toBe(0);
    await p.context().close();
    expect(errors).toEqual([]);
  }, 60_000);
});
