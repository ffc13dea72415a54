/** The SMTP settings kept in the hub's settings table (every hub process reads the same). */
import { check, type EmailSettings, EmailSettingsBody } from '@oskartrack/protocol';
import { Type } from '@sinclair/typebox';
import type { HubSettingsRepository } from '../db/repositories/settings.ts';

export const EMAIL_SETTING = 'email';

/** As stored: the fields and the password (the database is the hub's own). */
export interface StoredEmailSettings extends Omit<EmailSettingsBody, 'password'> {
  password: string | null;
}

const Stored = Type.Object({
  ...Type.Omit(EmailSettingsBody, ['password']).properties,
  password: Type.Union([Type.String(), Type.Null()]),
});

export async function loadEmailSettings(repo: HubSettingsRepository): Promise<StoredEmailSettings | null> {
  const r = check(Stored, await repo.get(EMAIL_SETTING));
  return r.ok ? r.value : null;
}

/**
 * Saves what the administrator sent; a password left out keeps the one stored before, but only for the
 * same server and user: the password is never sent to a server it was not given for.
 */
export async function saveEmailSettings(
  repo: HubSettingsRepository,
  body: EmailSettingsBody,
): Promise<StoredEmailSettings> {
  const before = await loadEmailSettings(repo);
  const { password, ...fields } = body;
  const stored: StoredEmailSettings = {
    ...fields,
    password: password === undefined ? keptPassword(before, fields) : password,
  };
  await repo.set(EMAIL_SETTING, stored);
  return stored;
}

function keptPassword(
  before: StoredEmailSettings | null,
  next: Omit<StoredEmailSettings, 'password'>,
): string | null {
  const same = before && before.host === next.host && before.port === next.port && before.user === next.user;
  return same ? before.password : null;
}

/** The answer for the settings page: no password, only whether one is set. */
export function emailSettingsView(s: StoredEmailSettings | null): EmailSettings {
  if (!s)
    return {
      configured: false,
      host: '',
      port: 587,
      security: 'starttls',
      user: '',
      from: '',
      passwordSet: false,
    };
  const { password, ...fields } = s;
  return { configured: true, ...fields, passwordSet: password !== null && password !== '' };
}
