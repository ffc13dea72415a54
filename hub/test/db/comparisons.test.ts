/**
 * Figures of several periods for several stores in one query over the hourly summaries: counts, the
 * most people inside at once (the cameras' peaks added up per hour, then the busiest hour), hours with
 * data; area rows and uploaded recordings left out unless asked.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/db/errors.ts';
import { ComparisonsRepository } from '../../src/db/repositories/comparisons.ts';
import type { SummaryDelta } from '../../src/db/repositories/summaries.ts';
import { BACKENDS, openTestDatabase, seedStore, type TestDatabase } from './backends.ts';

const H = 3_600_000;
const T0 = Date.parse('2025-09-01T00:00:00Z');
const at = (hours: number) => new Date(T0 + hours * H);
const square: [number, number][] = [
  [0, 0],
  [100, 0],
  [100, 100],
  [0, 100],
];

/** Per hour and camera: visitors, entries, exits, stays (count, total ms) and people inside at once. */
const ONE = { h: 0, visitors: 4, entries: 3, exits: 2, dwellCount: 4, totalDwellMs: 40_000, peak: 3 };
const TWO = { h: 0, visitors: 2, entries: 1, exits: 1, dwellCount: 2, totalDwellMs: 10_000, peak: 4 };
const ONE_LATER = { h: 1, visitors: 1, entries: 0, exits: 1, dwellCount: 1, totalDwellMs: 5_000, peak: 6 };

describe.each(BACKENDS)('comparison figures on %s', (kind) => {
  let t: TestDatabase;
  let repo: ComparisonsRepository;
  let a: Awaited<ReturnType<typeof seedStore>>;
  let b: Awaited<ReturnType<typeof seedStore>>;
  let camera2: string;

  beforeAll(async () => {
    t = await openTestDatabase(kind);
    repo = new ComparisonsRepository(t.db);
    a = await seedStore(t.repos, 'A');
    b = await seedStore(t.repos, 'B');
    camera2 = (await t.repos.cameras.create({ storeId: a.store.id, name: 'Till', source: '1' })).id;
    const zone = await t.repos.zones.createZone({ cameraId: a.camera.id, name: 'Till', polygon: square });
    const upload = await t.repos.uploads.create({
      storeId: a.store.id,
      cameraId: a.camera.id,
      deviceId: a.device.id,
      createdBy: null,
      fileName: 'recording.avi',
      sizeBytes: 1000,
      detector: 'hog',
      fps: null,
      startTime: at(0),
      framesTotal: null,
    });
    const row = (cameraId: string, c: typeof ONE, extra: Partial<SummaryDelta> = {}): SummaryDelta => ({
      period: 'hour',
      bucketStart: at(c.h),
      storeId: cameraId === b.camera.id ? b.store.id : a.store.id,
      cameraId,
      zoneId: null,
      visitors: c.visitors,
      entries: c.entries,
      exits: c.exits,
      dwellCount: c.dwellCount,
      totalDwellMs: c.totalDwellMs,
      peakOccupancy: c.peak,
      ...extra,
    });
    await t.repos.summaries.replace([
      row(a.camera.id, ONE),
      row(camera2, TWO),
      row(a.camera.id, ONE_LATER),
      row(b.camera.id, TWO),
      // Neither an area's row nor a recording's counts as the store's live numbers.
      row(a.camera.id, { ...ONE, peak: 50, visitors: 100 }, { zoneId: zone.id }),
      row(a.camera.id, { ...ONE, peak: 70, visitors: 200 }, { uploadId: upload.id }),
    ]);
  });
  afterAll(async () => {
    await t?.close();
  });

  const sum = (key: keyof typeof ONE, ...rows: (typeof ONE)[]) => rows.reduce((n, r) => n + r[key], 0);

  it('adds up each period per store, with the busiest hour of people inside', async () => {
    const rows = await repo.periodTotals({
      storeIds: [a.store.id, b.store.id],
      periods: [
        { label: 'now', from: at(0), to: at(2) },
        { label: 'later', from: at(2), to: at(5) },
      ],
    });
    const find = (label: string, storeId: string) =>
      rows.find((r) => r.label === label && r.storeId === storeId);
    expect(rows).toHaveLength(4);
    expect(find('now', a.store.id)).toEqual({
      label: 'now',
      storeId: a.store.id,
      visitors: sum('visitors', ONE, TWO, ONE_LATER),
      entries: sum('entries', ONE, TWO, ONE_LATER),
      exits: sum('exits', ONE, TWO, ONE_LATER),
      dwellCount: sum('dwellCount', ONE, TWO, ONE_LATER),
      totalDwellMs: sum('totalDwellMs', ONE, TWO, ONE_LATER),
      // Hour 0: both cameras together; hour 1: one camera.
      peakInside: Math.max(ONE.peak + TWO.peak, ONE_LATER.peak),
      hours: 2,
    });
    expect(find('now', b.store.id)).toMatchObject({ visitors: TWO.visitors, peakInside: TWO.peak, hours: 1 });
    expect(find('later', a.store.id)).toMatchObject({ visitors: 0, peakInside: 0, hours: 0 });
  });

  it('keeps to one camera, or counts recordings too, when asked', async () => {
    const periods = [{ label: 'now', from: at(0), to: at(2) }];
    const [one] = await repo.periodTotals({ storeIds: [a.store.id], periods, cameraId: camera2 });
    expect(one).toMatchObject({ visitors: TWO.visitors, peakInside: TWO.peak });
    const [all] = await repo.periodTotals({ storeIds: [a.store.id], periods, includeRecordings: true });
    expect(all!.visitors).toBe(sum('visitors', ONE, TWO, ONE_LATER) + 200);
    expect(all!.peakInside).toBe(ONE.peak + TWO.peak + 70);
  });

  it('refuses a backwards period and too many periods', async () => {
    await expect(
      repo.periodTotals({ storeIds: [a.store.id], periods: [{ label: 'x', from: at(2), to: at(0) }] }),
    ).rejects.toBeInstanceOf(ValidationError);
    const many = Array.from({ length: 13 }, (_, i) => ({ label: `p${i}`, from: at(i), to: at(i + 1) }));
    await expect(repo.periodTotals({ storeIds: [a.store.id], periods: many })).rejects.toBeInstanceOf(
      ValidationError,
    );
    expect(await repo.periodTotals({ storeIds: [], periods: many.slice(0, 2) })).toEqual([]);
  });
});
