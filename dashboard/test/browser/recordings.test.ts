/**
 * Recorded videos in real Chromium against the real hub: uploaded without a start time (so it ends
 * now, never later), listed under "Recorded videos", left out of the numbers until the switch says
 * otherwise (the switch is kept for the next visit), and deleted from the page with all it counted.
 * Then, on a hub whose numbers stay put (a recording seeded as the upload worker stores it, no live
 * box), on a phone and on a desktop: the Overview's and the Live page's numbers for today leave the
 * recording out by default and count it once the switch is on.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { UploadJob } from '@oskartrack/protocol';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cutClip } from '../../../agent/test/support/clip.ts';
import { buildDashboardIfStale, startTestHub, type TestHub } from './hub.ts';
import { type SeededHub, seedRecording, startSeededHub } from './seeded-hub.ts';
import { apiAs, launchChromium, openAs, SIZES } from './session.ts';

const SHOTS = join(fileURLToPath(new URL('../../../', import.meta.url)), 'test-output', 'screenshots');

let hub: TestHub;
let browser: Browser;
let admin: Awaited<ReturnType<typeof apiAs>>;
let dir: string;
const errors: string[] = [];

beforeAll(async () => {
  buildDashboardIfStale();
  browser = await launchChromium();
}, 400_000);

afterAll(async () => {
  await browser?.close();
});

async function recordingRows(p: Page): Promise<string[]> {
  return p.$$eval('[data-testid=recording]', (rows) => rows.map((r) => r.getAttribute('data-id') ?? ''));
}

describe('recorded videos on the dashboard', () => {
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'oskartrack-recordings-'));
    await cutClip(join(dir, 'test-video.avi'), 10);
    hub = await startTestHub();
    admin = await apiAs(hub.url, hub.admin);
  }, 400_000);

  afterAll(async () => {
    await hub?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('keeps a recording apart, counts it only when asked, and deletes it', async () => {
    const desktop = SIZES.find((s) => !s.phone)!;
    const p = await openAs(browser, hub.url, hub.admin, desktop, errors);
    await p.goto(`${hub.url}/live`);
    await p.waitForSelector('[data-testid=upload-card]');
    expect(await p.inputValue('[data-testid=upload-card] input[name=start]')).toBe('');
    await p.setInputFiles('[data-testid=upload-card] input[type=file]', join(dir, 'test-video.avi'));
    await p.click('[data-testid=upload-card] button[type=submit]');
    // Counted at a lower priority than the hub: on a loaded machine this waits for spare CPU.
    await p
      .waitForSelector('[data-testid=upload-processed][data-value="1.000"]', { timeout: 900_000 })
      .catch(async (err: Error) => {
        const card = await p.locator('[data-testid=upload-card]').textContent();
        throw new Error(`${err.message}\nthe upload card says: ${card}`);
      });
    await p.waitForSelector('[data-testid=recording]', { timeout: 30_000 });
    const [id] = await recordingRows(p);
    const job = await admin<UploadJob>('GET', `/api/uploads/${id}`);
    expect(job.fileName).toBe('test-video.avi');
    // Taken to end at the upload: it started in the past, never later than now.
    expect(Date.parse(job.startTime)).toBeLessThan(Date.now());

    // The switch starts off; turned on, it is kept for the next visit.
    expect(await p.isChecked('[data-testid=include-recordings]')).toBe(false);
    await p.check('[data-testid=include-recordings]');
    expect(await p.evaluate(() => localStorage.getItem('oskartrack.includeRecordings'))).toBe('true');

    // Deleted from the page: gone from the list and from the hub.
    p.once('dialog', (d) => void d.accept());
    await p.click(`[data-testid=recording][data-id="${id}"] button`);
    await p.waitForSelector(`[data-testid=recording][data-id="${id}"]`, {
      state: 'detached',
      timeout: 120_000,
    });
    const left = await fetch(`${hub.url}/api/uploads/${id}`, {
      headers: { authorization: `Bearer ${await login()}` },
    });
    expect(left.status).toBe(404);
    expect(errors).toEqual([]);
    await p.context().close();
  }, 1_200_000);
});

async function login(): Promise<string> {
  const r = await fetch(`${hub.url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(hub.admin),
  });
  return ((await r.json()) as { accessToken: string }).accessToken;
}

/** Today's local midnight in this machine's zone: the pages' "today" (the browser runs here too). */
function todayStart(): number {
  const now = new Date();
  return new Date(now.getFullYear(), now.getMonth(), now.getDate()).getTime();
}

