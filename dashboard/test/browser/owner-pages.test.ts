/**
 * The shop owner's pages in real Chromium, on a phone (390x844) and a desktop (1366x900), against the
 * real hub running the demo camera unit, with two more stores (one without a camera, one with a camera
 * but no areas): charts drawn again after a reload and a change of days; axis labels that never
 * overlap; empty states that say why and what to do; one store choice for every page; the same
 * numbers under the same names on Overview, Numbers and Live, explained; no technical words.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENTRANCES, VISITORS } from '../../src/lib/definitions.ts';
import { buildDashboardIfStale, startTestHub, type TestHub } from './hub.ts';
import { apiAs, launchChromium, openAs, SIZES, shownOption } from './session.ts';

const SHOTS = join(fileURLToPath(new URL('../../../', import.meta.url)), 'test-output', 'screenshots');
const OWNER = { name: 'owner-otto', password: 'owner-password-2025' };
const CHARTS = ['chart-hourly', 'chart-busiest', 'chart-areas', 'chart-occupancy'];
/** Words a shop owner does not use, anywhere on the pages an owner opens. */
const FORBIDDEN = [
  /\bbox(es)?\b/i,
  /\boutbox\b/i,
  /\bseq\b/i,
  /tracking number/i,
  /settings version/i,
  /points of walked paths/i,
];
const OWNER_PAGES = ['/', '/dashboard', '/live', '/clients', '/zones'];

let hub: TestHub;
let browser: Browser;
let admin: Awaited<ReturnType<typeof apiAs>>;
const errors: string[] = [];

interface Summary {
  visitors: number;
  entries: number;
}

function todayIso(): { from: string; to: string } {
  const now = new Date();
  const from = new Date(now.getFullYear(), now.getMonth(), now.getDate());
  const to = new Date(now.getFullYear(), now.getMonth(), now.getDate() + 1);
  return { from: from.toISOString(), to: to.toISOString() };
}

function todaySummary(cameraId?: string): Promise<Summary> {
  const { from, to } = todayIso();
  const camera = cameraId ? `&cameraId=${cameraId}` : '';
  return admin<Summary>('GET', `/api/analytics/summary?storeId=demo-store&from=${from}&to=${to}${camera}`);
}

/** Waits until the demo unit has counted visitors and area visits today (what the charts show). */
async function demoCounted(timeoutMs = 300_000): Promise<void> {
  const { from, to } = todayIso();
  const until = Date.now() + timeoutMs;
  for (;;) {
    const zones = await admin<{ zones: unknown[] }>(
      'GET',
      `/api/analytics/zones?storeId=demo-store&from=${from}&to=${to}`,
    );
    if ((await todaySummary()).visitors > 0 && zones.zones.length > 0) return;
    if (Date.now() > until) throw new Error('the demo camera unit counted nobody in an area today');
    await new Promise((r) => setTimeout(r, 5000));
  }
}

async function chooseStore(p: Page, storeId: string): Promise<void> {
  await p.waitForSelector(`[data-testid=store-select] option[value=${storeId}]`, {
    state: 'attached',
    timeout: 60_000,
  });
  await p.selectOption('[data-testid=store-select]', storeId);
}

/** Each chart drawn with its latest numbers: an ApexCharts picture with its series, in the page. */
async function chartsDrawn(p: Page, ids: readonly string[]): Promise<void> {
  for (const id of ids) {
    // Attached, not visible: a series of zeros has no size.
    await p.waitForSelector(`[data-testid=${id}][data-rendered=true] svg .apexcharts-series`, {
      state: 'attached',
      timeout: 30_000,
    });
    const box = await p.locator(`[data-testid=${id}] svg.apexcharts-svg`).first().boundingBox();
    expect(box?.height, id).toBeGreaterThan(100);
    expect(box?.width, id).toBeGreaterThan(200);
  }
}

