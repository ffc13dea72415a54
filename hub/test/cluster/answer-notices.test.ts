/**
 * Answer caches across hub processes on one PostgreSQL: hub A (a whole `startHub`) keeps an answer;
 * events stored by hub B's ingest, and a setting changed through hub B's API, reach hub A as notices
 * (LISTEN/NOTIFY) and its next answer shows them.
 */
import { topics } from '@oskartrack/protocol';
import { sql } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AnswerCache } from '../../src/api/answer-cache.ts';
import { buildApp } from '../../src/app.ts';
import { LiveBridge } from '../../src/cluster/live-bridge.ts';
import { parseNotice } from '../../src/cluster/notices.ts';
import { Ingest } from '../../src/ingest/index.ts';
import { LiveFeed } from '../../src/live/feed.ts';
import { TEST_DATABASE_URL } from '../db/backends.ts';
import {
  batchPayload,
  MemoryBus,
  memoryLog,
  seedScene,
  sequence,
  visitorStream,
  waitFor,
} from '../ingest/helpers.ts';
import { openTestHub, type TestHub } from '../live/hub.ts';

const WED = Date.parse('2025-07-02T00:00:00Z');
const H = 3_600_000;
const iso = (ms: number) => new Date(ms).toISOString();
const quiet = { debug() {}, info() {}, warn() {}, error() {} };

describe('answers notices', () => {
  it('are checked on arrival like every hub notice', () => {
    expect(parseNotice('{"hub":"hub-b","kind":"answers"}').ok).toBe(true);
    expect(parseNotice('{"hub":"hub-b","kind":"answers","storeId":"store-1"}').ok).toBe(true);
    expect(parseNotice('{"hub":"hub-b","kind":"answers","storeId":"a store"}').ok).toBe(false);
    expect(parseNotice('{"hub":"hub-b","kind":"answers","storeId":"s","extra":1}').ok).toBe(false);
    expect(parseNotice('{"kind":"answers"}').ok).toBe(false);
  });
});

describe('answer caches of several hubs on PostgreSQL', () => {
  let h: TestHub;
  let scene: Awaited<ReturnType<typeof seedScene>>;
  let bus: MemoryBus;
  let appB: FastifyInstance;
  const stops: (() => Promise<void> | void)[] = [];
  let seq = 1;

  /** `count` visitors from `at`, stored by hub B's ingest. */
  function storeOnB(count: number, at: number): void {
    const events = sequence(visitorStream(scene.camera.id, scene.zone.id, scene.line.id, count, at), seq);
    seq += events.length;
    bus.inject(topics.events(scene.device.id), batchPayload(events));
  }

  const visitors = async (): Promise<number> => {
    const query = new URLSearchParams({ storeId: scene.store.id, from: iso(WED), to: iso(WED + 24 * H) });
    const r = await fetch(`${h.hub.url}/api/analytics/summary?${query}`, {
      headers: { authorization: `Bearer ${h.adminToken}` },
    });
    expect(r.status).toBe(200);
    return ((await r.json()) as { visitors: number }).visitors;
  };

  beforeAll(async () => {
    // Hub A: the whole hub, listening to the other hubs (its database URL is set).
    h = await openTestHub('postgres', { settings: { databaseUrl: TEST_DATABASE_URL } });
    scene = await seedScene(h.t.repos);
    // Hub B: its own answer cache, live bridge, ingest and API on the same database.
    const cacheB = new AnswerCache();
    const bridge = new LiveBridge({
      connectionString: TEST_DATABASE_URL,
      schema: h.t.schema,
      instanceId: 'hub-b',
      db: h.t.db,
      feed: new LiveFeed({ repos: h.t.repos, log: quiet }),
      log: quiet,
      answers: cacheB,
    });
    await bridge.start();
    cacheB.tellOthersWith(bridge.announceChanged);
    stops.push(() => bridge.stop());
    bus = new MemoryBus();
    const ingest = new Ingest({ bus, db: h.t.handle, log: memoryLog(), announce: bridge.announceStored });
    await ingest.start();
    stops.push(() => ingest.stop());
    appB = await buildApp({ settings: h.settings, db: h.t.handle, answerCache: cacheB });
    await appB.ready();
    stops.push(() => appB.close());
    storeOnB(3, WED + 2 * H);
    await waitFor(async () => (await visitors()) === 3, 'hub A sees the first visitors', 30_000);
  });
  afterAll(async () => {
    for (const stop of stops.reverse()) await stop();
    await h?.close();
  });

  it('shows events another hub stored in the next answer', async () => {
    expect(await visitors()).toBe(3);
    const hits = h.hub.answers!.stats.hits;
    expect(await visitors()).toBe(3);
    expect(h.hub.answers!.stats.hits).toBe(hits + 1);
    storeOnB(2, WED + 4 * H);
    // Kept until hub A hears of them; without the notice the old answer stays for minutes.
    await waitFor(async () => (await visitors()) === 5, "hub A's answer with hub B's events", 30_000);
  });

  it("shows a change made through another hub's API in the next answer", async () => {
    expect(await visitors()).toBeGreaterThan(0);
    await visitors(); // kept
    const openingHours = {
      week: [1, 2, 3, 4, 5].map((d) => ({ day: d, open: '09:00', close: '18:00' })),
      closedDates: [],
    };
    const r = await appB.inject({
      method: 'PATCH',
      url: `/api/stores/${scene.store.id}`,
      headers: { authorization: `Bearer ${h.adminToken}` },
      payload: { openingHours },
    });
    expect(r.statusCode).toBe(200);
    await waitFor(async () => (await visitors()) === 0, "hub A's answer with hub B's opening hours", 30_000);
  });

  it('drops every kept answer after hearing again from a lost connection (what it missed is unknown)', async () => {
    const answer = async (): Promise<string> => {
      const query = new URLSearchParams({ storeId: scene.store.id, from: iso(WED), to: iso(WED + 24 * H) });
      const r = await fetch(`${h.hub.url}/api/analytics/summary?${query}`, {
        headers: { authorization: `Bearer ${h.adminToken}` },
      });
      return r.text();
    };
    const before = await answer();
    expect(await answer()).toBe(before); // kept
    // Stored where no notice tells of it, as if told while hub A was not listening.
    const events = sequence(
      visitorStream(scene.camera.id, scene.zone.id, scene.line.id, 2, WED + 11 * H),
      seq,
    );
    seq += events.length;
    await h.t.repos.events.insertEvents(scene.device.id, events);
    expect(await answer()).toBe(before); // still the kept answer
    await h.t.db.execute(
      sql`SELECT pg_terminate_backend(pid) FROM pg_stat_activity
          WHERE application_name = ${`oskartrack-live-${h.hub.instanceId}`}`,
    );
    await waitFor(async () => (await answer()) !== before, 'a fresh answer after listening again', 30_000);
  });
});
