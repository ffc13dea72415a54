import type { EventOf } from '@oskartrack/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NotFoundError, ValidationError } from '../../src/db/errors.ts';
import { inTransaction } from '../../src/db/repositories/index.ts';
import type { SummaryDelta } from '../../src/db/repositories/summaries.ts';
import { BACKENDS, openTestDatabase, seedStore, type TestDatabase, uid } from './backends.ts';

const H = 3_600_000;
const DAY0 = Date.parse('2025-07-01T00:00:00Z');
const at = (ms: number) => new Date(DAY0 + ms);
const tri: [number, number][] = [
  [0, 0],
  [100, 0],
  [0, 100],
];

describe.each(BACKENDS)('visitors, visits and summaries on %s', (kind) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await openTestDatabase(kind);
  });
  afterAll(async () => {
    await t?.close();
  });

  async function setup() {
    const s = await seedStore(t.repos);
    const till = await t.repos.zones.createZone({ cameraId: s.camera.id, name: 'Till', polygon: tri });
    const bakery = await t.repos.zones.createZone({ cameraId: s.camera.id, name: 'Bakery', polygon: tri });
    return { ...s, till, bakery };
  }

  describe('customers', () => {
    it('records sightings: first/last seen widen, visits count, one profile per tracking id', async () => {
      const { store } = await setup();
      const { customers } = t.repos;
      const trackingId = `v-${uid()}`;
      const c1 = await customers.recordSighting({
        storeId: store.id,
        trackingId,
        at: at(2 * H),
        newVisit: true,
      });
      expect(c1).toMatchObject({
        trackingId,
        visitCount: 1,
        ageEstimate: null,
        genderEstimate: null,
        faceEncoding: null,
      });
      await customers.recordSighting({ storeId: store.id, trackingId, at: at(H) });
      const c3 = await customers.recordSighting({
        storeId: store.id,
        trackingId,
        at: at(5 * H),
        newVisit: true,
      });
      expect(c3.id).toBe(c1.id);
      expect(c3.visitCount).toBe(2);
      expect(c3.firstSeenAt.toISOString()).toBe(at(H).toISOString());
      expect(c3.lastSeenAt.toISOString()).toBe(at(5 * H).toISOString());
      expect((await customers.findByTrackingId(store.id, trackingId))?.id).toBe(c1.id);

      const other = await customers.recordSighting({
        storeId: store.id,
        trackingId: `w-${uid()}`,
        at: at(3 * H),
      });
      const listed = await customers.list({ storeId: store.id, from: at(0), to: at(24 * H) });
      expect(listed.map((c) => c.id)).toEqual([c1.id, other.id]);
      expect(await customers.list({ storeId: store.id, from: at(4 * H), to: at(6 * H) })).toHaveLength(1);
      await customers.delete(other.id);
      await expect(customers.get(other.id)).rejects.toBeInstanceOf(NotFoundError);
      await expect(customers.get('not-a-uuid')).rejects.toBeInstanceOf(NotFoundError);
      await expect(customers.recordSighting({ storeId: 'nope', trackingId: 'x', at: at(0) })).rejects.toThrow(
        new NotFoundError('store', 'nope'),
      );
    });

    it('age, gender and face stay empty until an administrator turns them on, and are erased when turned off', async () => {
      const { store } = await setup();
      const { customers, settings } = t.repos;
      const c = await customers.recordSighting({ storeId: store.id, trackingId: `v-${uid()}`, at: at(0) });
      expect(await settings.demographicsEnabled()).toBe(false);
      await expect(customers.setDemographics(c.id, { ageEstimate: 30 })).rejects.toThrow(/turned off/);
      expect((await customers.get(c.id)).ageEstimate).toBeNull();

      await settings.setDemographicsEnabled(true);
      expect(await settings.demographicsEnabled()).toBe(true);
      const updated = await customers.setDemographics(c.id, {
        ageEstimate: 34,
        genderEstimate: 'female',
        faceEncoding: [0.25, -0.5, 1],
      });
      expect(updated).toMatchObject({
        ageEstimate: 34,
        genderEstimate: 'female',
        faceEncoding: [0.25, -0.5, 1],
      });
      await expect(customers.setDemographics(c.id, { ageEstimate: 300 })).rejects.toBeInstanceOf(
        ValidationError,
      );
      await expect(customers.setDemographics(c.id, { faceEncoding: [Number.NaN] })).rejects.toBeInstanceOf(
        ValidationError,
      );

      expect(await settings.setDemographicsEnabled(false)).toBeGreaterThanOrEqual(1);
      expect(await customers.get(c.id)).toMatchObject({
        ageEstimate: null,
        genderEstimate: null,
        faceEncoding: null,
      });
    });
  });

  describe('visits', () => {
    it('create with time per area, read, list by store/camera/customer and range, delete', async () => {
      const { store, camera, till, bakery } = await setup();
      const { visits, customers } = t.repos;
      const customer = await customers.recordSighting({
        storeId: store.id,
        trackingId: `v-${uid()}`,
        at: at(H),
      });
      const path = [
        { at: DAY0 + H, point: [10, 10] as [number, number] },
        { at: DAY0 + H + 5000, point: [20, 30] as [number, number] },
      ];
      const { visit, created } = await visits.create({
        cameraId: camera.id,
        customerId: customer.id,
        trackId: 4,
        startedAt: at(H),
        endedAt: at(H + 90_000),
        path,
        zones: [
          { zoneId: till.id, dwellMs: 30_000, entries: 2 },
          { zoneId: bakery.id, dwellMs: 10_000 },
        ],
      });
      expect(created).toBe(true);
      expect(visit).toMatchObject({
        storeId: store.id,
        cameraId: camera.id,
        customerId: customer.id,
        durationMs: 90_000,
      });
      expect(visit.path).toEqual(path);
      const read = await visits.get(visit.id);
      expect(read.zones.map((z) => [z.zoneId, z.dwellMs, z.entries]).sort()).toEqual(
        [
          [till.id, 30_000, 2],
          [bakery.id, 10_000, 1],
        ].sort(),
      );

      await visits.create({
        cameraId: camera.id,
        trackId: 5,
        startedAt: at(3 * H),
        endedAt: at(3 * H + 1000),
      });
      await visits.create({
        cameraId: camera.id,
        trackId: 6,
        startedAt: at(30 * H),
        endedAt: at(30 * H + 1000),
      });
      const day1 = await visits.list({ storeId: store.id, from: at(0), to: at(24 * H) });
      expect(day1.items.map((v) => v.trackId)).toEqual([4, 5]);
      expect((await visits.list({ cameraId: camera.id, from: at(0), to: at(48 * H) })).items).toHaveLength(3);
      expect(
        (await visits.list({ customerId: customer.id, from: at(0), to: at(48 * H) })).items.map((v) => v.id),
      ).toEqual([visit.id]);
      const page1 = await visits.list({ storeId: store.id, from: at(0), to: at(48 * H), limit: 2 });
      expect(page1.items).toHaveLength(2);
      const page2 = await visits.list({
        storeId: store.id,
        from: at(0),
        to: at(48 * H),
        limit: 2,
        cursor: page1.nextCursor!,
      });
      expect(page2.items.map((v) => v.trackId)).toEqual([6]);
      expect(page2.nextCursor).toBeNull();

      // The database orders by its own collation (C in PGlite, the locale in PostgreSQL): compare as sets.
      const dwell = await visits.dwellByZone({ storeId: store.id, from: at(0), to: at(24 * H) });
      expect(dwell.sort((a, b) => a.zoneId.localeCompare(b.zoneId))).toEqual(
        [
          { zoneId: till.id, visits: 1, totalDwellMs: 30_000, avgDwellMs: 30_000 },
          { zoneId: bakery.id, visits: 1, totalDwellMs: 10_000, avgDwellMs: 10_000 },
        ].sort((a, b) => a.zoneId.localeCompare(b.zoneId)),
      );
      expect(
        (await visits.listZoneVisits({ zoneId: till.id, from: at(0), to: at(24 * H) })).map((z) => z.visitId),
      ).toEqual([visit.id]);

      // Deleting the customer keeps the visit, anonymously.
      await customers.delete(customer.id);
      expect((await visits.get(visit.id)).customerId).toBeNull();
      await visits.delete(visit.id);
      expect(await visits.find(visit.id)).toBeUndefined();
      expect(await visits.listZoneVisits({ zoneId: till.id, from: at(0), to: at(24 * H) })).toEqual([]);
      await expect(visits.delete(visit.id)).rejects.toBeInstanceOf(NotFoundError);
    });

    it('a visit from the same visit_closed event is stored once; removed areas are skipped', async () => {
      const { device, camera, till, bakery } = await setup();
      const event: EventOf<'visit_closed'> = {
        kind: 'visit_closed',
        cameraId: camera.id,
        at: DAY0 + 2 * H + 60_000,
        trackId: 9,
        startedAt: DAY0 + 2 * H,
        durationMs: 60_000,
        path: [],
        zones: [
          { zoneId: till.id, dwellMs: 20_000, entries: 1 },
          { zoneId: 'zone-removed-since', dwellMs: 5_000, entries: 1 },
        ],
      };
      const first = await t.repos.visits.createFromEvent(device.id, 77, event);
      const again = await t.repos.visits.createFromEvent(device.id, 77, event);
      expect(first.created).toBe(true);
      expect(again.created).toBe(false);
      expect(again.visit.id).toBe(first.visit.id);
      expect(first.visit.zones.map((z) => z.zoneId)).toEqual([till.id]);
      expect(first.visit.endedAt.getTime()).toBe(DAY0 + 2 * H + 60_000);
      expect(again.visit.zones.map((z) => z.zoneId)).toEqual([till.id]);
      expect(bakery.id).toBeTruthy();
    });

    it('rejects unknown cameras and areas, areas of another camera, and time running backwards', async () => {
      const a = await setup();
      const b = await setup();
      const { visits } = t.repos;
      const base = { cameraId: a.camera.id, trackId: 1, startedAt: at(0), endedAt: at(1000) };
      await expect(visits.create({ ...base, cameraId: 'nope' })).rejects.toThrow(
        new NotFoundError('camera', 'nope'),
      );
      await expect(visits.create({ ...base, zones: [{ zoneId: 'nope', dwellMs: 1 }] })).rejects.toThrow(
        new NotFoundError('area', 'nope'),
      );
      await expect(
        visits.create({ ...base, zones: [{ zoneId: b.till.id, dwellMs: 1 }] }),
      ).rejects.toBeInstanceOf(NotFoundError);
      await expect(visits.create({ ...base, endedAt: at(-1) })).rejects.toThrow(
        /cannot end before it starts/,
      );
      await expect(
        visits.create({ ...base, zones: [{ zoneId: a.till.id, dwellMs: -5 }] }),
      ).rejects.toBeInstanceOf(ValidationError);
      await expect(
        visits.create({ ...base, customerId: '00000000-0000-4000-8000-000000000000' }),
      ).rejects.toThrow(/customer "00000000-0000-4000-8000-000000000000" does not exist/);
      // Nothing half-stored.
      expect((await visits.list({ cameraId: a.camera.id, from: at(-H), to: at(H) })).items).toEqual([]);
    });
  });

  describe('summaries', () => {
    it('increments upsert per (period, bucket, store, camera, area), whole-camera rows included', async () => {
      const { store, camera, till } = await setup();
      const { summaries } = t.repos;
      const key = { period: 'hour' as const, bucketStart: at(9 * H), storeId: store.id, cameraId: camera.id };
      const whole: SummaryDelta = {
        ...key,
        zoneId: null,
        visitors: 3,
        entries: 3,
        dwellCount: 2,
        totalDwellMs: 60_000,
        peakOccupancy: 2,
      };
      expect(
        await summaries.increment([
          whole,
          { ...key, zoneId: till.id, visitors: 1, dwellCount: 1, totalDwellMs: 5000 },
        ]),
      ).toBe(2);
      // Again, plus a duplicate key inside one call: merged, not an error.
      await summaries.increment([
        {
          ...key,
          zoneId: null,
          visitors: 1,
          exits: 2,
          dwellCount: 1,
          totalDwellMs: 30_000,
          peakOccupancy: 5,
        },
        { ...key, zoneId: null, visitors: 1, peakOccupancy: 1 },
      ]);
      const rows = await summaries.list({ period: 'hour', storeId: store.id, from: at(0), to: at(24 * H) });
      expect(rows).toHaveLength(2);
      expect(rows[0]).toMatchObject({
        zoneId: null,
        visitors: 5,
        entries: 3,
        exits: 2,
        dwellCount: 3,
        totalDwellMs: 90_000,
        avgDwellMs: 30_000,
        peakOccupancy: 5,
      });
      expect(rows[1]).toMatchObject({ zoneId: till.id, visitors: 1, avgDwellMs: 5000 });
      expect(rows[0]!.bucketStart.toISOString()).toBe(at(9 * H).toISOString());

      expect(
        await summaries.list({
          period: 'hour',
          cameraId: camera.id,
          zoneId: null,
          from: at(0),
          to: at(24 * H),
        }),
      ).toHaveLength(1);
      expect(
        (await summaries.list({ period: 'hour', zoneId: till.id, from: at(0), to: at(24 * H) })).map(
          (r) => r.visitors,
        ),
      ).toEqual([1]);
      expect(await summaries.list({ period: 'day', storeId: store.id, from: at(0), to: at(24 * H) })).toEqual(
        [],
      );
      expect(
        await summaries.list({ period: 'hour', storeId: store.id, from: at(10 * H), to: at(24 * H) }),
      ).toEqual([]);

      await summaries.replace([{ ...key, zoneId: null, visitors: 7 }]);
      const replaced = await summaries.list({
        period: 'hour',
        storeId: store.id,
        zoneId: null,
        from: at(0),
        to: at(24 * H),
      });
      expect(replaced[0]).toMatchObject({
        visitors: 7,
        entries: 0,
        totalDwellMs: 0,
        avgDwellMs: 0,
        peakOccupancy: 0,
      });
    });

    it('store totals add up cameras per bucket; deleteRange clears buckets', async () => {
      const { store, camera, till } = await setup();
      const cam2 = await t.repos.cameras.create({ storeId: store.id, name: 'Back', source: '1' });
      const { summaries } = t.repos;
      const day = (d: number, cameraId: string, visitors: number, peak: number): SummaryDelta => ({
        period: 'day',
        bucketStart: at(d * 24 * H),
        storeId: store.id,
        cameraId,
        zoneId: null,
        visitors,
        dwellCount: visitors,
        totalDwellMs: visitors * 1000,
        peakOccupancy: peak,
      });
      await summaries.increment([
        day(0, camera.id, 10, 4),
        day(0, cam2.id, 5, 6),
        day(1, camera.id, 2, 1),
        { ...day(0, camera.id, 99, 99), zoneId: till.id },
      ]);
      const totals = await summaries.storeTotals({
        storeId: store.id,
        period: 'day',
        from: at(0),
        to: at(7 * 24 * H),
      });
      expect(totals).toEqual([
        {
          bucketStart: at(0),
          visitors: 15,
          entries: 0,
          exits: 0,
          dwellCount: 15,
          totalDwellMs: 15_000,
          avgDwellMs: 1000,
          peakOccupancy: 6,
        },
        {
          bucketStart: at(24 * H),
          visitors: 2,
          entries: 0,
          exits: 0,
          dwellCount: 2,
          totalDwellMs: 2000,
          avgDwellMs: 1000,
          peakOccupancy: 1,
        },
      ]);
      expect(
        await summaries.deleteRange({ storeId: store.id, period: 'day', from: at(0), to: at(24 * H) }),
      ).toBe(3);
      expect(
        await summaries.list({ period: 'day', storeId: store.id, from: at(0), to: at(7 * 24 * H) }),
      ).toHaveLength(1);
    });

    it('rejects unknown ids, negative counts, bad periods and ragged buckets', async () => {
      const { store, camera } = await setup();
      const { summaries } = t.repos;
      const key = {
        period: 'hour' as const,
        bucketStart: at(0),
        storeId: store.id,
        cameraId: camera.id,
        zoneId: null,
      };
      await expect(summaries.increment([{ ...key, cameraId: 'nope' }])).rejects.toThrow(
        new NotFoundError('camera', 'nope'),
      );
      await expect(summaries.increment([{ ...key, zoneId: 'nope' }])).rejects.toThrow(
        new NotFoundError('area', 'nope'),
      );
      await expect(summaries.increment([{ ...key, visitors: -1 }])).rejects.toBeInstanceOf(ValidationError);
      await expect(summaries.increment([{ ...key, period: 'week' as 'hour' }])).rejects.toThrow(
        /period must be/,
      );
      await expect(summaries.increment([{ ...key, bucketStart: at(1234) }])).rejects.toThrow(/whole minute/);
      await expect(summaries.replace([key, key])).rejects.toThrow(/twice/);
      expect(await summaries.list({ period: 'hour', storeId: store.id, from: at(-H), to: at(H) })).toEqual(
        [],
      );
    });
  });

  it('inTransaction commits all or nothing', async () => {
    const { store } = await setup();
    await expect(
      inTransaction(t.db, async (repos) => {
        await repos.cameras.create({ id: `tx-${store.id}`, storeId: store.id, name: 'In tx', source: '0' });
        await repos.cameras.create({ storeId: 'nope', name: 'Fails', source: '0' });
      }),
    ).rejects.toBeInstanceOf(NotFoundError);
    expect(await t.repos.cameras.find(`tx-${store.id}`)).toBeUndefined();
    const cam = await inTransaction(t.db, (repos) =>
      repos.cameras.create({ id: `tx2-${store.id}`, storeId: store.id, name: 'In tx', source: '0' }),
    );
    expect((await t.repos.cameras.get(cam.id)).name).toBe('In tx');
  });
});