/** Opens the Numbers page on the demo store, as chosen on an earlier visit (remembered by the browser). */
async function numbersOfDemoStore(size: (typeof SIZES)[number]): Promise<Page> {
  const p = await openAs(browser, hub.url, OWNER, size, errors);
  await p.evaluate(() =>
    localStorage.setItem('oskartrack.choice', JSON.stringify({ storeId: 'demo-store', cameraId: null })),
  );
  await p.goto(`${hub.url}/dashboard`);
  return p;
}

async function clickDays(p: Page, label: string): Promise<void> {
  await p.click(`.page-header .toolbar button:text-is("${label}")`);
}

/** Axis labels of one chart, and every pair of them whose boxes overlap. */
function labelOverlaps(p: Page, id: string): Promise<{ labels: string[]; overlaps: string[] }> {
  return p.$eval(`[data-testid=${id}]`, (root) => {
    const texts = [...root.querySelectorAll('.apexcharts-xaxis-texts-g text, .apexcharts-yaxis-texts-g text')]
      .map((t) => ({
        text: (t.querySelector('tspan') ?? t).textContent?.trim() ?? '',
        r: t.getBoundingClientRect(),
      }))
      .filter((t) => t.text !== '' && t.r.width > 0);
    const overlaps: string[] = [];
    for (let i = 0; i < texts.length; i++) {
      for (let j = i + 1; j < texts.length; j++) {
        const a = texts[i]!.r;
        const b = texts[j]!.r;
        if (a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom)
          overlaps.push(`"${texts[i]!.text}" and "${texts[j]!.text}"`);
      }
    }
    return { labels: texts.map((t) => t.text), overlaps };
  });
}

/** The text a person sees on the page (explanations opened), with placeholders and titles. */
function visibleWords(p: Page): Promise<string> {
  return p.evaluate(() => {
    for (const d of document.querySelectorAll('details')) d.open = true;
    const extra = [...document.querySelectorAll('[placeholder], [title], [aria-label]')].map((e) =>
      [e.getAttribute('placeholder'), e.getAttribute('title'), e.getAttribute('aria-label')].join(' '),
    );
    // biome-ignore lint/performance/useDomNodeTextContent: only the text that shows, as a person reads it
    return `${document.body.innerText}\n${extra.join('\n')}`;
  });
}

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  buildDashboardIfStale();
  hub = await startTestHub();
  admin = await apiAs(hub.url, hub.admin);
  await admin('POST', '/api/stores', { id: 'corner', name: 'Corner shop' });
  await admin('POST', '/api/stores', { id: 'bakery', name: 'Bakery' });
  await admin('POST', '/api/cameras', {
    id: 'bakery-door',
    storeId: 'bakery',
    name: 'Bakery door',
    source: '0',
  });
  await admin('POST', '/api/users', {
    ...OWNER,
    role: 'manager',
    storeIds: ['demo-store', 'corner', 'bakery'],
  });
  browser = await launchChromium();
  await demoCounted();
}, 420_000);

afterAll(async () => {
  await browser?.close();
  await hub?.stop();
}, 60_000);

