/**
 * The store's recordings device (`upload-<storeId>`), under which uploaded recordings' events are
 * stored, and its sequence numbers.
 *
 * Why a counter here and not a box's outbox: the outbox exists to keep events across a network and
 * a restart until the hub confirms them; an upload's events are stored by this process
 * (recording-store.ts) and awaited, so nothing waits to be sent again, and a job cut off midway is
 * failed (upload it again). The seqs are one counter per recordings device, continuing after the
 * highest used, kept in the database (`device_progress.next_recording_seq`) and moved by one
 * statement per batch: every job and every hub process storing recordings of the same store takes a
 * disjoint range, so the database's rule (each seq of a device stored once) holds as for a box. The
 * upload worker numbers nothing (a killed worker would take its numbers with it). Every event also
 * carries its upload's id: the seqs only keep the device's events apart, the id says which upload.
 */
import { ConflictError } from '../db/errors.ts';
import { type Repositories, recordingsDeviceId } from '../db/repositories/index.ts';

export class RecordingsDevices {
  constructor(private readonly repos: Repositories) {}

  /** The store's recordings device, created on first use (with no MQTT credential: no box logs in as it). */
  async ensure(storeId: string): Promise<string> {
    const id = recordingsDeviceId(storeId);
    const existing = await this.repos.devices.find(id);
    if (existing) {
      if (existing.storeId !== storeId) throw new Error(`device ${id} belongs to another store`);
      return id;
    }
    try {
      await this.repos.devices.create({ id, storeId, name: 'Uploaded recordings' });
    } catch (err) {
      if (!(err instanceof ConflictError)) throw err;
    }
    return id;
  }

  /**
   * Takes `n` consecutive seqs of the device, after the highest it used (stored events, dead letters
   * and the acknowledged point); returns the first. Reserved in the database, not counted here: two
   * hub processes counting uploads of one store at once get disjoint ranges.
   */
  takeSeqs(deviceId: string, n: number): Promise<number> {
    return this.repos.uploads.reserveSeqs(deviceId, n);
  }
}
