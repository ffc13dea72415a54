/**
 * Recorded videos in real Chromium against the real hub: uploaded without a start time (so it ends
 * now, never later), listed under "Recorded videos", left out of the numbers until the switch says
 * otherwise (the switch is kept for the next visit), and deleted from the page with all it counted.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { UploadJob } from '@oskartrack/protocol';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cutClip } from '../../../agent/test/support/clip.ts';
import { buildDashboardIfStale, startTestHub, type TestHub } from './hub.ts';
import { apiAs, launchChromium, openAs, SIZES } from './session.ts';

let hub: TestHub;
let browser: Browser;
let admin: Awaited<ReturnType<typeof apiAs>>;
let dir: string;
const errors: string[] = [];

beforeAll(async () => {
  buildDashboardIfStale();
  dir = mkdtempSync(join(tmpdir(), 'oskartrack-recordings-'));
  await cutClip(join(dir, 'test-video.avi'), 10);
  hub = await startTestHub();
  admin = await apiAs(hub.url, hub.admin);
  browser = await launchChromium();
}, 400_000);

afterAll(async () => {
  await browser?.close();
  await hub?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function recordingRows(p: Page): Promise<string[]> {
  return p.$$eval('[data-testid=recording]', (rows) => rows.map((r) => r.getAttribute('data-id') ?? ''));
}

describe('recorded videos on the dashboard', () => {
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
