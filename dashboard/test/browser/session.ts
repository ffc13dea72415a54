/**
 * Browser test pieces: Chromium (Debian's, through playwright-core), the two window sizes every owner
 * page is tried at, signing in, and calls to the hub's API with a user's token.
 */
import { type Browser, chromium, type Page } from 'playwright-core';

export interface WindowSize {
  name: 'phone' | 'desktop';
  width: number;
  height: number;
  phone: boolean;
}

export const SIZES: readonly WindowSize[] = [
  { name: 'phone', width: 390, height: 844, phone: true },
  { name: 'desktop', width: 1366, height: 900, phone: false },
];

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

export async function signIn(
  p: Page,
  hubUrl: string,
  user: { name: string; password: string },
): Promise<void> {
  await p.goto(`${hubUrl}/login`);
  await p.fill('input[name=name]', user.name);
  await p.fill('input[name=password]', user.password);
  await p.click('button[type=submit]');
  await p.waitForSelector('[data-testid=who]', { state: 'attached' });
}

/** A new window of this size, signed in; its page errors are added to `errors`. */
export async function openAs(
  browser: Browser,
  hubUrl: string,
  user: { name: string; password: string },
  size: WindowSize,
  errors: string[],
): Promise<Page> {
  const context = await browser.newContext({
    viewport: { width: size.width, height: size.height },
    ...(size.phone ? { isMobile: true, hasTouch: true } : {}),
  });
  const p = await context.newPage();
  p.on('pageerror', (err) => errors.push(`${size.name}: ${err.message}`));
  await signIn(p, hubUrl, user);
  return p;
}

/** The hub's API as one user. */
export async function apiAs(hubUrl: string, user: { name: string; password: string }) {
  const login = await fetch(`${hubUrl}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(user),
  });
  if (!login.ok) throw new Error(`signing in as ${user.name}: ${login.status} ${await login.text()}`);
  const token = ((await login.json()) as { accessToken: string }).accessToken;
  return async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const res = await fetch(hubUrl + path, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body ? { 'content-type': 'application/json' } : {}),
      },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
    return (res.status === 204 ? undefined : await res.json()) as T;
  };
}

/** The text of the option a `<select>` shows. */
export function shownOption(p: Page, selector: string): Promise<string> {
  return p.$eval(selector, (s) => (s as HTMLSelectElement).selectedOptions[0]?.textContent?.trim() ?? '');
}
