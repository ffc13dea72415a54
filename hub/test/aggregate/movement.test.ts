/**
 * Daily flows between areas and heatmap cells: what ingest adds batch by batch (a track's previous
 * area may be in an earlier batch; a redelivery adds nothing) equals what the rebuild recomputes, and
 * days follow the store's time zone (a walk crossing local midnight starts again the next day).
 */
import type { EventOf, SequencedEvent } from '@oskartrack/protocol';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rebuildSummaries } from '../../src/aggregate/index.ts';
import { queryRows } from '../../src/db/database.ts';
import { BACKENDS, openTestDatabase, type TestDatabase } from '../db/backends.ts';
import { seedScene } from '../ingest/helpers.ts';

const MIN = 60_000;
/** 23:50 on 2 June in New York. */
const T = Date.parse('2025-06-03T03:50:00Z');

describe.each(BACKENDS)('daily flows and heatmap cells on %s', (kind) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await openTestDatabase(kind);
  });
  afterAll(async () => {
    await t?.close();
  });

  async function rows(storeId: string) {
    const flows = await queryRows<Record<string, unknown>>(
      t.db,
      sql`SELECT day::text AS day, from_zone_id, to_zone_id, count FROM zone_flow_days
          WHERE store_id = ${storeId} ORDER BY 1, 2 NULLS FIRST, 3`,
    );
    const cells = await queryRows<Record<string, unknown>>(
      t.db,
      sql`SELECT day::text AS day, cell_x, cell_y, count FROM heatmap_cell_days
          WHERE store_id = ${storeId} ORDER BY 1, 2, 3`,
    );
    return { flows, cells };
  }

  it('ingest adds what the rebuild recomputes, per store-local day, once', async () => {
    const scene = await seedScene(t.repos, 'America/New_York');
    const camera = scene.camera.id;
    const a = scene.zone.id;
    const b = (
      await t.repos.zones.createZone({
        cameraId: camera,
        name: 'Second',
        polygon: [
          [300, 300],
          [400, 300],
          [400, 400],
        ],
      })
    ).id;
    // Track 1 walks a -> b -> a -> b across local midnight; track 2 b -> b -> a on the next day.
    const walk: [number, number, string][] = [
      [1, T, a],
      [1, T + 5 * MIN, b],
      [1, T + 12 * MIN, a],
      [1, T + 14 * MIN, b],
      [2, T + 20 * MIN, b],
      [2, T + 21 * MIN, b],
      [2, T + 22 * MIN, a],
    ];
    const events: SequencedEvent[] = walk.map(([trackId, at, zoneId], i) => ({
      seq: i + 1,
      event: { kind: 'zone_entered', cameraId: camera, at, trackId, zoneId },
    }));
    const closed: { seq: number; event: EventOf<'visit_closed'> }[] = [1, 2].map((trackId) => ({
      seq: 100 + trackId,
      event: {
        kind: 'visit_closed',
        cameraId: camera,
        at: T + 30 * MIN,
        trackId,
        startedAt: trackId === 1 ? T : T + 20 * MIN,
        durationMs: 10 * MIN,
        path: [
          { at: T, point: [0, 0] },
          { at: T + MIN, point: [640, 480] },
          { at: T + 2 * MIN, point: [330, 250] },
        ],
        zones: [],
      },
    }));
    await t.repos.events.insertEvents(scene.device.id, events.slice(0, 2));
    await t.repos.events.insertEvents(scene.device.id, events.slice(2));
    await t.repos.events.insertEvents(scene.device.id, events); // redelivered: nothing new
    await t.repos.visits.createManyFromEvents(scene.device.id, closed);
    await t.repos.visits.createManyFromEvents(scene.device.id, closed);

    const ingested = await rows(scene.store.id);
    const n = (v: unknown) => Number(v);
    expect(ingested.flows.map((f) => [f.day, f.from_zone_id, f.to_zone_id, n(f.count)])).toEqual([
      ['2025-06-02', null, a, 1],
      ['2025-06-02', a, b, 1],
      // After local midnight track 1 starts again; track 2's second entry into b is no walk.
      ['2025-06-03', null, a, 1],
      ['2025-06-03', null, b, 1],
      ['2025-06-03', a, b, 1],
      ['2025-06-03', b, a, 1],
    ]);
    // Each path: a corner, the opposite corner (clamped into the last cell) and the middle.
    expect(ingested.cells.map((c) => [c.day, n(c.cell_x), n(c.cell_y), n(c.count)])).toEqual([
      ['2025-06-02', 0, 0, 1],
      ['2025-06-02', 33, 25, 1],
      ['2025-06-02', 63, 47, 1],
      ['2025-06-03', 0, 0, 1],
      ['2025-06-03', 33, 25, 1],
      ['2025-06-03', 63, 47, 1],
    ]);

    await rebuildSummaries(t.db, {
      storeId: scene.store.id,
      from: new Date('2025-06-02T12:00:00Z'),
      to: new Date('2025-06-04T12:00:00Z'),
    });
    expect(await rows(scene.store.id)).toEqual(ingested);
  });

  it('events arriving out of order give the same flows as in order, and as the rebuild', async () => {
    const scene = await seedScene(t.repos, 'America/New_York');
    const camera = scene.camera.id;
    const zone = (name: string, x: number) =>
      t.repos.zones.createZone({
        cameraId: camera,
        name,
        polygon: [
          [x, 300],
          [x + 50, 300],
          [x + 50, 400],
        ],
      });
    const [a, b, c] = [scene.zone.id, (await zone('B', 100)).id, (await zone('C', 200)).id];
    // One track walks a -> b -> c -> a (the same local day); the batches arrive 3rd, 1st, 4th, 2nd.
    const walk = [a, b, c, a];
    const events: SequencedEvent[] = walk.map((zoneId, i) => ({
      seq: i + 1,
      event: { kind: 'zone_entered', cameraId: camera, at: T - 60 * MIN + i * MIN, trackId: 7, zoneId },
    }));
    for (const i of [2, 0, 3, 1]) await t.repos.events.insertEvents(scene.device.id, [events[i]!]);
    await t.repos.events.insertEvents(scene.device.id, events); // redelivered: nothing new

    const ingested = await rows(scene.store.id);
    const walks = ingested.flows.map((f) => `${f.from_zone_id} > ${f.to_zone_id}: ${Number(f.count)}`);
    expect(walks.sort()).toEqual(
      [`null > ${a}: 1`, `${a} > ${b}: 1`, `${b} > ${c}: 1`, `${c} > ${a}: 1`].sort(),
    );
    await rebuildSummaries(t.db, {
      storeId: scene.store.id,
      from: new Date('2025-06-02T12:00:00Z'),
      to: new Date('2025-06-04T12:00:00Z'),
    });
    expect(await rows(scene.store.id)).toEqual(ingested);
  });
});
