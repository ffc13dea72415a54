/**
 * The retention pass on both databases: whole months past every store's retention are dropped, a
 * store's own older rows are deleted in the months kept for others, nothing goes while a store keeps
 * everything, the months ahead are created, and a pass waits for nobody: while another process holds
 * the lock it skips its steps; the stores' day rows of the last 400 days are kept computed.
 */
import type { SequencedEvent } from '@oskartrack/protocol';
import { sql } from 'drizzle-orm';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { queryRows } from '../../src/db/database.ts';
import { EventPartitionsRepository } from '../../src/db/repositories/event-partitions.ts';
import { FIRST_RUN_AFTER_MS, RetentionJob } from '../../src/retention/job.ts';
import { RETENTION_LOCK_KEY } from '../../src/retention/lock.ts';
import { runDayRows, runRetention } from '../../src/retention/run.ts';
import { BACKENDS, openTestDatabase, seedStore, type TestDatabase } from '../db/backends.ts';

const NOW = new Date('2026-12-15T12:00:00Z');
const LONG_AGO = Date.parse('2025-08-10T10:00:00Z'); // 492 days before NOW
const WEEKS_AGO = Date.parse('2026-10-01T10:00:00Z'); // 75 days
const RECENT = Date.parse('2026-12-10T10:00:00Z'); // 5 days

function started(cameraId: string, at: number, seq: number): SequencedEvent {
  return { seq, event: { kind: 'track_started', cameraId, at, trackId: seq, box: [1, 2, 3, 4] } };
}

