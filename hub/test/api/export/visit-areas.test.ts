/**
 * The areas of a page of visits, on both databases: more area times than one answer holds (the
 * window is halved until each answer fits), visits of another store and visits outside the page left
 * out, a visit without areas absent.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { areasOf } from '../../../src/api/export/visit-areas.ts';
import type { Visit } from '../../../src/db/repositories/visits.ts';
import { BACKENDS, openTestDatabase, seedStore, type TestDatabase } from '../../db/backends.ts';

const T0 = Date.parse('2026-11-24T10:00:00Z');
const VISITS = 700;
const square = (x: number): [number, number][] => [
  [x, 0],
  [x + 100, 0],
  [x + 100, 100],
  [x, 100],
];

describe.each(BACKENDS)('areas of a page of visits on %s', (kind) => {
  let t: TestDatabase;
  let storeId: string;
  let page: Visit[];
  let zones: string[];
  let bare: number;

  beforeAll(async () => {
    t = await openTestDatabase(kind);
    const r = t.repos;
    const [a, b] = [await seedStore(r, 'Areas'), await seedStore(r, 'Other')];
    storeId = a.store.id;
    zones = [];
    for (const [i, name] of ['Till', 'Bakery'].entries()) {
      zones.push((await r.zones.createZone({ cameraId: a.camera.id, name, polygon: square(i * 200) })).id);
    }
    const other = (await r.zones.createZone({ cameraId: b.camera.id, name: 'Till', polygon: square(0) })).id;
    const visit = (cameraId: string, i: number, areas: string[]) =>
      r.visits.create({
        cameraId,
        trackId: i + 1,
        startedAt: new Date(T0 + i * 1000),
        endedAt: new Date(T0 + i * 1000 + 500),
        zones: areas.map((zoneId) => ({ zoneId, dwellMs: 100 })),
      });
    // 700 visits through both areas: 1,400 area times, more than one answer of 1,000 holds.
    for (let i = 0; i < VISITS; i++) await visit(a.camera.id, i, zones);
    bare = (await visit(a.camera.id, VISITS, [])).visit.id;
    // Another store at the same times, and one more visit of this store after the page.
    await visit(b.camera.id, 5, [other]);
    await visit(a.camera.id, VISITS + 10, zones);
    page = (
      await r.visits.list({
        storeId,
        from: new Date(T0),
        to: new Date(T0 + (VISITS + 1) * 1000),
        limit: 1000,
      })
    ).items;
  }, 300_000);
  afterAll(async () => {
    await t?.close();
  });

  it('finds every area of every visit of the page, and nothing else', async () => {
    expect(page).toHaveLength(VISITS + 1);
    const areas = await areasOf(t.repos, storeId, page);
    expect(areas.size).toBe(VISITS);
    expect(areas.has(bare)).toBe(false);
    for (const v of page) {
      if (v.id === bare) continue;
      expect([...(areas.get(v.id) ?? [])].sort(), `visit ${v.id}`).toEqual([...zones].sort());
    }
  });

  it('answers nothing for an empty page', async () => {
    expect((await areasOf(t.repos, storeId, [])).size).toBe(0);
  });
});
