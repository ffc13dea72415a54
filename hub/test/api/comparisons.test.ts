/**
 * Comparisons over real HTTP (fastify inject) on both databases: the headline figures' changes against
 * the previous day, last week and last year, computed here from the seeded counts; the head-office
 * store table (figures, change, rank) from the hourly summaries; and the store scope (a manager of
 * store A never sees store B).
 */
import type { SequencedEvent } from '@oskartrack/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ranks } from '../../src/api/comparisons.ts';
import type { SummaryDelta } from '../../src/db/repositories/index.ts';
import { BACKENDS } from '../db/backends.ts';
import { type Fixture, H, openFixture } from './fixture.ts';

const DAY = 24 * H;
const iso = (ms: number) => new Date(ms).toISOString();
/** A Wednesday, well away from the fixture's own data (July 2025). */
const D = Date.parse('2025-03-12T00:00:00Z');
/** A Monday: a 14-day range from it is compared with the 14 days before and with last year. */
const S = Date.parse('2025-04-07T00:00:00Z');
const S_LAST_YEAR = Date.parse('2024-04-07T00:00:00Z');

/** Visit durations (ms) and entrances of the raw data per day. */
const TODAY = { durations: [10_000, 20_000, 30_000, 40_000], entrances: 3, peak: 5 };
const DAY_BEFORE = { durations: [60_000, 60_000], entrances: 1, peak: 2 };

/** Per hour of the summaries: store A now and the 14 days before, store B now only. */
const A_NOW = { visitors: 3, entries: 2, dwellCount: 3, totalDwellMs: 15_000, peakOccupancy: 4 };
const A_BEFORE = { visitors: 2, entries: 2, dwellCount: 2, totalDwellMs: 8_000, peakOccupancy: 3 };
const A_LAST_YEAR = { visitors: 1, entries: 1, dwellCount: 1, totalDwellMs: 1_000, peakOccupancy: 1 };
const B_NOW = { visitors: 1, entries: 1, dwellCount: 1, totalDwellMs: 2_000, peakOccupancy: 1 };
const HOURS = 14 * 24;
/** One hour of store A's range with more people inside at once than the others. */
const A_PEAK = 9;

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const rel = (now: number, before: number) => (now - before) / before;

describe('ranks', () => {
  it('gives the most visitors rank 1 and equal visitors the same rank', () => {
    expect(ranks([5, 9, 5, 1])).toEqual([2, 1, 2, 4]);
    expect(ranks([])).toEqual([]);
  });
});

