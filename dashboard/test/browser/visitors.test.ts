/**
 * The Visitors page in real Chromium against a real hub (embedded PGlite, no demo box: the visits and
 * walks are seeded through the hub's own repositories): an owner on a phone and on a desktop sees how
 * long people stayed and where they went, in words, with no raw ids and nothing wider than the screen;
 * an administrator opens the installer's view of single visits.
 */
import { mkdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RunningHub } from '@oskartrack/hub/server';
import type { SequencedEvent } from '@oskartrack/protocol';
import pino from 'pino';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDashboardIfStale } from './hub.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const SHOTS = join(ROOT, 'test-output', 'screenshots');
const OWNER = { name: 'owner-olga', password: 'owner-password-2025' };
const TRACKING_ID = 'corner-box/cam-door/7@1796179732883';
const MIN = 60_000;

let hub: RunningHub;
let dataDir = '';
let browser: Browser;
const errors: string[] = [];

/** Today's local midnight: the page shows "today" by default, in the browser's (this machine's) zone. */
function todayStart(): number {
  const now = new Date();
  return new Date(now.getFullYear(), now.getMonth(), now.getDate()).getTime();
}

/** A store with three areas, seven visits (3 under 1 min, 2 of 1-5 min, 1 of 5-15, 1 over 15) and walks. */
async function seed(h: RunningHub): Promise<void> {
  const r = h.app.repos;
  const store = await r.stores.create({ id: 'corner', name: 'Corner shop' });
  const device = await r.devices.create({ id: 'corner-box', storeId: store.id, name: 'Box' });
  const camera = await r.cameras.create({
    id: 'cam-door',
    storeId: store.id,
    deviceId: device.id,
    name: 'Door',
    source: '0',
    frameWidth: 640,
    frameHeight: 480,
  });
  const square = (x: number): [number, number][] => [
    [x, 0],
    [x + 100, 0],
    [x + 100, 100],
    [x, 100],
  ];
  const zone = async (name: string, x: number) =>
    (await r.zones.createZone({ cameraId: camera.id, name, polygon: square(x) })).id;
  const entrance = await zone('Entrance', 0);
  const till = await zone('Till', 200);
  const bakery = await zone('Bakery', 400);
  const t0 = todayStart() + MIN;
  const customer = await r.customers.recordSighting({
    storeId: store.id,
    trackingId: TRACKING_ID,
    at: new Date(t0),
    newVisit: true,
  });
  const durations = [30_000, 40_000, 50_000, 2 * MIN, 3 * MIN, 10 * MIN, 20 * MIN];
  for (const [i, ms] of durations.entries()) {
    await r.visits.create({
      cameraId: camera.id,
      customerId: customer.id,
      trackId: i + 1,
      startedAt: new Date(t0 + i * MIN),
      endedAt: new Date(t0 + i * MIN + ms),
      path: [
        { at: t0 + i * MIN, point: [50, 50] },
        { at: t0 + i * MIN + 1000, point: [250, 150] },
      ],
    });
  }
  // Tracks 1 and 2: Entrance -> Till; track 3: Entrance -> Bakery -> Till.
  const walks: [number, string[]][] = [
    [1, [entrance, till]],
    [2, [entrance, till]],
    [3, [entrance, bakery, till]],
  ];
  let seq = 0;
  const events: SequencedEvent[] = walks.flatMap(([trackId, zones]) =>
    zones.map((zoneId, i) => ({
      seq: ++seq,
      event: {
        kind: 'zone_entered',
        cameraId: camera.id,
        at: t0 + trackId * MIN + i * 5000,
        trackId,
        zoneId,
      },
    })),
  );
  await r.events.insertEvents(device.id, events);
}

async function signIn(p: Page, name: string, password: string): Promise<void> {
  await p.goto(`${hub.url}/login`);
  await p.fill('input[name=name]', name);
  await p.fill('input[name=password]', password);
  await p.click('button[type=submit]');
  await p.waitForSelector('[data-testid=who]', { state: 'attached' });
}

/** Elements whose right edge lies past the window (none may, on any size). */
function overflowing(p: Page): Promise<{ page: number; window: number; wide: string[] }> {
  return p.evaluate(() => {
    const w = window.innerWidth;
    const wide = [...document.querySelectorAll('body *')]
      .filter((e) => e.getBoundingClientRect().right > w + 0.5)
      .map((e) => `${e.tagName.toLowerCase()}.${e.className}`);
    return { page: document.documentElement.scrollWidth, window: w, wide };
  });
}

async function ownerPage(width: number, height: number, phone: boolean): Promise<Page> {
  const context = await browser.newContext({
    viewport: { width, height },
    ...(phone ? { isMobile: true, hasTouch: true } : {}),
  });
  const p = await context.newPage();
  p.on('pageerror', (err) => errors.push(err.message));
  await signIn(p, OWNER.name, OWNER.password);
  // Let the first page finish loading its code: leaving mid-load aborts that fetch (a page error).
  await p.waitForLoadState('networkidle');
  await p.goto(`${hub.url}/clients`);
  await p.waitForSelector('[data-testid=duration-bucket]', { timeout: 30_000 });
  await p.waitForSelector('[data-testid=path-next]');
  return p;
}

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  buildDashboardIfStale();
  dataDir = await mkdtemp(join(tmpdir(), 'oskartrack-visitors-'));
  const { startHub } = await import('@oskartrack/hub/server');
  hub = await startHub({
    settings: {
      databaseUrl: undefined,
      databaseSchema: undefined,
      dataDir,
      mediaDir: join(dataDir, 'media'),
    },
    log: pino({ level: process.env.OSKARTRACK_TEST_LOG ?? 'silent' }),
    port: 0,
    host: '127.0.0.1',
    mqttPort: 0,
    insecure: true,
  });
  await seed(hub);
  const { createUser } = await import('@oskartrack/hub/api/users-command');
  await createUser(hub.app.repos, { ...OWNER, role: 'viewer', storeIds: ['corner'] });
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-sync',
    ],
  });
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await hub?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
}, 60_000);

