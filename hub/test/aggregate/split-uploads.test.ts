/**
 * The one-time repair after migration 0006: an upload counted before it had its counts inside the live
 * summary rows; afterwards the live rows hold live events only, the upload has rows of its own, and
 * deleting it leaves the live numbers alone. It runs once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { computeSummaries, loadStoreContext } from '../../src/aggregate/rebuild.ts';
import { SUMMARIES_SPLIT_UPLOADS, splitUploadSummaries } from '../../src/aggregate/split-uploads.ts';
import { BACKENDS, openTestDatabase, type TestDatabase } from '../db/backends.ts';
import { seedScene, sequence, visitorEvents } from '../ingest/helpers.ts';

const MIN = 60_000;

describe.each(BACKENDS)('splitting older uploads out of the live summaries on %s', (kind) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await openTestDatabase(kind);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('rebuilds live rows from live events, gives the upload its own rows, and runs once', async () => {
    const { repos, db } = t;
    const scene = await seedScene(repos);
    const at = Date.parse('2025-06-02T10:00:00Z');
    const visitor = (trackId: number, start: number) =>
      visitorEvents(scene.camera.id, scene.zone.id, scene.line.id, {
        trackId,
        at: start,
        durationMs: 10 * MIN,
        zoneMs: 2 * MIN,
        crosses: true,
      });
    const live = sequence(visitor(1, at));
    await repos.events.insertEvents(scene.device.id, live);
    // An upload processed before 0006: its events on the store's recordings device, tagged by the
    // migration, its counts in the live rows.
    const recorder = await repos.devices.create({
      id: `upload-${scene.u}`,
      storeId: scene.store.id,
      name: 'Recordings',
    });
    const upload = await repos.uploads.create({
      storeId: scene.store.id,
      cameraId: scene.camera.id,
      deviceId: recorder.id,
      createdBy: null,
      fileName: 'old.mp4',
      sizeBytes: 1000,
      detector: 'test',
      fps: null,
      startTime: new Date(at),
      framesTotal: null,
    });
    const recorded = sequence([...visitor(7, at + 5 * MIN), ...visitor(8, at + 6 * MIN)]);
    await repos.events.insertEventsDetailed(recorder.id, recorded, { uploadId: upload.id });
    const ctx = await loadStoreContext(repos, scene.store.id);
    const stored = (
      await repos.events.list({
        storeId: scene.store.id,
        from: new Date(at - 60 * MIN),
        to: new Date(at + 120 * MIN),
        includeRecordings: true,
      })
    ).items;
    expect(stored).toHaveLength(live.length + recorded.length);
    await repos.summaries.replace(computeSummaries(stored, ctx));

    const day = {
      storeId: scene.store.id,
      period: 'day' as const,
      from: new Date(at - 24 * 60 * MIN),
      to: new Date(at + 24 * 60 * MIN),
    };
    expect((await repos.summaries.storeTotals(day))[0]).toMatchObject({ visitors: 3, entries: 3 });

    expect(await splitUploadSummaries(db)).toBe(1);
    expect(await repos.settings.get(SUMMARIES_SPLIT_UPLOADS)).toMatchObject({ done: true, uploads: 1 });
    expect((await repos.summaries.storeTotals(day))[0]).toMatchObject({ visitors: 1, entries: 1 });
    const withRecordings = await repos.summaries.storeTotals({ ...day, includeRecordings: true });
    expect(withRecordings[0]).toMatchObject({ visitors: 3, entries: 3 });
    const own = await repos.summaries.list({ ...day, includeRecordings: true, zoneId: null });
    expect(own.filter((r) => r.uploadId === upload.id)).toMatchObject([{ visitors: 2, entries: 2 }]);

    // Once: wrong live rows written after it are not repaired by a second start.
    await repos.summaries.increment([
      {
        period: 'day',
        bucketStart: own[0]!.bucketStart,
        storeId: scene.store.id,
        cameraId: scene.camera.id,
        zoneId: null,
        visitors: 10,
      },
    ]);
    expect(await splitUploadSummaries(db)).toBeUndefined();
    expect((await repos.summaries.storeTotals(day))[0]).toMatchObject({ visitors: 11 });
  });
});
