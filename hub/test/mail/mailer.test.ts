/** The mailer against a real SMTP server (smtp-server) and settings in a real database. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMailer, EmailNotSetUpError } from '../../src/mail/mailer.ts';
import { saveEmailSettings } from '../../src/mail/settings.ts';
import { openTestDatabase, type TestDatabase } from '../db/backends.ts';
import { startTestSmtp, type TestSmtp } from './smtp-server.ts';

let t: TestDatabase;
let smtp: TestSmtp;

beforeAll(async () => {
  t = await openTestDatabase('postgres');
  smtp = await startTestSmtp();
});
afterAll(async () => {
  await smtp?.close();
  await t?.close();
});

describe('mailer', () => {
  it('refuses to send before e-mail is set up, saying where to set it', async () => {
    const mailer = createMailer(t.repos.settings);
    expect(await mailer.configured()).toBe(false);
    const sent = mailer.send({ to: ['a@shop.example'], subject: 'x', text: 'y' });
    await expect(sent).rejects.toBeInstanceOf(EmailNotSetUpError);
    await expect(sent).rejects.toThrow(/E-mail server/);
  });

  it('sends through the saved server: the message arrives with its subject, sender and text', async () => {
    await saveEmailSettings(t.repos.settings, smtp.settings());
    const mailer = createMailer(t.repos.settings);
    expect(await mailer.configured()).toBe(true);
    const before = smtp.received.length;
    await mailer.send({ to: ['owner@shop.example'], subject: 'Weekly numbers', text: 'Hello from the hub' });
    const mail = smtp.received[before];
    expect(mail?.subject).toBe('Weekly numbers');
    expect(mail?.to).toEqual(['owner@shop.example']);
    expect(mail?.from).toBe('oskartrack@hub.example');
    expect(mail?.body).toContain('Hello from the hub');
  });

  it('keeps the stored password when the settings are saved again without one', async () => {
    const { password: _none, ...withoutPassword } = smtp.settings();
    await saveEmailSettings(t.repos.settings, withoutPassword);
    const before = smtp.received.length;
    await createMailer(t.repos.settings).send({ to: ['b@shop.example'], subject: 'Again', text: 'z' });
    expect(smtp.received[before]?.subject).toBe('Again');
  });

  it('a wrong password: words about the user name or password, never the password', async () => {
    await saveEmailSettings(t.repos.settings, smtp.settings('not-the-password-42'));
    const before = smtp.received.length;
    const err = await createMailer(t.repos.settings)
      .send({ to: ['c@shop.example'], subject: 'Nope', text: 'z' })
      .then(
        () => undefined,
        (e: unknown) => e as Error,
      );
    expect(err?.message).toMatch(
      /refused the user name or password: check them on the Reports page \(E-mail server\)/,
    );
    expect(err?.message).not.toContain('not-the-password-42');
    expect(smtp.received.length).toBe(before);
  });

  it('a server that is not there: words about reaching it', async () => {
    const gone = await startTestSmtp();
    await gone.close(); // its port is now closed
    await saveEmailSettings(t.repos.settings, gone.settings());
    await expect(
      createMailer(t.repos.settings).send({ to: ['d@shop.example'], subject: 'x', text: 'y' }),
    ).rejects.toThrow(new RegExp(`could not reach the mail server 127\\.0\\.0\\.1:${gone.port}`));
  });
});