describe('owner pages in Chromium', () => {
  for (const size of SIZES) {
    it(`draws the charts again after a reload and a change of days (${size.name})`, async () => {
      const p = await numbersOfDemoStore(size);
      await chartsDrawn(p, CHARTS);
      await p.reload();
      await chartsDrawn(p, CHARTS);
      await clickDays(p, 'Yesterday');
      await p.waitForSelector('[data-testid=areas-empty] >> text=Nobody was counted on this day');
      await chartsDrawn(p, ['chart-hourly', 'chart-busiest', 'chart-occupancy']);
      await clickDays(p, 'Today');
      await chartsDrawn(p, CHARTS);
      await clickDays(p, 'Last 7 days');
      await chartsDrawn(p, ['chart-daily', 'chart-busiest', 'chart-areas', 'chart-occupancy']);
      await p.screenshot({ path: join(SHOTS, `numbers-${size.name}.png`), fullPage: true });
      expect(errors).toEqual([]);
      await p.context().close();
    }, 180_000);

    it(`never lets axis labels overlap (${size.name})`, async () => {
      const p = await numbersOfDemoStore(size);
      for (const [days, charts] of [
        ['Today', [...CHARTS, 'chart-compare']],
        ['Last 7 days', ['chart-daily', 'chart-occupancy']],
        ['Last 30 days', ['chart-daily', 'chart-occupancy']],
      ] as const) {
        await clickDays(p, days);
        await chartsDrawn(p, charts);
        for (const id of charts) {
          const { labels, overlaps } = await labelOverlaps(p, id);
          expect(labels.length, `${days}: ${id} has labels`).toBeGreaterThan(2);
          expect(overlaps, `${days}: ${id}`).toEqual([]);
        }
      }
      await p.screenshot({ path: join(SHOTS, `numbers-30-days-${size.name}.png`), fullPage: true });
      expect(errors).toEqual([]);
      await p.context().close();
    }, 180_000);
  }

  it('shares the store choice between pages and keeps it after a reload', async () => {
    const p = await openAs(browser, hub.url, OWNER, SIZES[1]!, errors);
    await p.goto(`${hub.url}/dashboard`);
    await chooseStore(p, 'corner');
    await p.waitForSelector('[data-testid=no-cameras]');
    for (const [nav, path] of [
      ['Live', '/live'],
      ['Areas & lines', '/zones'],
    ] as const) {
      await p.click(`nav >> text=${nav}`);
      await p.waitForURL(`${hub.url}${path}`);
      await p.waitForSelector('[data-testid=store-select] option[value=corner]', { state: 'attached' });
      expect(await shownOption(p, '[data-testid=store-select]'), nav).toBe('Corner shop');
    }
    await p.click('nav >> text=Live');
    await p.waitForSelector('[data-testid=live-state] >> text=No camera in this store');
    expect(await p.textContent('main')).not.toContain('Waiting for the camera');
    expect(await p.locator('[data-testid=live-state] .dot.open').count()).toBe(0);
    await p.reload();
    await p.waitForSelector('[data-testid=store-select] option[value=corner]', { state: 'attached' });
    expect(await shownOption(p, '[data-testid=store-select]')).toBe('Corner shop');
    await chooseStore(p, 'demo-store');
    await p.click('nav >> text=Numbers');
    await p.waitForSelector('[data-testid=dash-visitors]');
    expect(await shownOption(p, '[data-testid=store-select]')).toBe('Demo store');
    expect(errors).toEqual([]);
    await p.context().close();
  }, 120_000);

  it('says why a page is empty and what to do next', async () => {
    const p = await openAs(browser, hub.url, OWNER, SIZES[0]!, errors);
    // A store without a camera: a next step on the Overview, not zeros.
    await p.goto(`${hub.url}/`);
    await p.waitForSelector('[data-testid=store-corner] [data-testid=store-next-step]');
    expect(await p.locator('[data-testid=store-corner] [data-testid=stat-visitors]').count()).toBe(0);
    // A camera without areas: there are none, and who draws them.
    await p.goto(`${hub.url}/dashboard`);
    await chooseStore(p, 'bakery');
    const bakery = await p.waitForSelector('[data-testid=areas-empty]');
    expect(await bakery.textContent()).toContain('No areas on this camera yet');
    expect(await p.locator('[data-testid=areas-empty] a[href="/zones"]').count()).toBe(1);
    // The demo camera has areas: a day without counts says so, and not that there are no areas.
    await chooseStore(p, 'demo-store');
    await p.waitForSelector('[data-testid=chart-areas]');
    await clickDays(p, 'Yesterday');
    const demo = await p.waitForSelector('[data-testid=areas-empty] >> text=Nobody was counted');
    expect(await demo.textContent()).not.toContain('No areas');
    expect(await p.textContent('[data-testid=nobody-counted]')).toContain(
      'Choose another day, or check that the camera is running.',
    );
    expect(errors).toEqual([]);
    await p.context().close();
  }, 120_000);

  it('shows the same visitors and entrances on Overview, Numbers and Live, with what they mean', async () => {
    const p = await openAs(browser, hub.url, OWNER, SIZES[1]!, errors);
    const read = async (selector: string) =>
      Number((await p.textContent(`${selector} .stat-value`))?.replace(/\D/g, ''));
    const pages = [
      [
        '/',
        '[data-testid=store-demo-store] [data-testid=stat-visitors]',
        '[data-testid=store-demo-store] [data-testid=stat-entrances]',
        undefined,
      ],
      ['/dashboard', '[data-testid=dash-visitors]', '[data-testid=dash-entrances]', undefined],
      ['/live', '[data-testid=live-visitors]', '[data-testid=live-entrances]', 'demo-camera'],
    ] as const;
    for (const [path, visitors, entrances, camera] of pages) {
      await p.goto(hub.url + path);
      if (path !== '/') await chooseStore(p, 'demo-store');
      // The page as it opens and the hub, read together until nobody was counted in between.
      await expect
        .poll(
          async () => {
            const before = await todaySummary(camera);
            await p.reload();
            await p.waitForFunction(
              (s) => /\d/.test(document.querySelector(`${s} .stat-value`)?.textContent ?? ''),
              visitors,
              { timeout: 30_000 },
            );
            const shown = [await read(visitors), await read(entrances)];
            const after = await todaySummary(camera);
            if (before.visitors !== after.visitors || before.entries !== after.entries) return 'moving';
            return shown.join('/') === `${after.visitors}/${after.entries}` ? 'same' : shown.join('/');
          },
          { timeout: 120_000, interval: 1000 },
        )
        .toBe('same');
      expect(await p.textContent(`${visitors} .stat-label`), path).toContain(VISITORS.term);
      expect(await p.textContent(`${visitors} .stat-hint`), path).toBe(VISITORS.hint);
      expect(await p.textContent(`${entrances} .stat-hint`), path).toBe(ENTRANCES.hint);
      await p.click('[data-testid=definitions] summary >> nth=0');
      expect(await p.locator('[data-testid=definitions] dd').first().textContent()).toBe(VISITORS.meaning);
    }
    // The uploaded-recordings stand-in is not a device an owner looks after.
    await p.goto(`${hub.url}/`);
    await p.waitForSelector('[data-testid=store-demo-store] [data-testid=device-demo-box]');
    expect(await p.textContent('main')).not.toMatch(/Uploaded (videos|recordings)/);
    expect(errors).toEqual([]);
    await p.context().close();
  }, 360_000);

  for (const size of SIZES) {
    it(`uses no technical words on any owner page (${size.name})`, async () => {
      const p = await openAs(browser, hub.url, OWNER, size, errors);
      const found: string[] = [];
      for (const path of OWNER_PAGES) {
        await p.goto(hub.url + path);
        await p.waitForSelector('main h1');
        await p.waitForFunction(() => !document.querySelector('main .loading'), undefined, {
          timeout: 30_000,
        });
        if (path !== '/') await chooseStore(p, 'demo-store');
        await p.waitForFunction(() => !document.querySelector('main .loading'), undefined, {
          timeout: 30_000,
        });
        const words = await visibleWords(p);
        for (const w of FORBIDDEN) {
          const m = w.exec(words);
          if (m)
            found.push(
              `${path}: "${words.slice(Math.max(0, m.index - 40), m.index + 40).replace(/\s+/g, ' ')}"`,
            );
        }
      }
      expect(found).toEqual([]);
      expect(errors).toEqual([]);
      await p.context().close();
    }, 180_000);
  }
});
