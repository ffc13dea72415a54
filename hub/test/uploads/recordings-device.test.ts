/**
 * The recordings device's seqs continue after every seq the device used: stored events, dead letters
 * and the acknowledged point that stays when retention deletes the events below it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RecordingsDevices } from '../../src/uploads/recordings-device.ts';
import { BACKENDS, openTestDatabase, seedStore, type TestDatabase } from '../db/backends.ts';

const T0 = Date.parse('2025-06-02T09:00:00Z');

describe.each(BACKENDS)('recordings device on %s', (kind) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await openTestDatabase(kind);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('numbers from 1 on a new device, in disjoint ranges', async () => {
    const { store } = await seedStore(t.repos);
    const devices = new RecordingsDevices(t.repos);
    const id = await devices.ensure(store.id);
    expect(await devices.takeSeqs(id, 10)).toBe(1);
    expect(await devices.takeSeqs(id, 5)).toBe(11);
  });

  it('starts above the acknowledged point when retention deleted the events under it', async () => {
    const { store, camera } = await seedStore(t.repos);
    const id = await new RecordingsDevices(t.repos).ensure(store.id);
    await t.repos.events.insertEventsDetailed(id, [
      {
        seq: 40,
        event: { kind: 'track_started', cameraId: camera.id, trackId: 1, at: T0, box: [1, 2, 3, 4] },
      },
    ]);
    await t.repos.deviceProgress.lock(id);
    await t.repos.deviceProgress.save(id, { ackedUpTo: 500, version: 1, occupancy: null });
    // A hub started after retention: its counter is read again.
    expect(await new RecordingsDevices(t.repos).takeSeqs(id, 3)).toBe(501);
  });
});
