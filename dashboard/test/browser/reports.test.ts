/**
 * The Reports page in real Chromium, on a phone (390x844) and a desktop (1366x900), against the real
 * hub with the demo store: an administrator adds a weekly report by e-mail, sees it listed, and
 * downloads the Excel and PDF preview (opened and checked here). A screenshot goes to
 * test-output/screenshots/reports.png (UPDATE_SCREENSHOTS=1 also to docs/screenshots).
 */
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ExcelJS from 'exceljs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDashboardIfStale, startTestHub, type TestHub } from './hub.ts';
import { apiAs, launchChromium, openAs, SIZES } from './session.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const SHOTS = join(ROOT, 'test-output', 'screenshots');
const DOCS_SHOTS = join(ROOT, 'docs', 'screenshots');
const FORBIDDEN = [/\bbox(es)?\b/i, /\boutbox\b/i, /\bseq\b/i, /\bdevice\b/i, /\btracking\b/i];

let hub: TestHub;
let browser: Browser;
let admin: Awaited<ReturnType<typeof apiAs>>;
const errors: string[] = [];

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  if (process.env.UPDATE_SCREENSHOTS) mkdirSync(DOCS_SHOTS, { recursive: true });
  buildDashboardIfStale();
  hub = await startTestHub();
  admin = await apiAs(hub.url, hub.admin);
  browser = await launchChromium();
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await hub?.stop();
}, 60_000);

async function download(p: Page, testId: string): Promise<{ name: string; bytes: Buffer }> {
  const [file] = await Promise.all([
    p.waitForEvent('download', { timeout: 120_000 }),
    p.click(`[data-testid=${testId}]`),
  ]);
  const path = await file.path();
  return { name: file.suggestedFilename(), bytes: readFileSync(path) };
}

describe('Reports page', () => {
  for (const size of SIZES) {
    it(`adds a weekly report and downloads the preview (${size.name})`, async () => {
      const stores = await admin<{ id: string; name: string }[]>('GET', '/api/stores');
      const demo = stores.find((s) => s.id === 'demo-store')!;
      const p = await openAs(browser, hub.url, hub.admin, size, errors);
      await p.goto(`${hub.url}/reports`);
      await p.waitForSelector('[data-testid=schedule-form]');
      await p.waitForSelector('[data-testid=schedule-store] option[value=demo-store]', { state: 'attached' });

      const address = `owner-${size.name}@example.com`;
      await p.selectOption('[data-testid=schedule-store]', 'demo-store');
      await p.selectOption('[data-testid=schedule-period]', 'weekly');
      await p.fill('[data-testid=schedule-recipients]', address);
      await p.click('[data-testid=schedule-create]');
      const row = p.locator('[data-testid=schedule-row]', { hasText: address });
      await row.waitFor({ timeout: 30_000 });
      expect(await row.textContent()).toContain('Every week');
      expect(await row.textContent()).toContain(demo.name);
      const listed = await admin<{ storeId: string; period: string; recipients: string[] }[]>(
        'GET',
        '/api/reports/schedules',
      );
      expect(listed).toContainEqual(
        expect.objectContaining({ storeId: 'demo-store', period: 'weekly', recipients: [address] }),
      );

      await p.selectOption('[data-testid=preview-store]', 'demo-store');
      await p.selectOption('[data-testid=preview-period]', 'weekly');
      const xlsx = await download(p, 'download-xlsx');
      expect(xlsx.name).toMatch(/-\d{4}-\d{2}-\d{2}-to-\d{4}-\d{2}-\d{2}\.xlsx$/);
      const wb = new ExcelJS.Workbook();
      await wb.xlsx.load(xlsx.bytes as unknown as ArrayBuffer);
      expect(wb.getWorksheet('Summary')!.getCell('A5').value).toBe(demo.name);
      const pdf = await download(p, 'download-pdf');
      expect(pdf.name).toMatch(/\.pdf$/);
      expect(pdf.bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');

      const text = (await p.textContent('[data-testid=reports-page]')) ?? '';
      for (const word of FORBIDDEN) expect(text).not.toMatch(word);
      if (!size.phone) {
        await p.evaluate(() => window.scrollTo(0, 0));
        await p.screenshot({ path: join(SHOTS, 'reports.png'), fullPage: true });
        if (process.env.UPDATE_SCREENSHOTS)
          copyFileSync(join(SHOTS, 'reports.png'), join(DOCS_SHOTS, 'reports.png'));
      }
      await p.context().close();
      expect(errors).toEqual([]);
    }, 240_000);
  }
});
