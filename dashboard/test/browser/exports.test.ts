/**
 * Downloads for a spreadsheet in real Chromium against a real hub (data seeded through its
 * repositories): a store owner on a phone and on a desktop clicks "Excel" for the visits and gets a
 * workbook named after the store and the day, with the store's local times, seconds and names
 * (opened here with exceljs); recorded videos are in it only when the switch says so; the hourly
 * numbers come as a workbook too.
 */
import { mkdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ExcelJS from 'exceljs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDashboardIfStale } from './hub.ts';
import { type SeededHub, seedRecording, startSeededHub, wallText, zoneMidnight } from './seeded-hub.ts';
import { launchChromium, SIZES, signIn, type WindowSize } from './session.ts';

const SHOTS = join(fileURLToPath(new URL('../../../', import.meta.url)), 'test-output', 'screenshots');
const ZONE = 'America/New_York';
const OWNER = { name: 'owner-export', password: 'owner-password-2026' };
const MIN = 60_000;
const H = 60 * MIN;

let seeded: SeededHub;
let browser: Browser;
let dir = '';
const errors: string[] = [];
/** The store's midnight today, and what was seeded from it. */
let midnight = 0;
let live: { startedAt: number; durationMs: number; camera: string; area: string | null }[] = [];
let recorded: { startedAt: number; durationMs: number }[] = [];

async function seed(s: SeededHub): Promise<void> {
  const r = s.hub.app.repos;
  const store = await r.stores.create({ id: 'demo', name: 'Demo Store', timezone: ZONE });
  const device = await r.devices.create({ storeId: store.id, name: 'Box' });
  const door = await r.cameras.create({
    storeId: store.id,
    deviceId: device.id,
    name: 'Front door',
    source: '0',
  });
  const till = await r.cameras.create({ storeId: store.id, name: 'Till', source: '0' });
  const bakery = await r.zones.createZone({
    cameraId: door.id,
    name: 'Bakery',
    polygon: [
      [10, 10],
      [200, 10],
      [10, 200],
    ],
  });
  midnight = zoneMidnight(ZONE);
  live = [
    { startedAt: midnight + MIN, durationMs: 83_400, camera: door.id, area: 'Bakery' },
    { startedAt: midnight + 2 * H + 30_500, durationMs: 1_600, camera: till.id, area: null },
  ];
  for (const [i, v] of live.entries()) {
    await r.visits.create({
      cameraId: v.camera,
      trackId: i + 1,
      startedAt: new Date(v.startedAt),
      endedAt: new Date(v.startedAt + v.durationMs),
      zones: v.area ? [{ zoneId: bakery.id, dwellMs: 20_000 }] : [],
    });
  }
  recorded = [{ startedAt: midnight + 3 * H, durationMs: 125_000 }];
  await seedRecording(s.hub, { storeId: store.id, cameraId: door.id, deviceId: device.id }, recorded);
  await r.summaries.increment([
    {
      period: 'hour',
      bucketStart: new Date(midnight),
      storeId: store.id,
      cameraId: door.id,
      zoneId: null,
      visitors: 1,
      entries: 1,
      dwellCount: 1,
      totalDwellMs: 83_400,
      peakOccupancy: 1,
    },
  ]);
  const { createUser } = await import('@oskartrack/hub/api/users-command');
  await createUser(r, { ...OWNER, role: 'viewer', storeIds: [store.id] });
}

beforeAll(async () => {
  buildDashboardIfStale();
  dir = await mkdtemp(join(tmpdir(), 'oskartrack-exports-'));
  seeded = await startSeededHub();
  await seed(seeded);
  browser = await launchChromium();
}, 400_000);

afterAll(async () => {
  await browser?.close();
  await seeded?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
}, 60_000);

/** The Numbers page for the owner, in the store's time zone (so "today" is the store's today). */
async function numbersPage(size: WindowSize): Promise<Page> {
  const context = await browser.newContext({
    viewport: { width: size.width, height: size.height },
    timezoneId: ZONE,
    acceptDownloads: true,
    ...(size.phone ? { isMobile: true, hasTouch: true } : {}),
  });
  const p = await context.newPage();
  p.on('pageerror', (err) => errors.push(`${size.name}: ${err.message}`));
  await signIn(p, seeded.url, OWNER);
  await p.goto(`${seeded.url}/dashboard`);
  await p.waitForSelector('[data-testid=download-visits-xlsx]:not([disabled])', { timeout: 60_000 });
  return p;
}

/** Clicks a download button; the file's name and its first worksheet. */
async function download(p: Page, testId: string): Promise<{ name: string; sheet: ExcelJS.Worksheet }> {
  const [file] = await Promise.all([
    p.waitForEvent('download', { timeout: 60_000 }),
    p.click(`[data-testid=${testId}]`),
  ]);
  const path = join(dir, `${Date.now()}-${file.suggestedFilename()}`);
  await file.saveAs(path);
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.readFile(path);
  const sheet = wb.worksheets[0];
  if (!sheet) throw new Error(`${file.suggestedFilename()} has no worksheet`);
  return { name: file.suggestedFilename(), sheet };
}

const rowValues = (sheet: ExcelJS.Worksheet, n: number) => (sheet.getRow(n).values as unknown[]).slice(1);
/** A spreadsheet date showing the store's wall clock at `at`. */
const excelTime = (at: number) => new Date(`${wallText(at, ZONE).replace(' ', 'T')}Z`);
const cameraName = (id: string) => (id === live[0]!.camera ? 'Front door' : 'Till');

describe('downloads for a spreadsheet in Chromium', () => {
  for (const size of SIZES) {
    it(`gives an owner on a ${size.name} the visits as an Excel workbook with local times and names`, async () => {
      const p = await numbersPage(size);
      const today = wallText(midnight, ZONE).slice(0, 10);
      const { name, sheet } = await download(p, 'download-visits-xlsx');
      expect(name).toBe(`demo-store-visits-${today}.xlsx`);
      expect(rowValues(sheet, 1)).toEqual([
        `Started (${ZONE})`,
        `Ended (${ZONE})`,
        'Time spent (seconds)',
        'Store',
        'Camera',
        'Areas',
      ]);
      expect(sheet.getRow(1).getCell(1).font?.bold).toBe(true);
      expect(sheet.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
      // The recorded video is left out: the switch is off by default.
      expect(sheet.rowCount).toBe(1 + live.length);
      for (const [i, v] of live.entries()) {
        expect(rowValues(sheet, i + 2).slice(0, 5)).toEqual([
          excelTime(v.startedAt),
          excelTime(v.startedAt + v.durationMs),
          Math.round(v.durationMs / 1000),
          'Demo Store',
          cameraName(v.camera),
        ]);
        // The areas the visit went through; none: an empty cell.
        expect(sheet.getRow(i + 2).getCell(6).value).toBe(v.area);
      }
      // The card fits the window: nothing sticks out on a phone.
      const card = await p.$eval('[data-testid=downloads]', (e) => e.getBoundingClientRect().right);
      expect(card).toBeLessThanOrEqual(size.width + 0.5);
      mkdirSync(SHOTS, { recursive: true });
      await p
        .locator('[data-testid=downloads]')
        .screenshot({ path: join(SHOTS, `downloads-${size.name}.png`) });
      await p.context().close();
      expect(errors).toEqual([]);
    }, 180_000);
  }

  it('adds the recorded videos when the switch counts them, and downloads the hourly numbers', async () => {
    const p = await numbersPage(SIZES.find((s) => !s.phone)!);
    await p.check('[data-testid=include-recordings-downloads]');
    const { sheet } = await download(p, 'download-visits-xlsx');
    expect(rowValues(sheet, 1).at(-1)).toBe('From a recorded video');
    expect(sheet.rowCount).toBe(1 + live.length + recorded.length);
    const rows = Array.from({ length: sheet.rowCount - 1 }, (_, i) => rowValues(sheet, i + 2));
    // Started, ended, seconds, store, camera, and the recorded-video column (the areas: none).
    const fromVideo = rows.filter((row) => row[6] === 'Yes').map((row) => [...row.slice(0, 5), row[6]]);
    expect(fromVideo).toEqual(
      recorded.map((v) => [
        excelTime(v.startedAt),
        excelTime(v.startedAt + v.durationMs),
        Math.round(v.durationMs / 1000),
        'Demo Store',
        'Front door',
        'Yes',
      ]),
    );

    await p.uncheck('[data-testid=include-recordings-downloads]');
    const hourly = await download(p, 'download-hourly-xlsx');
    expect(hourly.name).toBe(`demo-store-hourly-numbers-${wallText(midnight, ZONE).slice(0, 10)}.xlsx`);
    expect(rowValues(hourly.sheet, 1)).toEqual([
      `Time (${ZONE})`,
      'Store',
      'Camera',
      'Area',
      'Visitors',
      'Entrances',
      'Exits',
      'Average time spent (seconds)',
      'Most people inside',
    ]);
    expect(rowValues(hourly.sheet, 2)).toEqual([
      excelTime(midnight),
      'Demo Store',
      'Front door',
      'Whole camera view',
      1,
      1,
      0,
      Math.round(83_400 / 1000),
      1,
    ]);
    await p.context().close();
    expect(errors).toEqual([]);
  }, 180_000);
});
