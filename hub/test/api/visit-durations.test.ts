/**
 * GET /api/analytics/visit-durations on both databases: seeded visits on the edges of every bucket,
 * counted per bucket, short and long, median and average; a camera filter; visits outside the range
 * or in another store left out; the range limit and the store scope.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS, uid } from '../db/backends.ts';
import { DAY0, type Fixture, H, openFixture, visitClosed } from './fixture.ts';

const iso = (ms: number) => new Date(ms).toISOString();
const MIN = 60_000;
const URL = '/api/analytics/visit-durations';

describe.each(BACKENDS)('visit durations on %s', (kind) => {
  let f: Fixture;
  let storeId: string;
  let doorCamera: string;
  let tillCamera: string;

  beforeAll(async () => {
    f = await openFixture(kind);
    const r = f.repos;
    const u = uid();
    storeId = (await r.stores.create({ id: `vd-${u}`, name: 'Durations', timezone: 'Europe/Berlin' })).id;
    const device = await r.devices.create({ storeId, name: 'Box' });
    doorCamera = (await r.cameras.create({ storeId, deviceId: device.id, name: 'Door', source: '0' })).id;
    tillCamera = (await r.cameras.create({ storeId, name: 'Till', source: '0' })).id;
    const visit = (cameraId: string, start: number, ms: number) =>
      r.visits.create({ cameraId, trackId: 1, startedAt: new Date(start), endedAt: new Date(start + ms) });
    const start = DAY0 + 9 * H;
    // Door: one each side of every bound (1, 5 and 15 minutes).
    const door = [59_999, MIN, 4 * MIN, 5 * MIN, 15 * MIN - 1, 15 * MIN];
    for (const [i, ms] of door.entries()) await visit(doorCamera, start + i * MIN, ms);
    // Till: one very short, one very long.
    await visit(tillCamera, start + H, 10_000);
    await visit(tillCamera, start + 2 * H, 40 * MIN);
    // Started before the range (ends inside it) and on the next day: not counted.
    await visit(doorCamera, DAY0 - MIN, 30 * MIN);
    await visit(doorCamera, DAY0 + 24 * H, 2 * MIN);
    // An uploaded recording's visit of 3 minutes that day: kept apart unless asked for.
    const upload = await r.uploads.create({
      storeId,
      cameraId: doorCamera,
      deviceId: device.id,
      createdBy: null,
      fileName: 'recording.avi',
      sizeBytes: 1000,
      detector: 'hog',
      fps: null,
      startTime: new Date(DAY0),
      framesTotal: null,
    });
    await r.visits.createManyFromEvents(
      device.id,
      [
        {
          seq: 1,
          event: {
            ...visitClosed(doorCamera, start + 3 * H, 5),
            startedAt: start + 3 * H,
            durationMs: 3 * MIN,
          },
        },
      ],
      { uploadId: upload.id },
    );
  });
  afterAll(async () => {
    await f?.close();
  });

  const day = () => ({ storeId, from: iso(DAY0), to: iso(DAY0 + 24 * H) });
  const get = async (query: Record<string, string>, token = f.tokens.admin) => {
    const r = await f.inject(token, { method: 'GET', url: URL, query });
    expect(r.statusCode, r.body).toBe(200);
    return r.json();
  };

  it('counts the visits of a day in everyday buckets, with short, long and the median', async () => {
    const d = await get(day());
    expect(d.buckets).toEqual([
      { fromMs: 0, toMs: MIN, visits: 2 },
      { fromMs: MIN, toMs: 5 * MIN, visits: 2 },
      { fromMs: 5 * MIN, toMs: 15 * MIN, visits: 2 },
      { fromMs: 15 * MIN, toMs: null, visits: 2 },
    ]);
    expect(d).toMatchObject({
      storeId,
      cameraId: null,
      visits: 8,
      shortUnderMs: MIN,
      shortVisits: 2,
      longFromMs: 15 * MIN,
      longVisits: 2,
      // Sorted: ... 4 min, 5 min ...: the middle of eight values lies between them.
      medianMs: 270_000,
    });
    const total = 10_000 + 59_999 + MIN + 4 * MIN + 5 * MIN + 15 * MIN - 1 + 15 * MIN + 40 * MIN;
    expect(d.averageMs).toBeCloseTo(total / 8, 3);
  });

  it('counts an uploaded recording only when asked', async () => {
    const d = await get({ ...day(), includeRecordings: 'true' });
    expect(d.visits).toBe(9);
    expect(d.buckets.map((b: { visits: number }) => b.visits)).toEqual([2, 3, 2, 2]);
  });

  it('counts one camera only when asked', async () => {
    const d = await get({ ...day(), cameraId: doorCamera });
    expect(d.buckets.map((b: { visits: number }) => b.visits)).toEqual([1, 2, 2, 1]);
    expect(d).toMatchObject({ cameraId: doorCamera, visits: 6, medianMs: 270_000 });
    const till = await get({ ...day(), cameraId: tillCamera });
    expect(till).toMatchObject({
      visits: 2,
      shortVisits: 1,
      longVisits: 1,
      medianMs: (10_000 + 40 * MIN) / 2,
    });
  });

  it('answers zeros and no median for a range without visits', async () => {
    const d = await get({ storeId, from: iso(DAY0 - 48 * H), to: iso(DAY0 - 24 * H) });
    expect(d).toMatchObject({ visits: 0, medianMs: null, averageMs: null, shortVisits: 0, longVisits: 0 });
    expect(d.buckets.map((b: { visits: number }) => b.visits)).toEqual([0, 0, 0, 0]);
  });

  it('refuses a range too long for the raw visits, and a camera of another store', async () => {
    const long = await f.inject(f.tokens.admin, {
      method: 'GET',
      url: URL,
      query: { storeId, from: iso(DAY0 - 200 * 24 * H), to: iso(DAY0) },
    });
    expect(long.statusCode).toBe(400);
    expect(long.json().message).toMatch(/choose a range of at most \d+ days/);
    const other = await f.inject(f.tokens.admin, {
      method: 'GET',
      url: URL,
      query: { ...day(), cameraId: f.a.camera.id },
    });
    expect(other.statusCode).toBe(400);
  });

  it("keeps a store's durations from users of other stores, and lets its viewer read them", async () => {
    const a = { storeId: f.a.store.id, from: iso(DAY0), to: iso(DAY0 + 24 * H) };
    const outsider = await f.inject(f.tokens.viewerB, { method: 'GET', url: URL, query: a });
    expect(outsider.statusCode).toBe(404);
    // The fixture's store A has one visit of one minute: the "1-5 min" bucket.
    const own = await get(a, f.tokens.viewerA);
    expect(own.buckets.map((b: { visits: number }) => b.visits)).toEqual([0, 1, 0, 0]);
  });
});
