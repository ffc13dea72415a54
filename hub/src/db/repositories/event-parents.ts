/**
 * The rows an insert into `tracking_events` refers to, locked once per batch (FOR KEY SHARE, what a
 * foreign key check takes per row): the device and its store, the cameras the events name, the
 * recording. A delete of any of them waits for the inserting transaction, and its cascade trigger
 * (migration 0013) then removes the new events too; so no event outlives its parents.
 */
import type { SequencedEvent } from '@oskartrack/protocol';
import { and, asc, eq, sql } from 'drizzle-orm';
import { type Db, queryRows } from '../database.ts';
import { NotFoundError } from '../errors.ts';
import { cameras, devices, stores } from '../schema.ts';

/** Locks the parents of `events` and returns each named camera's store; throws NotFoundError. */
export async function lockParents(
  tx: Db,
  deviceId: string,
  events: readonly SequencedEvent[],
  uploadId: string | null,
): Promise<Map<string, string>> {
  const [device] = await lockDevice(tx).execute({ id: deviceId });
  if (!device) throw new NotFoundError('device', deviceId);
  const named = [...new Set(events.map((e) => e.event.cameraId))];
  const storeOf = new Map<string, string>();
  if (named.length > 0) {
    const found = await lockCameras(tx).execute({ store: device.storeId, ids: JSON.stringify(named) });
    for (const c of found) storeOf.set(c.id, device.storeId);
    const missing = named.find((id) => !storeOf.has(id));
    if (missing !== undefined) throw new NotFoundError('camera', missing);
  }
  if (uploadId !== null) {
    const [job] = await queryRows(tx, sql`SELECT 1 FROM upload_jobs WHERE id = ${uploadId} FOR KEY SHARE`);
    if (!job) throw new NotFoundError('upload', uploadId);
  }
  return storeOf;
}

/** Both locks are prepared under a name: every ingest transaction runs them, planned once per connection. */
function lockDevice(tx: Db) {
  return tx
    .select({ storeId: devices.storeId })
    .from(devices)
    .innerJoin(stores, eq(stores.id, devices.storeId))
    .where(eq(devices.id, sql.placeholder('id')))
    .for('key share', { of: [devices, stores] })
    .prepare('lock_device_store');
}

/** The store's cameras among `ids` (a JSON array), in id order so concurrent transactions agree. */
function lockCameras(tx: Db) {
  return tx
    .select({ id: cameras.id })
    .from(cameras)
    .where(
      and(
        eq(cameras.storeId, sql.placeholder('store')),
        sql`${cameras.id} IN (SELECT json_array_elements_text(${sql.placeholder('ids')}::json))`,
      ),
    )
    .orderBy(asc(cameras.id))
    .for('key share')
    .prepare('lock_cameras');
}
