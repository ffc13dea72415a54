/**
 * The answer cache in a whole hub (`startHub`, real HTTP, events through the real ingest): a kept
 * answer is byte for byte the computed one, and every change it depends on (events stored for the
 * store, a setting changed through the API) is visible in the next answer; scopes never share
 * answers; a range that has not ended is never kept; a revoked session gets 401, not a kept answer.
 */
import type { SequencedEvent } from '@oskartrack/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AnswerCache } from '../../src/api/answer-cache.ts';
import { BACKENDS } from '../db/backends.ts';
import { seedScene, sequence, visitorStream } from '../ingest/helpers.ts';
import { openTestHub, type TestHub } from '../live/hub.ts';

const WED = Date.parse('2025-07-02T00:00:00Z');
const H = 3_600_000;
const iso = (ms: number) => new Date(ms).toISOString();

describe.each(BACKENDS)('answer cache on %s', (kind) => {
  let h: TestHub;
  let cache: AnswerCache;
  let scene: Awaited<ReturnType<typeof seedScene>>;
  let other: Awaited<ReturnType<typeof seedScene>>;
  /** The next seq of each device. */
  const seqs = new Map<string, number>();

  /** `count` visitors from `at` through the hub's ingest (as a box's batch would come). */
  async function store(count: number, at: number, s = scene): Promise<void> {
    const first = seqs.get(s.device.id) ?? 1;
    const events: SequencedEvent[] = sequence(
      visitorStream(s.camera.id, s.zone.id, s.line.id, count, at),
      first,
    );
    seqs.set(s.device.id, first + events.length);
    await h.hub.ingest.submit(s.device.id, { v: 1, sentAt: Date.now(), floor: first, events });
  }

  async function get(token: string, path: string, query: Record<string, string>) {
    const r = await fetch(`${h.hub.url}${path}?${new URLSearchParams(query)}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    return { status: r.status, type: r.headers.get('content-type'), body: await r.text() };
  }

  const day = () => ({ storeId: scene.store.id, from: iso(WED), to: iso(WED + 24 * H) });
  const summary = async (token = h.adminToken) => get(token, '/api/analytics/summary', day());

  beforeAll(async () => {
    h = await openTestHub(kind);
    cache = h.hub.answers!;
    scene = await seedScene(h.t.repos);
    other = await seedScene(h.t.repos);
    await store(3, WED + 2 * H);
    await store(2, WED + 3 * H, other);
  });
  afterAll(async () => {
    await h?.close();
  });

  it('answers a repeated request from the cache with the same status, type and bytes', async () => {
    const hits = cache.stats.hits;
    const first = await summary();
    expect(first.status).toBe(200);
    const second = await summary();
    expect(second).toEqual(first);
    expect(cache.stats.hits).toBe(hits + 1);
  });

  it('shows events stored for the store in the next answer', async () => {
    const before = JSON.parse((await summary()).body) as { visitors: number };
    await summary(); // kept
    await store(4, WED + 5 * H);
    const after = JSON.parse((await summary()).body) as { visitors: number };
    expect(after.visitors).toBe(before.visitors + 4);
  });

  it('keeps answers about one store when another store gets events', async () => {
    await summary();
    const stored = cache.stats.stored;
    const hits = cache.stats.hits;
    await store(1, WED + 6 * H, other);
    await summary();
    expect(cache.stats.hits).toBe(hits + 1);
    expect(cache.stats.stored).toBe(stored);
  });

  it('shows a change of opening hours in the next answer', async () => {
    const open = JSON.parse((await summary()).body) as { visitors: number };
    expect(open.visitors).toBeGreaterThan(0);
    await summary(); // kept
    // Open 09:00-18:00 on weekdays: the visitors of 02:00-06:00 (UTC store) are left out.
    const openingHours = {
      week: [1, 2, 3, 4, 5].map((d) => ({ day: d, open: '09:00', close: '18:00' })),
      closedDates: [],
    };
    const r = await fetch(`${h.hub.url}/api/stores/${scene.store.id}`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${h.adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ openingHours }),
    });
    expect(r.status).toBe(200);
    const closed = JSON.parse((await summary()).body) as { visitors: number };
    expect(closed.visitors).toBe(0);
  });

  it('gives each scope its own answer and never another scope a kept one', async () => {
    const range = { from: iso(WED), to: iso(WED + 24 * H) };
    const viewer = await h.user('viewer', [other.store.id]);
    const all = await get(h.adminToken, '/api/analytics/stores-table', range);
    await get(h.adminToken, '/api/analytics/stores-table', range); // kept for the administrator
    const own = await get(viewer, '/api/analytics/stores-table', range);
    expect(own.status).toBe(200);
    const ids = (body: string) =>
      (JSON.parse(body) as { stores: { storeId: string }[] }).stores.map((s) => s.storeId);
    expect(ids(all.body)).toContain(scene.store.id);
    expect(ids(own.body)).toEqual([other.store.id]);
    // The administrator's kept summary of a store the viewer cannot see: 404, as without the cache.
    await summary();
    expect((await summary(viewer)).status).toBe(404);
  });

  it('never keeps an answer whose range touches the present', async () => {
    const now = Date.now();
    const query = { storeId: scene.store.id, from: iso(now - 24 * H), to: iso(now + H) };
    const stored = cache.stats.stored;
    const hits = cache.stats.hits;
    const first = await get(h.adminToken, '/api/analytics/summary', query);
    const second = await get(h.adminToken, '/api/analytics/summary', query);
    expect(first.status).toBe(200);
    expect(second.status).toBe(200);
    expect(cache.stats.stored).toBe(stored);
    expect(cache.stats.hits).toBe(hits);
  });

  it('checks the session before answering from the cache', async () => {
    const viewer = await h.user('viewer', [scene.store.id]);
    expect((await summary(viewer)).status).toBe(200);
    expect((await summary(viewer)).status).toBe(200); // kept
    const out = await fetch(`${h.hub.url}/api/auth/logout`, {
      method: 'POST',
      headers: { authorization: `Bearer ${viewer}`, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(out.status).toBe(204);
    const hits = cache.stats.hits;
    expect((await summary(viewer)).status).toBe(401);
    expect(cache.stats.hits).toBe(hits);
  });

  it('computes identical concurrent misses once', async () => {
    const query = { storeId: scene.store.id, from: iso(WED - 24 * H), to: iso(WED + 48 * H) };
    const misses = cache.stats.misses;
    const joined = cache.stats.joined;
    const answers = await Promise.all(
      Array.from({ length: 8 }, () => get(h.adminToken, '/api/analytics/timeseries', query)),
    );
    for (const a of answers) expect(a).toEqual(answers[0]);
    // However the requests interleaved, every one was a hit, a shared miss or the one computed.
    expect(cache.stats.misses - misses - (cache.stats.joined - joined)).toBeLessThanOrEqual(1);
  });

  it('computes more different misses than it has slots for, and gets each slot back after a refusal', async () => {
    // The hub computes 4 misses at once (serve's computeAnswersAtOnce); a slot kept by a refused miss
    // would leave the fifth request waiting for ever.
    for (let i = 0; i < 6; i++) {
      const unknown = { ...day(), storeId: `00000000-0000-4000-8000-00000000000${i}` };
      expect((await get(h.adminToken, '/api/analytics/summary', unknown)).status).toBe(404);
    }
    const answers = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        get(h.adminToken, '/api/analytics/summary', {
          storeId: scene.store.id,
          from: iso(WED - (i + 2) * 24 * H),
          to: iso(WED + 24 * H),
        }),
      ),
    );
    for (const a of answers) expect(a.status).toBe(200);
  });
});
