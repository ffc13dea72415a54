/**
 * Store figures from one row per store-local day: over many random periods (whole days, ragged ends,
 * a DST change, a half-hour time zone, opening hours with a holiday) they equal the figures added up
 * from every hourly row (totals, days, busiest hour, hours of the day); a day that changes afterwards (new counts, rows deleted, other opening hours
 * or time zone) is computed again before it is read, and an unchanged day is not; a day that an
 * unfinished transaction is changing is read from its hours, without waiting for it.
 */
import type { OpeningHours } from '@oskartrack/protocol';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../src/db/database.ts';
import { ComparisonsRepository, type LabelledPeriod } from '../../src/db/repositories/comparisons.ts';
import { createRepositories } from '../../src/db/repositories/index.ts';
import { OpenDayFiguresRepository } from '../../src/db/repositories/open-day-figures.ts';
import { OpenDaysRepository } from '../../src/db/repositories/open-days.ts';
import type { SummaryDelta } from '../../src/db/repositories/summaries.ts';
import { BACKENDS, openTestDatabase, seedStore, type TestDatabase } from './backends.ts';

const H = 3_600_000;
/** Three weeks around the end of summer time in Europe (26 October 2025). */
const T0 = Date.parse('2025-10-14T00:00:00Z');
const SPAN_HOURS = 21 * 24;
const HOURS: OpeningHours = {
  week: [1, 2, 3, 4, 5]
    .map((day) => ({ day, open: '09:30', close: '19:00' }))
    .concat([{ day: 6, open: '10:00', close: '16:00' }]),
  closedDates: ['2025-10-22'],
};

/** A small deterministic random source, so a failure can be replayed. */
function randomSource(seed: number) {
  let s = seed;
  return () => {
    s = (s * 1_103_515_245 + 12_345) % 2 ** 31;
    return s / 2 ** 31;
  };
}

