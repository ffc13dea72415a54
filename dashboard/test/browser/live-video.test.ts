/**
 * The Live page's video in real Chromium against the real hub and its demo box (PETS 2009 played as a
 * live camera): the picture changes over time (its source and frame time differ between two moments),
 * the people boxes drawn over it come from the picture's own frame, the view fits a phone, and a camera
 * whose unit is offline gets a plain message instead of a picture.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDashboardIfStale, startTestHub, type TestHub } from './hub.ts';

const SHOTS = join(fileURLToPath(new URL('../../../', import.meta.url)), 'test-output', 'screenshots');
const VIDEO = '[data-testid=live-video]';

let hub: TestHub;
let browser: Browser;
const errors: string[] = [];

async function signedInPage(viewport: { width: number; height: number }): Promise<Page> {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  page.on('pageerror', (err) => errors.push(err.message));
  await page.goto(`${hub.url}/login`);
  await page.fill('input[name=name]', hub.admin.name);
  await page.fill('input[name=password]', hub.admin.password);
  await page.click('button[type=submit]');
  await page.waitForSelector('[data-testid=who]', { state: 'attached' });
  return page;
}

/** Calls the hub's API as the administrator. */
async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const login = await fetch(`${hub.url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(hub.admin),
  });
  const { accessToken } = (await login.json()) as { accessToken: string };
  const res = await fetch(hub.url + path, {
    method,
    headers: { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json' },
    body: JSON.stringify(body ?? {}),
  });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

/** The picture's source and frame time, and the frame time of the boxes drawn over it, read at once. */
function readView(page: Page) {
  return page.evaluate((selector) => {
    const img = document.querySelector(selector);
    const boxes = document.querySelector('[data-testid=video-boxes]');
    return {
      src: img?.getAttribute('src') ?? '',
      at: Number(img?.getAttribute('data-at')),
      boxesAt: boxes ? Number(boxes.getAttribute('data-at')) : undefined,
      people: document.querySelectorAll('[data-testid=video-boxes] .live-box').length,
    };
  }, VIDEO);
}

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  buildDashboardIfStale();
  hub = await startTestHub();
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
  });
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await hub?.stop();
}, 60_000);

describe('live video on the Live page', () => {
  it('shows the camera moving, with the boxes of the very frame shown', async () => {
    const page = await signedInPage({ width: 1366, height: 900 });
    await page.click('nav >> text=Live');
    await page.waitForSelector(VIDEO, { timeout: 120_000 });
    const first = await readView(page);
    expect(first.src).toMatch(/^data:image\/jpeg;base64,/);
    // A moment later the picture is another frame.
    await page.waitForFunction(
      ([selector, at]) => Number(document.querySelector(selector)?.getAttribute('data-at')) > at,
      [VIDEO, first.at] as const,
      { timeout: 30_000 },
    );
    const second = await readView(page);
    expect(second.src).not.toBe(first.src);
    expect(second.at).toBeGreaterThan(first.at);

    // People are drawn, from the picture's own frame (never a later one, never seconds before).
    await page.waitForSelector('[data-testid=video-boxes] .live-box', { timeout: 60_000 });
    const drawn = await readView(page);
    expect(drawn.people).toBeGreaterThan(0);
    expect(drawn.boxesAt).toBeLessThanOrEqual(drawn.at);
    expect(drawn.at - drawn.boxesAt!).toBeLessThanOrEqual(1500);
    await page.screenshot({ path: join(SHOTS, 'live-video.png') });
    await page.context().close();
  }, 240_000);

  it('fits the live view on a phone screen', async () => {
    const page = await signedInPage({ width: 390, height: 844 });
    await page.goto(`${hub.url}/live`);
    await page.waitForSelector(VIDEO, { timeout: 120_000 });
    const box = (await page.locator(VIDEO).boundingBox())!;
    expect(box.width).toBeGreaterThan(200);
    expect(box.x + box.width).toBeLessThanOrEqual(390);
    await page.screenshot({ path: join(SHOTS, 'live-video-phone.png') });
    await page.context().close();
    expect(errors).toEqual([]);
  }, 240_000);

  it('says in plain words when the camera unit is offline', async () => {
    // A second unit enrolled in the demo store that never connects, with a camera of its own.
    const code = await api<{ code: string }>('POST', '/api/stores/demo-store/enrollment-codes');
    const unit = await api<{ deviceId: string }>('POST', '/api/enroll', {
      code: code.code,
      name: 'Back unit',
    });
    const camera = await api<{ id: string }>('POST', '/api/cameras', {
      storeId: 'demo-store',
      deviceId: unit.deviceId,
      name: 'Back door',
      source: 'rtsp://192.0.2.10/stream',
    });
    const page = await signedInPage({ width: 1366, height: 900 });
    await page.goto(`${hub.url}/live`);
    await page.waitForSelector(`[data-testid=camera-select] option[value="${camera.id}"]`, {
      state: 'attached',
    });
    await page.selectOption('[data-testid=camera-select]', camera.id);
    const message = await page.waitForSelector('[data-testid=live-offline]', { timeout: 30_000 });
    expect(await message.textContent()).toMatch(/camera unit is offline.*power and an internet connection/);
    expect(await page.locator(VIDEO).count()).toBe(0);
    await page.context().close();
  }, 120_000);
});
