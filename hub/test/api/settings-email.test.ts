/**
 * `/api/settings/email` against a real SMTP server (smtp-server): saved, the password never answered,
 * a test message that arrives, a wrong password (502 with words), nothing set up (400).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSmtp, type TestSmtp } from '../mail/smtp-server.ts';
import { type Fixture, openFixture } from './fixture.ts';

let f: Fixture;
let smtp: TestSmtp;

beforeAll(async () => {
  f = await openFixture('postgres');
  smtp = await startTestSmtp();
});
afterAll(async () => {
  await smtp?.close();
  await f?.close();
});

const sendTest = (token: string, to = 'owner@shop.example') =>
  f.inject(token, { method: 'POST', url: '/api/settings/email/test', payload: { to } });

describe('e-mail settings', () => {
  it('before anything is set: not configured, and a test message is refused with 400 and words', async () => {
    const get = await f.inject(f.tokens.admin, { method: 'GET', url: '/api/settings/email' });
    expect(get.statusCode).toBe(200);
    expect(get.json()).toMatchObject({ configured: false, passwordSet: false });
    const test = await sendTest(f.tokens.admin);
    expect(test.statusCode).toBe(400);
    expect(test.json().message).toMatch(/not set up.*E-mail server/);
    expect(smtp.received).toHaveLength(0);
  });

  it('saves the server and never answers the password', async () => {
    const put = await f.inject(f.tokens.admin, {
      method: 'PUT',
      url: '/api/settings/email',
      payload: smtp.settings(),
    });
    expect(put.statusCode).toBe(200);
    expect(put.body).not.toContain(smtp.password);
    expect(put.json()).toMatchObject({
      configured: true,
      port: smtp.port,
      user: smtp.user,
      passwordSet: true,
    });
    expect(put.json()).not.toHaveProperty('password');
    const get = await f.inject(f.tokens.admin, { method: 'GET', url: '/api/settings/email' });
    expect(get.body).not.toContain(smtp.password);
    expect(get.json()).toMatchObject({ configured: true, host: '127.0.0.1', passwordSet: true });
  });

  it('keeps the password for the same server only: never sends it to a new address', async () => {
    const { password: _, ...withoutPassword } = smtp.settings();
    const put = (payload: Record<string, unknown>) =>
      f.inject(f.tokens.admin, { method: 'PUT', url: '/api/settings/email', payload });
    expect((await put(withoutPassword)).json()).toMatchObject({ passwordSet: true });
    const moved = await put({ ...withoutPassword, host: 'mail.elsewhere.example' });
    expect(moved.json()).toMatchObject({ host: 'mail.elsewhere.example', passwordSet: false });
    // Back to the real server, with its password again, for the tests below.
    expect((await put(smtp.settings())).json()).toMatchObject({ host: '127.0.0.1', passwordSet: true });
  });

  it('sends a test message that arrives with its subject', async () => {
    const res = await sendTest(f.tokens.admin, 'test-to@shop.example');
    expect(res.statusCode).toBe(204);
    const mail = smtp.received.at(-1);
    expect(mail?.subject).toBe('OskarTrack test message');
    expect(mail?.to).toEqual(['test-to@shop.example']);
  });

  it('a wrong password: 502 saying to check the user name and password, not the password', async () => {
    const put = await f.inject(f.tokens.admin, {
      method: 'PUT',
      url: '/api/settings/email',
      payload: smtp.settings('wrong-password-77'),
    });
    expect(put.statusCode).toBe(200);
    const before = smtp.received.length;
    const res = await sendTest(f.tokens.admin);
    expect(res.statusCode).toBe(502);
    expect(res.json().message).toMatch(
      /refused the user name or password: check them on the Reports page \(E-mail server\)/,
    );
    expect(res.body).not.toContain('wrong-password-77');
    expect(smtp.received.length).toBe(before);
  });

  it('is for administrators only', async () => {
    for (const token of [f.tokens.managerA, f.tokens.viewerA]) {
      expect((await f.inject(token, { method: 'GET', url: '/api/settings/email' })).statusCode).toBe(403);
      expect((await sendTest(token)).statusCode).toBe(403);
    }
  });
});