describe.each(BACKENDS)('retention on %s', (kind) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await openTestDatabase(kind);
  });
  afterAll(async () => {
    await t?.close();
  });

  /** A store keeping `days` of detail, with an event and a visit at each of the three ages. */
  async function storeKeeping(days: number | null) {
    const s = await seedStore(t.repos);
    await t.repos.stores.update(s.store.id, { rawRetentionDays: days });
    const ages = [LONG_AGO, WEEKS_AGO, RECENT];
    await t.repos.events.insertEvents(
      s.device.id,
      ages.map((at, i) => started(s.camera.id, at, i + 1)),
    );
    for (const [i, at] of ages.entries()) {
      await t.repos.visits.create({
        cameraId: s.camera.id,
        trackId: i + 1,
        startedAt: new Date(at),
        endedAt: new Date(at + 60_000),
        path: [{ at, point: [10, 10] }],
      });
    }
    return s;
  }

  async function kept(storeId: string) {
    const ev = await queryRows<{ at: Date | string }>(
      t.db,
      sql`SELECT at FROM tracking_events WHERE store_id = ${storeId} ORDER BY at`,
    );
    const vi = await queryRows<{ started_at: Date | string }>(
      t.db,
      sql`SELECT started_at FROM visits WHERE store_id = ${storeId} ORDER BY started_at`,
    );
    return {
      events: ev.map((r) => new Date(r.at).getTime()),
      visits: vi.map((r) => new Date(r.started_at).getTime()),
    };
  }

  it('drops whole months past the longest retention and deletes each store past its own', async () => {
    const partitions = new EventPartitionsRepository(t.db);
    // A hub running since then has that month's partition.
    await partitions.addMonth(new Date(LONG_AGO));
    await partitions.addMonth(new Date(WEEKS_AGO));
    const forever = await storeKeeping(null);

    // A store keeping everything: nothing goes, whatever the others keep.
    const short = await storeKeeping(30);
    let r = await runRetention(t.db, { now: NOW });
    expect(r.partitionsDropped).toEqual([]);
    expect(await kept(forever.store.id)).toEqual({
      events: [LONG_AGO, WEEKS_AGO, RECENT],
      visits: [LONG_AGO, WEEKS_AGO, RECENT],
    });
    expect(await kept(short.store.id)).toEqual({ events: [RECENT], visits: [RECENT] });

    // Now the longest retention is 400 days: August 2025 goes whole, the forever store's rows with it.
    await t.repos.stores.update(forever.store.id, { rawRetentionDays: 400 });
    r = await runRetention(t.db, { now: NOW, batch: 1 });
    expect(r.partitionsDropped).toEqual(['tracking_events_2025_08']);
    expect(r.skipped).toBe(0);
    expect(await kept(forever.store.id)).toEqual({
      events: [WEEKS_AGO, RECENT],
      visits: [WEEKS_AGO, RECENT],
    });
    expect((await partitions.months()).map((p) => p.name)).toEqual(
      expect.arrayContaining(['tracking_events_2026_10', 'tracking_events_2027_03']),
    );
    expect((await partitions.months()).map((p) => p.name)).not.toContain('tracking_events_2025_08');
  });

  it('deletes old rows an odd clock left in the default partition', async () => {
    const s = await seedStore(t.repos);
    await t.repos.stores.update(s.store.id, { rawRetentionDays: 30 });
    // Years back: no month partition holds it.
    await t.repos.events.insertEvents(s.device.id, [
      started(s.camera.id, Date.parse('2019-03-01T00:00:00Z'), 1),
    ]);
    const r = await runRetention(t.db, { now: NOW });
    expect(r.eventsDeleted).toBeGreaterThanOrEqual(1);
    expect((await kept(s.store.id)).events).toEqual([]);
  });

  it('keeps the day rows of the last 400 days computed: each changed day once', async () => {
    const s = await seedStore(t.repos);
    await runRetention(t.db, { now: NOW });
    expect((await runRetention(t.db, { now: NOW })).daysComputed).toBe(0);
    const visitors = (n: number) => ({
      period: 'hour' as const,
      bucketStart: new Date(WEEKS_AGO),
      storeId: s.store.id,
      cameraId: s.camera.id,
      zoneId: null,
      visitors: n,
    });
    // The store's first data: its days from then on are computed (none before it: they have no data).
    await t.repos.summaries.increment([visitors(3)]);
    const first = (await runRetention(t.db, { now: NOW })).daysComputed;
    expect(first).toBeGreaterThan(1);
    expect(first).toBeLessThanOrEqual(Math.ceil((NOW.getTime() - WEEKS_AGO) / (24 * 3600_000)) + 1);
    expect((await runRetention(t.db, { now: NOW })).daysComputed).toBe(0);
    await t.repos.summaries.increment([visitors(2)]);
    expect((await runRetention(t.db, { now: NOW })).daysComputed).toBe(1);
    const [row] = await queryRows<{ visitors: unknown }>(
      t.db,
      sql`SELECT visitors FROM store_open_days WHERE store_id = ${s.store.id} AND visitors > 0`,
    );
    expect(Number(row?.visitors)).toBe(5);
  });

  it('computes the day rows alone shortly after the start, in the background, long before the first pass', async () => {
    const s = await seedStore(t.repos);
    /** The store's current (computed) day rows. */
    const days = async () =>
      Number(
        (
          await queryRows<{ n: unknown }>(
            t.db,
            sql`SELECT count(*) AS n FROM store_open_days WHERE store_id = ${s.store.id} AND computed_gen = gen`,
          )
        )[0]?.n,
      );
    // Data of a few days ago on the real clock (the job's), so within the 400 days kept computed.
    const at = new Date(Math.floor(Date.now() / 3600_000) * 3600_000 - 5 * 24 * 3600_000);
    const hour = { period: 'hour' as const, storeId: s.store.id, cameraId: s.camera.id, zoneId: null };
    await t.repos.summaries.increment([{ ...hour, bucketStart: at, visitors: 4 }]);
    expect(await days()).toBe(0);
    const log = { info: () => {}, error: () => {} };
    const job = new RetentionJob(t.db, log);
    job.start(FIRST_RUN_AFTER_MS, 0);
    try {
      await vi.waitFor(() => expect(job.dayRowsAtStart).toBeDefined(), { timeout: 30_000 });
      const r = await job.dayRowsAtStart;
      expect(r?.daysComputed).toBeGreaterThan(0);
      expect(await days()).toBeGreaterThan(0);
      // Only the day rows: nothing else of the pass ran.
      expect(r?.eventsDeleted).toBe(0);
    } finally {
      await job.stop();
    }
    expect((await runDayRows(t.db)).daysComputed).toBe(0);
  });

  if (kind === 'postgres') {
    it('skips every step while another hub process holds the retention lock', async () => {
      const s = await storeKeeping(30);
      const other = new pg.Client({
        connectionString: process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
      });
      await other.connect();
      try {
        await other.query('BEGIN');
        await other.query('SELECT pg_advisory_xact_lock($1::bigint)', [RETENTION_LOCK_KEY]);
        const r = await runRetention(t.db, { now: NOW });
        expect(r.skipped).toBeGreaterThan(0);
        expect(r.eventsDeleted + r.visitsDeleted).toBe(0);
        expect((await kept(s.store.id)).events).toHaveLength(3);
        await other.query('COMMIT');
        const after = await runRetention(t.db, { now: NOW });
        expect(after.skipped).toBe(0);
        expect((await kept(s.store.id)).events).toEqual([RECENT]);
      } finally {
        await other.end();
      }
    });
  }
});
