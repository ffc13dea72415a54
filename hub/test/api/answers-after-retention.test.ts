/**
 * Answers outlive the detail: a store with two days of walks between areas, visit paths and hourly
 * numbers; retention removes its raw events and visits; flows between areas, the heatmap and the most
 * people inside answer the same as before (now from the daily summaries), and a rebuild afterwards
 * leaves the days retention thinned alone. Also: a long range (past the raw limit) is answered from the
 * summaries with the same flows and heatmap the raw data gives.
 */
import type { EventOf, SequencedEvent } from '@oskartrack/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rebuildSummaries } from '../../src/aggregate/rebuild.ts';
import { runRetention } from '../../src/retention/run.ts';
import { BACKENDS, seedStore } from '../db/backends.ts';
import { type Fixture, H, openFixture } from './fixture.ts';

const DAY = 24 * H;
/** Two UTC days sixty days back: inside the raw limit, past a 30-day retention. */
const D0 = Math.floor(Date.now() / DAY) * DAY - 60 * DAY;
const iso = (ms: number) => new Date(ms).toISOString();

describe.each(BACKENDS)('answers after retention on %s', (kind) => {
  let f: Fixture;
  let storeId: string;
  let cameraId: string;

  beforeAll(async () => {
    f = await openFixture(kind);
    const r = f.repos;
    const s = await seedStore(r, 'Kept numbers');
    storeId = s.store.id;
    cameraId = s.camera.id;
    const square = (x: number): [number, number][] => [
      [x, 0],
      [x + 100, 0],
      [x + 100, 100],
      [x, 100],
    ];
    const zones = [];
    for (const [i, name] of ['Till', 'Bakery', 'Fruit'].entries()) {
      zones.push((await r.zones.createZone({ cameraId, name, polygon: square(i * 150) })).id);
    }
    // Per day and track: a walk through the areas; the walks differ so the flows have several counts.
    const walks = [
      [0, 1, 2],
      [0, 1],
      [1, 0, 1],
      [2, 2, 0],
      [0, 2],
    ];
    const events: SequencedEvent[] = [];
    const visits: { seq: number; event: EventOf<'visit_closed'> }[] = [];
    let seq = 0;
    for (const [d, day] of [D0, D0 + DAY].entries()) {
      for (const [t, walk] of walks.entries()) {
        // Track ids only grow on a box: the next day's tracks are new ones.
        const trackId = d * 10 + t + 1;
        const start = day + 10 * H + t * 600_000;
        events.push({
          seq: ++seq,
          event: { kind: 'track_started', cameraId, at: start - 1000, trackId, box: [10, 10, 40, 90] },
        });
        for (const [k, z] of walk.entries()) {
          events.push({
            seq: ++seq,
            event: { kind: 'zone_entered', cameraId, at: start + k * 60_000, trackId, zoneId: zones[z]! },
          });
        }
        const path = walk.map((z, k) => ({
          at: start + k * 60_000,
          point: [z * 150 + 20 + t * 7, 30 + k * 90] as [number, number],
        }));
        const closed: EventOf<'visit_closed'> = {
          kind: 'visit_closed',
          cameraId,
          at: start + 300_000,
          trackId,
          startedAt: start,
          durationMs: 300_000,
          path,
          zones: [],
        };
        events.push({
          seq: ++seq,
          event: {
            kind: 'track_ended',
            cameraId,
            at: start + 299_000,
            trackId,
            firstSeen: start - 1000,
            durationMs: 300_000,
          },
        });
        events.push({ seq: ++seq, event: closed });
        visits.push({ seq, event: closed });
      }
    }
    // Two deliveries, split inside a walk: a track's previous area may come from the earlier one.
    await r.events.insertEvents(s.device.id, events.slice(0, 7));
    await r.events.insertEvents(s.device.id, events.slice(7));
    await r.visits.createManyFromEvents(s.device.id, visits);
    await rebuildSummaries(f.t.db, { storeId, from: new Date(D0), to: new Date(D0 + 2 * DAY) });
  });
  afterAll(async () => {
    await f?.close();
  });

  const get = async (url: string, query: Record<string, string>) => {
    const res = await f.inject(f.tokens.admin, { method: 'GET', url, query });
    expect(res.statusCode, res.body).toBe(200);
    return res.json();
  };
  const twoDays = { from: iso(D0), to: iso(D0 + 2 * DAY) };
  const long = { from: iso(D0 - 200 * DAY), to: iso(D0 + 2 * DAY) };
  const answers = async (range: { from: string; to: string }) => ({
    flows: await get('/api/analytics/flows', { storeId, ...range }),
    heatmap: await get('/api/analytics/heatmap', { cameraId, ...range }),
    inside: await get('/api/analytics/summary/changes', { storeId, ...range }),
  });
  const strip = <T extends { source?: string }>(x: T) => ({ ...x, source: undefined });

  it('a long range reads the daily summaries and agrees with the raw data', async () => {
    const raw = await answers(twoDays);
    expect(raw.flows.source).toBe('raw');
    expect(raw.heatmap.source).toBe('raw');
    expect(raw.flows.flows.length).toBeGreaterThan(3);
    expect(raw.heatmap.total).toBeGreaterThan(10);
    const summarised = await answers(long);
    expect(summarised.flows.source).toBe('summaries');
    expect(summarised.heatmap.source).toBe('summaries');
    expect(strip(summarised.flows)).toEqual(strip(raw.flows));
    expect(strip(summarised.heatmap)).toEqual(strip(raw.heatmap));
  });

  it('flows, heatmap and people inside are unchanged once retention removed the detail', async () => {
    const before = await answers(twoDays);
    await f.repos.stores.update(storeId, { rawRetentionDays: 30 });
    const removed = await runRetention(f.t.db);
    expect(removed.eventsDeleted).toBeGreaterThan(0);
    expect(removed.visitsDeleted).toBeGreaterThanOrEqual(10);
    const left = await f.repos.visits.list({ storeId, from: new Date(D0), to: new Date(D0 + 2 * DAY) });
    expect(left.items).toEqual([]);
    const page = await f.repos.events.list({ storeId, from: new Date(D0), to: new Date(D0 + 2 * DAY) });
    expect(page.items).toEqual([]);

    const after = await answers(twoDays);
    expect(after.flows.source).toBe('summaries');
    expect(strip(after.flows)).toEqual(strip(before.flows));
    expect(strip(after.heatmap)).toEqual(strip(before.heatmap));
    expect(strip(after.inside)).toEqual(strip(before.inside));
    expect(after.inside.figures.visitors).toBe(10);
    expect(after.inside.figures.peakInside).toBeGreaterThan(0);

    // A rebuild now finds no detail there and leaves the kept numbers as they were.
    await rebuildSummaries(f.t.db, { storeId, from: new Date(D0), to: new Date(D0 + 2 * DAY) });
    const rebuilt = await answers(twoDays);
    expect(strip(rebuilt.inside)).toEqual(strip(before.inside));
    expect(strip(rebuilt.flows)).toEqual(strip(before.flows));
    expect(strip(rebuilt.heatmap)).toEqual(strip(before.heatmap));
  });
});
