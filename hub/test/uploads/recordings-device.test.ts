/**
 * The recordings device's seqs continue after every seq the device used: stored events, dead letters
 * and the acknowledged point that stays when retention deletes the events below it; two hubs on one
 * database (two pools on PostgreSQL) reserving at once never take the same seq.
 */
import { tmpdir } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DatabaseHandle, openDatabase } from '../../src/db/database.ts';
import { createRepositories, type Repositories } from '../../src/db/repositories/index.ts';
import { RecordingsDevices } from '../../src/uploads/recordings-device.ts';
import {
  BACKENDS,
  openTestDatabase,
  seedStore,
  TEST_DATABASE_URL,
  type TestDatabase,
} from '../db/backends.ts';

const T0 = Date.parse('2025-06-02T09:00:00Z');

describe.each(BACKENDS)('recordings device on %s', (kind) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await openTestDatabase(kind);
  });
  afterAll(async () => {
    await t?.close();
  });

  /** A second hub's repositories: its own pool on PostgreSQL; PGlite has one connection for all. */
  async function secondHub(): Promise<{ repos: Repositories; close(): Promise<void> }> {
    if (t.kind === 'pglite') return { repos: createRepositories(t.db), close: async () => {} };
    const handle: DatabaseHandle = await openDatabase(
      { databaseUrl: TEST_DATABASE_URL, dataDir: tmpdir() },
      { schema: t.schema!, maxConnections: 4 },
    );
    return { repos: createRepositories(handle.db), close: () => handle.close() };
  }

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
    // The first reservation starts above the point, though the events under it are gone.
    expect(await new RecordingsDevices(t.repos).takeSeqs(id, 3)).toBe(501);
  });

  it('gives two hubs reserving at once disjoint ranges (the counter is in the database)', async () => {
    const { store } = await seedStore(t.repos);
    const other = await secondHub();
    try {
      const a = new RecordingsDevices(t.repos);
      const b = new RecordingsDevices(other.repos);
      const id = await a.ensure(store.id);
      const size = 4;
      const rounds = 20;
      const firsts = await Promise.all(
        Array.from({ length: rounds }, () => [a.takeSeqs(id, size), b.takeSeqs(id, size)]).flat(),
      );
      // Every range starts where another ends: 1, 5, 9, ... with none taken twice.
      const sorted = [...firsts].sort((x, y) => x - y);
      expect(sorted).toEqual(Array.from({ length: rounds * 2 }, (_, i) => 1 + i * size));
      expect(await b.takeSeqs(id, 1)).toBe(1 + rounds * 2 * size);
    } finally {
      await other.close();
    }
  });
});