describe.each(BACKENDS)('store figures from day rows on %s', (kind) => {
  let t: TestDatabase;
  let repo: ComparisonsRepository;
  let days: OpenDaysRepository;
  let figures: OpenDayFiguresRepository;
  const stores: Awaited<ReturnType<typeof seedStore>>[] = [];
  const random = randomSource(11);

  /** Hourly rows of both cameras of a store, at random hours of the span. */
  function hourlyRows(s: (typeof stores)[number], camera2: string, count: number): SummaryDelta[] {
    const rows = new Map<string, SummaryDelta>();
    while (rows.size < count) {
      const h = Math.floor(random() * SPAN_HOURS);
      const cameraId = random() < 0.5 ? s.camera.id : camera2;
      rows.set(`${h}/${cameraId}`, {
        period: 'hour',
        bucketStart: new Date(T0 + h * H),
        storeId: s.store.id,
        cameraId,
        zoneId: null,
        visitors: 1 + Math.floor(random() * 9),
        entries: Math.floor(random() * 5),
        exits: Math.floor(random() * 5),
        dwellCount: 1 + Math.floor(random() * 3),
        totalDwellMs: Math.floor(random() * 100_000),
        peakOccupancy: Math.floor(random() * 7),
      });
    }
    return [...rows.values()];
  }

  /** Random periods: some from and to local midnights, some at odd minutes. */
  function randomPeriods(n: number): LabelledPeriod[] {
    return Array.from({ length: n }, (_, i) => {
      const a = Math.floor(random() * SPAN_HOURS);
      const b = a + Math.floor(random() * (SPAN_HOURS - a)) + 1;
      const odd = () => (random() < 0.5 ? 0 : Math.floor(random() * 60) * 60_000);
      return { label: `p${i}`, from: new Date(T0 + a * H - odd()), to: new Date(T0 + b * H + odd()) };
    });
  }

  /** The same figures from every hourly row (the path for recordings; there are none here). */
  const fromHours = (periods: LabelledPeriod[]) =>
    repo.periodTotals({ storeIds: stores.map((s) => s.store.id), periods, includeRecordings: true });
  const fromDays = (periods: LabelledPeriod[]) =>
    repo.periodTotals({ storeIds: stores.map((s) => s.store.id), periods });

  beforeAll(async () => {
    t = await openTestDatabase(kind);
    repo = new ComparisonsRepository(t.db);
    days = new OpenDaysRepository(t.db);
    figures = new OpenDayFiguresRepository(t.db);
    // Havana's clocks fall back at midnight (2 November 2025: 00:00 twice).
    const zones = ['Europe/Berlin', 'Asia/Kolkata', 'America/New_York', 'America/Havana'];
    for (const [i, timezone] of zones.entries()) {
      const s = await seedStore(t.repos, `S${i}`);
      await t.repos.stores.update(s.store.id, { timezone, ...(i === 2 ? {} : { openingHours: HOURS }) });
      const camera2 = (await t.repos.cameras.create({ storeId: s.store.id, name: 'Till', source: '2' })).id;
      await t.repos.summaries.replace(hourlyRows(s, camera2, 150));
      stores.push(s);
    }
  });
  afterAll(async () => {
    await t?.close();
  });

  it('equal the figures added up from every hourly row, for any period', async () => {
    const periods = randomPeriods(12);
    // Midnight to midnight in Berlin, across the DST change: whole days only.
    periods[0] = {
      label: 'p0',
      from: new Date('2025-10-19T22:00:00Z'),
      to: new Date('2025-10-27T23:00:00Z'),
    };
    const expected = await fromHours(periods);
    expect(expected.some((r) => r.visitors > 0)).toBe(true);
    expect(await fromDays(periods)).toEqual(expected);
    // The rows are current now: nothing to compute again.
    for (const p of periods) {
      expect(
        await days.refresh(
          stores.map((s) => s.store.id),
          p.from,
          p.to,
        ),
      ).toBe(0);
    }
  });

  it("give each day's figures, the busiest hour and the hours of the day as the hourly rows do", async () => {
    for (const p of randomPeriods(8)) {
      for (const s of stores) {
        const { timezone } = await t.repos.stores.get(s.store.id);
        const q = { storeId: s.store.id, from: p.from, to: p.to, timezone, includeRecordings: true };
        expect(await figures.perDay(s.store.id, p.from, p.to)).toEqual(
          await t.repos.analytics.seriesFromSummaries({ ...q, interval: 'day' }),
        );
        const hours = await t.repos.analytics.seriesFromSummaries({ ...q, interval: 'hour' });
        const best = hours.reduce<(typeof hours)[number] | undefined>(
          (b, h) => (h.visitors > 0 && (!b || h.visitors > b.visitors) ? h : b),
          undefined,
        );
        const ofDay = await t.repos.analytics.visitorsByHourOfDay({ ...q, source: 'summaries' });
        expect(await figures.busiest(s.store.id, p.from, p.to)).toEqual({
          hour: best ? { start: best.bucketStart, visitors: best.visitors } : null,
          hoursOfDay: ofDay.filter((h) => h.visitors > 0),
        });
      }
    }
  });

  it('computes a day again after its hours change, and only that day', async () => {
    const whole = [{ label: 'all', from: new Date(T0), to: new Date(T0 + SPAN_HOURS * H) }];
    const ids = stores.map((s) => s.store.id);
    await fromDays(whole);
    expect(await days.refresh(ids, whole[0]!.from, whole[0]!.to)).toBe(0);
    // New counts at 10:00 UTC on a Thursday (open in all three stores), as ingest adds them.
    const s = stores[0]!;
    const bucket = { period: 'hour' as const, storeId: s.store.id, cameraId: s.camera.id, zoneId: null };
    await t.repos.summaries.increment([
      { ...bucket, bucketStart: new Date('2025-10-16T10:00:00Z'), visitors: 40, peakOccupancy: 30 },
    ]);
    expect(await days.refresh(ids, whole[0]!.from, whole[0]!.to)).toBe(1);
    expect(await fromDays(whole)).toEqual(await fromHours(whole));
    // A rebuild deletes rows.
    await t.repos.summaries.deleteRange({
      storeId: s.store.id,
      period: 'hour',
      from: new Date('2025-10-16T00:00:00Z'),
      to: new Date('2025-10-18T00:00:00Z'),
    });
    expect(await days.refresh(ids, whole[0]!.from, whole[0]!.to)).toBeGreaterThan(0);
    expect(await fromDays(whole)).toEqual(await fromHours(whole));
  });

  it("makes no day rows before a store's first data: a range from the year 1 costs what its data does", async () => {
    const end = new Date(T0 + SPAN_HOURS * H);
    const ids = stores.map((s) => s.store.id);
    const ancient = [{ label: 'ancient', from: new Date('0001-01-01T00:00:00Z'), to: end }];
    const recent = [{ label: 'ancient', from: new Date(T0 - 30 * 24 * H), to: end }];
    expect(await fromDays(ancient)).toEqual(await fromHours(recent));
    expect(await days.refresh(ids, ancient[0]!.from, end)).toBe(0);
    const [before] = await queryRows<{ n: unknown }>(
      t.db,
      sql`SELECT count(*) AS n FROM store_open_days WHERE day < ${new Date(T0 - 2 * 24 * H).toISOString()}::date`,
    );
    expect(Number(before!.n)).toBe(0);
  });

  it('reads today from the hours, never from a day row', async () => {
    const s = stores[2]!;
    const hour = new Date(Math.floor(Date.now() / H) * H - H);
    await t.repos.summaries.increment([
      {
        period: 'hour',
        bucketStart: hour,
        storeId: s.store.id,
        cameraId: s.camera.id,
        zoneId: null,
        visitors: 9,
      },
    ]);
    const upToNow = [
      {
        label: 'now',
        from: new Date(hour.getTime() - 3 * 24 * H),
        to: new Date(hour.getTime() + 2 * 24 * H),
      },
    ];
    const days = await fromDays(upToNow);
    expect(days).toEqual(await fromHours(upToNow));
    expect(days.find((r) => r.storeId === s.store.id)!.visitors).toBeGreaterThanOrEqual(9);
    const [today] = await queryRows<{ n: unknown }>(
      t.db,
      sql`SELECT count(*) AS n FROM store_open_days
          WHERE store_id = ${s.store.id} AND day >= (now() AT TIME ZONE 'America/New_York')::date AND computed_gen IS NOT NULL`,
    );
    expect(Number(today!.n)).toBe(0);
  });

  it('follows the opening hours and the time zone when they change', async () => {
    const periods = randomPeriods(6);
    await fromDays(periods);
    const [berlin, kolkata, york] = stores;
    await t.repos.stores.update(berlin!.store.id, { openingHours: null });
    await t.repos.stores.update(york!.store.id, { openingHours: { ...HOURS, closedDates: ['2025-10-17'] } });
    await t.repos.stores.update(kolkata!.store.id, { timezone: 'Australia/Adelaide' });
    expect(await fromDays(periods)).toEqual(await fromHours(periods));
  });

  if (kind === 'postgres') {
    it('reads a day an unfinished transaction is changing from its hours, without waiting', async () => {
      const whole = [{ label: 'all', from: new Date(T0), to: new Date(T0 + SPAN_HOURS * H) }];
      const s = stores[1]!;
      const bucket = { period: 'hour' as const, storeId: s.store.id, cameraId: s.camera.id, zoneId: null };
      const at = new Date('2025-10-21T08:00:00Z');
      await fromDays(whole);
      // Committed: the day is outdated. Then a transaction changes it again and holds its row.
      await t.repos.summaries.increment([{ ...bucket, bucketStart: at, visitors: 5 }]);
      let release = () => {};
      const held = new Promise<void>((r) => {
        release = r;
      });
      let inside = () => {};
      const started = new Promise<void>((r) => {
        inside = r;
      });
      const open = t.db.transaction(async (tx) => {
        await createRepositories(tx).summaries.increment([{ ...bucket, bucketStart: at, visitors: 100 }]);
        inside();
        await held;
      });
      await started;
      try {
        const committed = await fromHours(whole);
        expect(await fromDays(whole)).toEqual(committed);
      } finally {
        release();
        await open;
      }
      const after = await fromDays(whole);
      expect(after).toEqual(await fromHours(whole));
      expect(after.find((r) => r.storeId === s.store.id)!.visitors).toBeGreaterThan(100);
    });
  }
});