describe.each(BACKENDS)('comparisons on %s', (kind) => {
  let f: Fixture;
  let seq = 100;

  async function rawDay(start: number, day: typeof TODAY): Promise<void> {
    const { camera, device, line } = f.a;
    for (const [i, ms] of day.durations.entries()) {
      const at = start + 10 * H + i * 60_000;
      await f.repos.visits.create({
        cameraId: camera.id,
        trackId: 500 + i,
        startedAt: new Date(at),
        endedAt: new Date(at + ms),
      });
    }
    const events: SequencedEvent[] = Array.from({ length: day.entrances }, (_, i) => ({
      seq: ++seq,
      event: {
        kind: 'line_crossed',
        cameraId: camera.id,
        at: start + 10 * H + i * 1000,
        trackId: 600 + i,
        lineId: line.id,
        direction: 'in',
      },
    }));
    await f.repos.events.insertEvents(device.id, events);
    await f.repos.summaries.replace([
      {
        period: 'hour',
        bucketStart: new Date(start + 10 * H),
        storeId: f.a.store.id,
        cameraId: camera.id,
        zoneId: null,
        peakOccupancy: day.peak,
      },
    ]);
  }

  function hours(s: Fixture['a'], start: number, count: number, values: typeof A_NOW): SummaryDelta[] {
    return Array.from({ length: count }, (_, h) => ({
      period: 'hour' as const,
      bucketStart: new Date(start + h * H),
      storeId: s.store.id,
      cameraId: s.camera.id,
      zoneId: null,
      ...values,
    }));
  }

  beforeAll(async () => {
    f = await openFixture(kind);
    await rawDay(D, TODAY);
    await rawDay(D - DAY, DAY_BEFORE);
    const aNow = hours(f.a, S, HOURS, A_NOW);
    aNow[30] = { ...aNow[30]!, peakOccupancy: A_PEAK };
    await f.repos.summaries.replace([
      ...aNow,
      ...hours(f.a, S - 14 * DAY, HOURS, A_BEFORE),
      ...hours(f.a, S_LAST_YEAR, 24, A_LAST_YEAR),
      ...hours(f.b, S, HOURS, B_NOW),
    ]);
  });
  afterAll(async () => {
    await f?.close();
  });

  const get = async (token: string, url: string, query: Record<string, string>) => {
    const r = await f.inject(token, { method: 'GET', url, query });
    expect(r.statusCode, r.body).toBe(200);
    return r.json();
  };

  it('compares a day with the day before and the same day last week (raw data)', async () => {
    const q = { storeId: f.a.store.id, from: iso(D), to: iso(D + DAY) };
    const c = await get(f.tokens.managerA, '/api/analytics/summary/changes', q);
    const summary = await get(f.tokens.managerA, '/api/analytics/summary', q);
    const now = {
      visitors: TODAY.durations.length,
      entries: TODAY.entrances,
      averageTimeSpentMs: mean(TODAY.durations),
      peakInside: TODAY.peak,
    };
    const before = {
      visitors: DAY_BEFORE.durations.length,
      entries: DAY_BEFORE.entrances,
      averageTimeSpentMs: mean(DAY_BEFORE.durations),
      peakInside: DAY_BEFORE.peak,
    };
    expect(c).toMatchObject({ source: 'raw', countedTo: iso(D + DAY), figures: now });
    // The same numbers as the summary the headline shows.
    expect(summary).toMatchObject({
      visitors: now.visitors,
      entries: now.entries,
      averageTimeSpentMs: now.averageTimeSpentMs,
    });
    expect(c.comparisons.map((p: { base: string }) => p.base)).toEqual(['previous', 'lastWeek']);
    const [previous, lastWeek] = c.comparisons;
    expect(previous).toMatchObject({ from: iso(D - DAY), to: iso(D), hasData: true, figures: before });
    expect(previous.changes.visitors).toBeCloseTo(rel(now.visitors, before.visitors), 10);
    expect(previous.changes.entries).toBeCloseTo(rel(now.entries, before.entries), 10);
    expect(previous.changes.averageTimeSpentMs).toBeCloseTo(
      rel(now.averageTimeSpentMs, before.averageTimeSpentMs),
      10,
    );
    expect(previous.changes.peakInside).toBeCloseTo(rel(now.peakInside, before.peakInside), 10);
    // Nothing was counted a week before: no change to show, rather than an endless one.
    expect(lastWeek).toMatchObject({
      from: iso(D - 7 * DAY),
      to: iso(D - 6 * DAY),
      hasData: false,
      changes: { visitors: null, entries: null, averageTimeSpentMs: null, peakInside: null },
    });
  });

  it('compares two weeks with the two weeks before and last year (hourly summaries)', async () => {
    const q = { storeId: f.a.store.id, from: iso(S), to: iso(S + 14 * DAY) };
    const c = await get(f.tokens.admin, '/api/analytics/summary/changes', q);
    const summary = await get(f.tokens.admin, '/api/analytics/summary', q);
    const total = (v: typeof A_NOW, n: number) => ({
      visitors: v.visitors * n,
      entries: v.entries * n,
      averageTimeSpentMs: v.totalDwellMs / v.dwellCount,
    });
    expect(c).toMatchObject({ source: 'summaries', figures: { ...total(A_NOW, HOURS), peakInside: A_PEAK } });
    expect(summary.visitors).toBe(c.figures.visitors);
    const [previous, lastYear] = c.comparisons;
    expect(previous).toMatchObject({
      base: 'previous',
      from: iso(S - 14 * DAY),
      to: iso(S),
      figures: { ...total(A_BEFORE, HOURS), peakInside: A_BEFORE.peakOccupancy },
    });
    expect(previous.changes.visitors).toBeCloseTo(rel(A_NOW.visitors, A_BEFORE.visitors), 10);
    expect(previous.changes.entries).toBeCloseTo(0, 10);
    expect(previous.changes.peakInside).toBeCloseTo(rel(A_PEAK, A_BEFORE.peakOccupancy), 10);
    expect(lastYear).toMatchObject({
      base: 'lastYear',
      from: iso(S_LAST_YEAR),
      to: iso(S_LAST_YEAR + 14 * DAY),
      hasData: true,
      figures: total(A_LAST_YEAR, 24),
    });
    expect(lastYear.changes.visitors).toBeCloseTo(rel(A_NOW.visitors * HOURS, A_LAST_YEAR.visitors * 24), 10);
  });

  it('lists every store with its figures, change and rank for an administrator', async () => {
    const t = await get(f.tokens.admin, '/api/analytics/stores-table', {
      from: iso(S),
      to: iso(S + 14 * DAY),
    });
    expect(t).toMatchObject({ previousFrom: iso(S - 14 * DAY), previousTo: iso(S) });
    const a = t.stores.find((s: { storeId: string }) => s.storeId === f.a.store.id);
    const b = t.stores.find((s: { storeId: string }) => s.storeId === f.b.store.id);
    expect(a).toMatchObject({
      name: f.a.store.name,
      rank: 1,
      visitors: A_NOW.visitors * HOURS,
      entries: A_NOW.entries * HOURS,
      averageTimeSpentMs: A_NOW.totalDwellMs / A_NOW.dwellCount,
      previous: { visitors: A_BEFORE.visitors * HOURS },
    });
    expect(a.changes.visitors).toBeCloseTo(rel(A_NOW.visitors, A_BEFORE.visitors), 10);
    // Store B counted nothing before: no change to show.
    expect(b).toMatchObject({
      rank: 2,
      visitors: B_NOW.visitors * HOURS,
      changes: { visitors: null, entries: null, averageTimeSpentMs: null },
    });
  });

  it('keeps a manager of store A to store A', async () => {
    const t = await get(f.tokens.managerA, '/api/analytics/stores-table', {
      from: iso(S),
      to: iso(S + 14 * DAY),
    });
    expect(t.stores.map((s: { storeId: string }) => s.storeId)).toEqual([f.a.store.id]);
    expect(t.stores[0].rank).toBe(1);
    expect(JSON.stringify(t)).not.toContain(f.b.store.id);
    const other = await f.inject(f.tokens.managerA, {
      method: 'GET',
      url: '/api/analytics/summary/changes',
      query: { storeId: f.b.store.id, from: iso(S), to: iso(S + 14 * DAY) },
    });
    expect(other.statusCode).toBe(404);
  });

  it('counts a range that runs past now up to now, and the earlier periods as long', async () => {
    const from = Date.now() - 2 * H;
    const before = Date.now();
    const c = await get(f.tokens.admin, '/api/analytics/summary/changes', {
      storeId: f.a.store.id,
      from: iso(from),
      to: iso(from + DAY),
    });
    const after = Date.now();
    const counted = Date.parse(c.countedTo);
    expect(counted).toBeGreaterThanOrEqual(before);
    expect(counted).toBeLessThanOrEqual(after);
    const [previous, lastWeek] = c.comparisons;
    expect(previous).toMatchObject({ from: iso(from - DAY), to: iso(counted - DAY) });
    expect(lastWeek).toMatchObject({ from: iso(from - 7 * DAY), to: iso(counted - 7 * DAY) });
  });

  it('describes both routes in the API document', async () => {
    const docs = await f.inject(undefined, { method: 'GET', url: '/api/docs/json' });
    expect(docs.statusCode).toBe(200);
    const paths = Object.keys(docs.json().paths);
    expect(paths).toEqual(
      expect.arrayContaining(['/api/analytics/summary/changes', '/api/analytics/stores-table']),
    );
  });

  it('says what to fix when the range is backwards', async () => {
    const r = await f.inject(f.tokens.admin, {
      method: 'GET',
      url: '/api/analytics/stores-table',
      query: { from: iso(S + DAY), to: iso(S) },
    });
    expect(r.statusCode).toBe(400);
    expect(r.json().message).toMatch(/end after it starts/);
  });
});