/** Live: 2 visits and 1 entrance today. The recording: 3 visits and 2 entrances today. */
const LIVE = { visits: 2, entrances: 1 };
const RECORDED = { visits: 3, entrances: 2 };

async function seedStore(s: SeededHub): Promise<string> {
  const r = s.hub.app.repos;
  const store = await r.stores.create({ id: 'corner', name: 'Corner shop' });
  const device = await r.devices.create({ storeId: store.id, name: 'Box' });
  const camera = await r.cameras.create({
    storeId: store.id,
    deviceId: device.id,
    name: 'Door',
    source: '0',
  });
  const line = await r.zones.createLine({
    cameraId: camera.id,
    name: 'Door',
    start: [0, 240],
    end: [640, 240],
    inSide: 'left',
  });
  const t0 = todayStart() + 60_000;
  for (let i = 0; i < LIVE.visits; i++) {
    const startedAt = new Date(t0 + i * 60_000);
    await r.visits.create({
      cameraId: camera.id,
      trackId: i + 1,
      startedAt,
      endedAt: new Date(+startedAt + 30_000),
    });
  }
  const crossing = (seq: number, at: number) => ({
    seq,
    event: {
      kind: 'line_crossed' as const,
      cameraId: camera.id,
      at,
      trackId: seq,
      lineId: line.id,
      direction: 'in' as const,
    },
  });
  await r.events.insertEvents(
    device.id,
    Array.from({ length: LIVE.entrances }, (_, i) => crossing(i + 1, t0 + i * 1000)),
  );
  const place = { storeId: store.id, cameraId: camera.id, deviceId: device.id };
  const visits = Array.from({ length: RECORDED.visits }, (_, i) => ({
    startedAt: t0 + 10 * 60_000 + i * 60_000,
    durationMs: 20_000,
  }));
  const uploadId = await seedRecording(s.hub, place, visits);
  await r.events.insertEventsDetailed(
    device.id,
    Array.from({ length: RECORDED.entrances }, (_, i) => crossing(1000 + i, t0 + 10 * 60_000 + i * 1000)),
    { uploadId },
  );
  return store.id;
}

describe('recorded videos kept apart on the Overview and Live pages', () => {
  let seeded: SeededHub;
  let storeId = '';
  const pageErrors: string[] = [];
  beforeAll(async () => {
    seeded = await startSeededHub();
    storeId = await seedStore(seeded);
  }, 120_000);
  afterAll(async () => {
    await seeded?.stop();
  });

  /** Waits until a figure on the page reads `value` (the pages fetch their numbers asynchronously). */
  const shows = (p: Page, selector: string, value: number) =>
    p.waitForFunction(
      ([sel, want]) => document.querySelector(`${sel} .stat-value`)?.textContent?.trim() === want,
      [selector, String(value)] as const,
      { timeout: 60_000 },
    );

  for (const size of SIZES) {
    it(`leaves the recording out of today's numbers on a ${size.name} until the switch counts it`, async () => {
      const p = await openAs(browser, seeded.url, seeded.admin, size, pageErrors);
      await p.goto(`${seeded.url}/`);
      const card = `[data-testid=store-${storeId}]`;
      await shows(p, `${card} [data-testid=stat-visitors]`, LIVE.visits);
      await shows(p, `${card} [data-testid=stat-entrances]`, LIVE.entrances);
      expect(await p.isChecked('[data-testid=include-recordings-overview]')).toBe(false);

      await p.check('[data-testid=include-recordings-overview]');
      await shows(p, `${card} [data-testid=stat-visitors]`, LIVE.visits + RECORDED.visits);
      await shows(p, `${card} [data-testid=stat-entrances]`, LIVE.entrances + RECORDED.entrances);
      // The page never gets wider than the window with the switch in its header.
      const width = await p.evaluate(() => document.documentElement.scrollWidth);
      expect(width).toBeLessThanOrEqual(size.width);
      mkdirSync(SHOTS, { recursive: true });
      await p.screenshot({ path: join(SHOTS, `overview-recordings-${size.name}.png`), fullPage: true });

      // The Live page's "today" follows the same choice, and turning it off there leaves it out again.
      await p.goto(`${seeded.url}/live`);
      expect(await p.isChecked('[data-testid=include-recordings-live]')).toBe(true);
      await shows(p, '[data-testid=live-visitors]', LIVE.visits + RECORDED.visits);
      await p.uncheck('[data-testid=include-recordings-live]');
      await shows(p, '[data-testid=live-visitors]', LIVE.visits);
      await shows(p, '[data-testid=live-entrances]', LIVE.entrances);
      await p.context().close();
      expect(pageErrors).toEqual([]);
    }, 180_000);
  }
});
