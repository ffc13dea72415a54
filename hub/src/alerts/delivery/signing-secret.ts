/**
 * The hub's webhook signing secret (hub setting `webhook-signing-secret`): 32 random bytes as hex,
 * made at first use (the first insert wins when several hub processes race), replaced on rotation.
 * Read at every send, so a rotation reaches every hub process at once.
 */
import { randomBytes } from 'node:crypto';
import { eq } from 'drizzle-orm';
import type { Db } from '../../db/database.ts';
import { hubSettings } from '../../db/schema.ts';

export const WEBHOOK_SECRET_SETTING = 'webhook-signing-secret';

function fresh(): { secret: string } {
  return { secret: randomBytes(32).toString('hex') };
}

function secretOf(value: unknown): string | undefined {
  const s = (value as { secret?: unknown } | null | undefined)?.secret;
  return typeof s === 'string' && /^[0-9a-f]{64}$/.test(s) ? s : undefined;
}

async function read(db: Db): Promise<string | undefined> {
  const [row] = await db
    .select({ value: hubSettings.value })
    .from(hubSettings)
    .where(eq(hubSettings.key, WEBHOOK_SECRET_SETTING));
  return secretOf(row?.value);
}

/** The secret, made now when there is none (or the stored one is unreadable). */
export async function webhookSecret(db: Db): Promise<string> {
  const known = await read(db);
  if (known) return known;
  await db
    .insert(hubSettings)
    .values({ key: WEBHOOK_SECRET_SETTING, value: fresh() })
    .onConflictDoNothing({ target: hubSettings.key });
  const made = await read(db);
  if (made) return made;
  return rotateWebhookSecret(db); // a stored value that is not a secret: replace it
}

/** A new secret; receivers must be given it (signatures with the old one stop at once). */
export async function rotateWebhookSecret(db: Db): Promise<string> {
  const value = fresh();
  const now = new Date();
  await db
    .insert(hubSettings)
    .values({ key: WEBHOOK_SECRET_SETTING, value, updatedAt: now })
    .onConflictDoUpdate({ target: hubSettings.key, set: { value, updatedAt: now } });
  return value.secret;
}
