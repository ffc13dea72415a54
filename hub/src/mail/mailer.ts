/**
 * Sends e-mail through the SMTP server an administrator set (nodemailer). The settings are read at
 * each send, so a change on the settings page takes effect at once on every hub process.
 */
import type { MailMessage } from '@oskartrack/protocol';
import nodemailer from 'nodemailer';
import type { HubSettingsRepository } from '../db/repositories/settings.ts';
import { loadEmailSettings, type StoredEmailSettings } from './settings.ts';

export interface Mailer {
  /** Sends one message; rejects with words an administrator can act on. */
  send(message: MailMessage): Promise<void>;
  /** Whether an SMTP server is set at all. */
  configured(): Promise<boolean>;
}

export class EmailNotSetUpError extends Error {
  constructor() {
    super(
      'e-mail is not set up: an administrator enters the mail server on the Reports page (E-mail server), then tries again',
    );
  }
}

function transportOf(s: StoredEmailSettings) {
  return nodemailer.createTransport({
    host: s.host,
    port: s.port,
    secure: s.security === 'tls',
    requireTLS: s.security === 'starttls',
    ignoreTLS: s.security === 'none',
    ...(s.user ? { auth: { user: s.user, pass: s.password ?? '' } } : {}),
    connectionTimeout: 20_000,
    greetingTimeout: 20_000,
    socketTimeout: 60_000,
  });
}

/** Words for a failed send, never the password. */
function explain(err: unknown, s: StoredEmailSettings): Error {
  const code = (err as { code?: string }).code;
  const where = `${s.host}:${s.port}`;
  if (code === 'EAUTH')
    return new Error(
      `the mail server ${where} refused the user name or password: check them on the Reports page (E-mail server)`,
    );
  if (code === 'ECONNECTION' || code === 'ETIMEDOUT' || code === 'ESOCKET' || code === 'EDNS')
    return new Error(
      `could not reach the mail server ${where} (${(err as Error).message}): check its address, port and security`,
    );
  return new Error(`the mail server ${where} did not take the message: ${(err as Error).message}`);
}

export function createMailer(settings: HubSettingsRepository): Mailer {
  return {
    async configured() {
      return (await loadEmailSettings(settings)) !== null;
    },
    async send(message) {
      const s = await loadEmailSettings(settings);
      if (!s) throw new EmailNotSetUpError();
      const transport = transportOf(s);
      try {
        await transport.sendMail({
          from: s.from,
          to: message.to,
          subject: message.subject,
          text: message.text,
          ...(message.html ? { html: message.html } : {}),
          attachments: (message.attachments ?? []).map((a) => ({
            filename: a.filename,
            content: Buffer.from(a.content),
            contentType: a.contentType,
          })),
        });
      } catch (err) {
        throw explain(err, s);
      } finally {
        transport.close();
      }
    },
  };
}
