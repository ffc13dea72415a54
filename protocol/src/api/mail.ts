/**
 * The SMTP server the hub sends alerts and reports through, as an administrator sets it. The password
 * is write-only: answers say only whether one is set.
 */
import { type Static, Type } from '@sinclair/typebox';

export const SmtpSecurity = Type.Union([
  /** TLS from the first byte (usually port 465). */
  Type.Literal('tls'),
  /** Plain connection upgraded with STARTTLS, which is then required (usually port 587). */
  Type.Literal('starttls'),
  /** No encryption: only for a relay on the same machine or network. */
  Type.Literal('none'),
]);
export type SmtpSecurity = Static<typeof SmtpSecurity>;

const Fields = {
  host: Type.String({ minLength: 1, maxLength: 253 }),
  port: Type.Integer({ minimum: 1, maximum: 65535 }),
  security: SmtpSecurity,
  /** Sign-in name at the server; empty when it needs none. */
  user: Type.String({ maxLength: 320 }),
  /** The sender address people see. */
  from: Type.String({ format: 'email', maxLength: 320 }),
};

/** What the hub answers: never the password; before a server is set, `host` and `from` are empty. */
export const EmailSettings = Type.Object({
  configured: Type.Boolean(),
  ...Fields,
  host: Type.String({ maxLength: 253 }),
  from: Type.String({ maxLength: 320 }),
  passwordSet: Type.Boolean(),
});
export type EmailSettings = Static<typeof EmailSettings>;

/** What an administrator sends; a missing password keeps the stored one, `null` removes it. */
export const EmailSettingsBody = Type.Object({
  ...Fields,
  password: Type.Optional(Type.Union([Type.String({ maxLength: 1000 }), Type.Null()])),
});
export type EmailSettingsBody = Static<typeof EmailSettingsBody>;

/** One message to send. */
export interface MailMessage {
  to: string[];
  subject: string;
  text: string;
  html?: string;
  attachments?: { filename: string; content: Uint8Array; contentType: string }[];
}
