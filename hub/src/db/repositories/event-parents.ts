/**
 * The rows an insert into `tracking_events` refers to, locked once per batch (FOR KEY SHARE, what a
 * foreign key check takes per row): the device and its store, the cameras the events name, the
 * recording. A delete of any of them waits for the inserting transaction, and its cascade trigger
 * (migration 0013) then removes the new events too; so no event outlives its parents.
 */
import type { SequencedEvent } from '@oskartrack/protocol';
import { sql } from 'drizzle-orm';
import { type Db, queryRows } from '../database.ts';
import { NotFoundError } from '../errors.ts';

/** Locks the parents of `events` and returns each named camera's store; throws NotFoundError. */
export async function lockParents(
  tx: Db,
  deviceId: string,
  events: readonly SequencedEvent[],
  uploadId: string | null,
): Promise<Map<string, string>> {
  const [device] = await queryRows<{ store_id: string }>(
    tx,
    sql`SELECT d.store_id FROM devices d JOIN stores s ON s.id = d.store_id
        WHERE d.id = ${deviceId} FOR KEY SHARE OF d, s`,
  );
  if (!device) throw new NotFoundError('device', deviceId);
  const named = [...new Set(events.map((e) => e.event.cameraId))];
  const storeOf = new Map<string, string>();
  if (named.length > 0) {
    const found = await queryRows<{ id: string }>(
      tx,
      sql`SELECT id FROM cameras WHERE store_id = ${device.store_id}
          AND id IN (SELECT jsonb_array_elements_text(${JSON.stringify(named)}::jsonb)) ORDER BY id FOR KEY SHARE`,
    );
    for (const c of found) storeOf.set(c.id, device.store_id);
    const missing = named.find((id) => !storeOf.has(id));
    if (missing !== undefined) throw new NotFoundError('camera', missing);
  }
  if (uploadId !== null) {
    const [job] = await queryRows(tx, sql`SELECT 1 FROM upload_jobs WHERE id = ${uploadId} FOR KEY SHARE`);
    if (!job) throw new NotFoundError('upload', uploadId);
  }
  return storeOf;
}
