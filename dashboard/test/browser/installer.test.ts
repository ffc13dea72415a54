/**
 * The installer's pages in real Chromium, on a desktop (1366x900) and a phone (390x844), against the
 * real hub with the demo box: adding and changing a camera (with the hub's refusals in words and the
 * box's picture), the enrollment command with the hub's address and the code, copied; box health; a
 * store's time zone chosen from the list; and changing one's own password, then signing in with it.
 */
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDashboardIfStale, startTestHub, type TestHub } from './hub.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const SHOTS = join(ROOT, 'test-output', 'screenshots');
const DOCS_SHOTS = join(ROOT, 'docs', 'screenshots');

let hub: TestHub;
let browser: Browser;
let token = '';
const errors: string[] = [];

async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(hub.url + path, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return (res.status === 204 ? undefined : await res.json()) as T;
}

async function shot(p: Page, name: string): Promise<void> {
  await p.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
  if (process.env.UPDATE_SCREENSHOTS)
    copyFileSync(join(SHOTS, `${name}.png`), join(DOCS_SHOTS, `${name}.png`));
}

async function signIn(p: Page, name: string, password: string): Promise<void> {
  await p.goto(`${hub.url}/login`);
  await p.fill('input[name=name]', name);
  await p.fill('input[name=password]', password);
  await p.click('button[type=submit]');
  await p.waitForSelector('[data-testid=who]', { state: 'attached' });
}

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  if (process.env.UPDATE_SCREENSHOTS) mkdirSync(DOCS_SHOTS, { recursive: true });
  buildDashboardIfStale();
  hub = await startTestHub();
  const login = await fetch(`${hub.url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(hub.admin),
  });
  token = ((await login.json()) as { accessToken: string }).accessToken;
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
}, 60_000);

const SIZES = [
  { size: 'desktop', width: 1366, height: 900, mobile: false },
  { size: 'phone', width: 390, height: 844, mobile: true },
] as const;

describe.each(SIZES)('installer pages on a $size ($width x $height)', (v) => {
  let page: Page;
  let storeId = '';
  beforeAll(async () => {
    const store = await api<{ id: string }>('POST', '/api/stores', {
      name: `Corner shop ${v.size}`,
      timezone: 'UTC',
    });
    storeId = store.id;
    const context = await browser.newContext({
      viewport: { width: v.width, height: v.height },
      isMobile: v.mobile,
      hasTouch: v.mobile,
    });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: hub.url });
    page = await context.newPage();
    page.on('pageerror', (err) => errors.push(`${v.size}: ${err.message}`));
    await signIn(page, hub.admin.name, hub.admin.password);
    await page.goto(`${hub.url}/stores`);
    await page.waitForSelector(`[data-testid=cameras-${storeId}]`);
  }, 60_000);
  afterAll(async () => page?.context().close());

  it('adds a camera, says what is wrong in words, changes it and lists it', async () => {
    const cams = page.locator(`[data-testid=cameras-${storeId}]`);
    await cams.locator('[data-testid=add-camera]').click();
    const editor = cams.locator('[data-testid=camera-editor]');
    await editor.locator('input[name=camera-name]').fill('Back door');
    await editor.locator('input[name=camera-source]').fill('192.168.1.20');
    await editor.locator('[data-testid=save-camera]').click();
    await expect(editor.getByRole('alert').textContent()).resolves.toMatch(/starts with rtsp:\/\//);
    // The hub's own refusal (a link-local address), shown as it words it.
    await editor.locator('input[name=camera-source]').fill('rtsp://169.254.169.254/stream');
    await editor.locator('[data-testid=save-camera]').click();
    await expect(editor.getByRole('alert').textContent()).resolves.toMatch(
      /link-local|not allowed|refused|169\.254/i,
    );
    await editor.locator('input[name=camera-source]').fill('rtsp://192.168.1.20:554/stream1');
    await editor.locator('input[name=camera-fps]').fill('12.5');
    await editor.locator('[data-testid=save-camera]').click();
    // Saved: the editor stays open on the new camera.
    await cams.locator('[data-testid=camera-editor] h3 >> text=Change camera Back door').waitFor();
    await cams.locator('[data-testid=cameras-table] >> text=Back door').waitFor();
    await expect(cams.locator('[data-testid=detector] input[value=hog]').isChecked()).resolves.toBe(true);

    await cams.locator('tr:has-text("Back door") [data-testid=edit-camera]').click();
    await editor.locator('input[name=camera-name]').fill('Back door (yard)');
    await editor.locator('input[name=source-kind][value=webcam]').check();
    await editor.locator('input[name=camera-source]').fill('1');
    await editor.locator('input[name=camera-fps]').fill('');
    // This camera its own detector; every other camera keeps the shared one.
    await editor.locator('input[name=detector-scope][value=own]').check();
    await editor.locator('[data-testid=detector] input[value=yolox]').check();
    await editor.locator('[data-testid=save-camera]').click();
    await cams.locator('[data-testid=camera-editor]').waitFor({ state: 'detached' });
    const row = cams.locator('tr:has-text("Back door (yard)")');
    await expect(row.textContent()).resolves.toMatch(/Webcam on the box:\s*1.*as sent/);
    const listed = await api<
      { name: string; source: string; fps: number | null; detector: { kind: string } | null }[]
    >('GET', `/api/cameras?storeId=${storeId}`);
    expect(listed).toEqual([expect.objectContaining({ name: 'Back door (yard)', source: '1', fps: null })]);
    expect(listed[0]?.detector?.kind).toBe('yolox');
    await expect(api<{ kind: string }>('GET', '/api/settings/detector')).resolves.toMatchObject({
      kind: 'hog',
    });
  }, 90_000);

  it("shows a camera's current picture from its box, and the box's health", async () => {
    const cams = page.locator('[data-testid=cameras-demo-store]');
    await cams.locator('[data-testid=camera-row-demo-camera] [data-testid=edit-camera]').click();
    await cams.locator('[data-testid=camera-preview] img').waitFor({ timeout: 60_000 });
    // The camera check sits under the picture (camera-check.test.tsx runs it).
    await cams.locator('[data-testid=camera-check-run]').waitFor();
    await page.locator('[data-testid=box-health-demo-box] >> text=connected').waitFor({ timeout: 60_000 });
    await page
      .locator('[data-testid=camera-health-demo-camera] >> text=picture OK')
      .waitFor({ timeout: 60_000 });
    await shot(page, `installer-camera-${v.size}`);
    await cams.locator('[data-testid=camera-editor] button >> text=Cancel').click();
  }, 90_000);

  it('shows the whole enrollment command with the hub address and the code, ready to copy', async () => {
    await page.locator(`[data-testid=boxes-${storeId}] [data-testid=new-code]`).click();
    const command = page.locator(`[data-testid=boxes-${storeId}] [data-testid=enroll-command]`);
    await command.waitFor();
    const text = (await command.textContent())?.trim() ?? '';
    expect(text).toMatch(
      new RegExp(`^npx --no oskartrack-agent enroll --hub ${hub.url} --code [A-Za-z0-9-]+$`),
    );
    // The hub runs on 127.0.0.1 without --public-url: the page says the address works only there.
    await expect(
      page.locator(`[data-testid=boxes-${storeId}] [data-testid=hub-url-warning]`).textContent(),
    ).resolves.toMatch(/--public-url/);
    await page.locator(`[data-testid=boxes-${storeId}] [data-testid=copy-command]`).click();
    // Copying is asynchronous (the clipboard's promise): wait for the page to say how it went.
    await page
      .locator(`[data-testid=boxes-${storeId}] [data-testid=copy-state]`)
      .filter({ hasText: /Copied|Selected/ })
      .waitFor({ timeout: 30_000 });
    const taken = await page.evaluate(async () => ({
      clipboard: await navigator.clipboard.readText().catch(() => ''),
      selection: window.getSelection()?.toString() ?? '',
    }));
    expect([taken.clipboard.trim(), taken.selection.trim()]).toContain(text);
    await page
      .locator(`[data-testid=boxes-${storeId}] [data-testid=enrollment-code]`)
      .scrollIntoViewIfNeeded();
    await shot(page, `installer-enroll-${v.size}`);
  }, 60_000);

  it('picks a time zone from the list and explains a name that is not one', async () => {
    const row = page.locator(`[data-testid=store-row-${storeId}]`);
    await row.locator('button >> text=UTC').click();
    const input = row.locator('input[name=store-timezone]');
    await input.fill('London');
    await expect(row.locator('[data-testid=tz-problem]').textContent()).resolves.toContain('Europe/London');
    // The list the picker offers is the browser's own, and holds the zone.
    const offered = await row
      .locator('datalist option')
      .evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value));
    expect(offered).toContain('Europe/London');
    await input.fill('europe/london');
    await input.dispatchEvent('change');
    await row.locator('[data-testid=save-timezone]').click();
    await row.locator('button >> text=Europe/London').waitFor();
    expect((await api<{ timezone: string }>('GET', `/api/stores/${storeId}`)).timezone).toBe('Europe/London');
  }, 60_000);

  it('changes your own password, then signs in with the new one', async () => {
    const user = { name: `pw-${v.size}`, password: 'first-password-2025' };
    await api('POST', '/api/users', { ...user, role: 'viewer', storeIds: ['demo-store'] });
    const context = await browser.newContext({
      viewport: { width: v.width, height: v.height },
      isMobile: v.mobile,
      hasTouch: v.mobile,
    });
    const p = await context.newPage();
    p.on('pageerror', (err) => errors.push(`${v.size} viewer: ${err.message}`));
    await signIn(p, user.name, user.password);
    if (v.mobile) await p.click('.menu-button');
    await p.click('nav.sidebar a >> text=Your account');
    const form = p.locator('[data-testid=change-password]');
    await form.locator('input[name=current-password]').fill('not-my-password');
    await form.locator('input[name=new-password]').fill('second-password-2025');
    await form.locator('input[name=new-password-again]').fill('second-password-2025');
    await form.locator('button[type=submit]').click();
    await expect(form.getByRole('alert').textContent()).resolves.toMatch(/current password is wrong/);
    // Still signed in after a wrong current password.
    expect(p.url()).toMatch(/\/account$/);
    await form.locator('input[name=current-password]').fill(user.password);
    await form.locator('button[type=submit]').click();
    await form.locator('[data-testid=password-changed]').waitFor();
    await shot(p, `installer-password-${v.size}`);
    await p.click('button >> text=Sign out');
    await p.waitForURL(/\/login/);
    await p.fill('input[name=name]', user.name);
    await p.fill('input[name=password]', user.password);
    await p.click('button[type=submit]');
    await expect(p.getByRole('alert').textContent()).resolves.toContain('Wrong user name or password.');
    await signIn(p, user.name, 'second-password-2025');
    await context.close();
    expect(errors).toEqual([]);
  }, 90_000);
});