describe('a page whose code cannot be fetched', () => {
  it('says so inside the frame in plain words, with no page error, and the other pages still open', async () => {
    const context = await browser.newContext({ viewport: { width: 1366, height: 900 } });
    const p = await context.newPage();
    const own: string[] = [];
    p.on('pageerror', (err) => own.push(err.message));
    await signIn(p, OWNER.name, OWNER.password);
    await p.waitForLoadState('networkidle');
    // The connection drops just for the Visitors page's code.
    await p.route(/\/assets\/Clients[^/]*\.js/, (route) => route.abort('internetdisconnected'));
    await p.click('nav a[href="/clients"]');
    const note = p.locator('main [role=alert]');
    await note.waitFor();
    expect(await note.textContent()).toContain('This page could not be shown. Check the internet connection');
    await p.click('nav a[href="/"]');
    await note.waitFor({ state: 'detached' });
    expect(own).toEqual([]);
    await context.close();
  });
});

describe('the Visitors page in Chromium', () => {
  for (const [size, width, height, phone] of [
    ['phone', 390, 844, true],
    ['desktop', 1366, 900, false],
  ] as const) {
    it(`shows an owner on a ${size} how long people stayed and where they went, without raw ids`, async () => {
      const p = await ownerPage(width, height, phone);
      const buckets = await p.$$eval('[data-testid=duration-bucket]', (els) =>
        els.map((e) => [e.querySelector('.duration-label')?.textContent, e.getAttribute('data-visits')]),
      );
      expect(buckets).toEqual([
        ['Under 1 min', '3'],
        ['1–5 min', '2'],
        ['5–15 min', '1'],
        ['15 min or more', '1'],
      ]);
      expect(await p.textContent('[data-testid=visits-total] .stat-value')).toBe('7');
      expect(await p.textContent('[data-testid=visits-median] .stat-value')).toBe('2 min');
      expect(await p.textContent('[data-testid=visits-short] .stat-value')).toBe('43%');
      expect(await p.textContent('[data-testid=visits-short] .stat-hint')).toContain('shorter than 1 min');
      expect(await p.textContent('[data-testid=visits-long] .stat-hint')).toContain('15 min or longer');
      const entrance = p.locator('[data-testid=path-area]', { hasText: 'went to Entrance' });
      const text = (await entrance.textContent())?.replace(/\s+/g, ' ');
      expect(text).toContain('Of the 3 people who went to Entrance');
      expect(text).toContain('67% went on to Till next (2 people)');
      expect(text).toContain('33% went on to Bakery next (1 person)');

      const body = (await p.textContent('main')) ?? '';
      expect(body).not.toContain(TRACKING_ID);
      expect(body).not.toMatch(/tracking number|cam-door|corner-box|points of walked paths/i);
      expect(await p.locator('[data-testid=installer-view]').count()).toBe(0);
      expect(await p.locator('[data-testid=visits], [data-testid=visit-picture]').count()).toBe(0);

      const o = await overflowing(p);
      expect(o.wide).toEqual([]);
      expect(o.page).toBeLessThanOrEqual(o.window);
      await p.screenshot({ path: join(SHOTS, `visitors-${size}.png`), fullPage: true });
      await p.context().close();
    }, 90_000);
  }

  it('lets an administrator open the installer view with tracking numbers and a visit path', async () => {
    const context = await browser.newContext({
      viewport: { width: 390, height: 844 },
      isMobile: true,
      hasTouch: true,
    });
    const p = await context.newPage();
    p.on('pageerror', (err) => errors.push(err.message));
    const admin = hub.admin!;
    await signIn(p, admin.name, admin.password);
    await p.waitForLoadState('networkidle');
    await p.goto(`${hub.url}/clients`);
    await p.waitForSelector('[data-testid=duration-bucket]', { timeout: 30_000 });
    expect(await p.locator('[data-testid=installer-visits]').count()).toBe(0);
    await p.click('[data-testid=installer-view]');
    await p.waitForSelector(`[data-testid=visitors] >> text=${TRACKING_ID}`, { timeout: 30_000 });
    await p.click('[data-testid=visits] tbody tr.clickable >> nth=0');
    await p.waitForSelector('[data-testid=visit-path] polyline');
    // Wide tables scroll inside their card; the page itself never gets wider than the phone.
    const o = await overflowing(p);
    expect(o.page).toBeLessThanOrEqual(o.window);
    await p.screenshot({ path: join(SHOTS, 'visitors-installer-phone.png'), fullPage: true });
    await context.close();
    expect(errors).toEqual([]);
  }, 90_000);
});
