/**
 * tracking_events partitioned by month (migration 0009): an existing database's events are carried
 * over with their ids, an odd clock lands in the default partition, a month added later takes its
 * events out of the default one, and a redelivered event is still stored once. Migration 0011 gives
 * each device with events its progress row.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import type { SequencedEvent } from '@oskartrack/protocol';
import { sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/pglite';
import { migrate } from 'drizzle-orm/pglite/migrator';
import { afterAll, describe, expect, it } from 'vitest';
import { type Db, MIGRATIONS_DIR, openDatabase, queryRows } from '../../src/db/database.ts';
import { createRepositories } from '../../src/db/repositories/index.ts';
import { BACKENDS, dropSchema, randomSchema, TEST_DATABASE_URL } from './backends.ts';

const PARTITIONED = '0009_partitioned_events';
const MONTH = new Date();
const NOW = Date.UTC(MONTH.getUTCFullYear(), MONTH.getUTCMonth(), 10, 12);
const YEARS_AGO = Date.UTC(MONTH.getUTCFullYear() - 6, 0, 15);

/** A copy of the migrations folder that stops before the partitioning migration. */
function migrationsBefore(tag: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'oskartrack-migrations-'));
  mkdirSync(join(dir, 'meta'));
  const journal = JSON.parse(readFileSync(join(MIGRATIONS_DIR, 'meta', '_journal.json'), 'utf8')) as {
    entries: { tag: string }[];
  };
  const entries = journal.entries.slice(
    0,
    journal.entries.findIndex((e) => e.tag === tag),
  );
  for (const e of entries) copyFileSync(join(MIGRATIONS_DIR, `${e.tag}.sql`), join(dir, `${e.tag}.sql`));
  writeFileSync(join(dir, 'meta', '_journal.json'), JSON.stringify({ ...journal, entries }));
  return dir;
}

/** A store, device, camera and three events written the way a hub before 0009 stored them. */
async function seedOldEvents(db: Db): Promise<void> {
  await db.execute(sql`INSERT INTO stores (id, name, timezone) VALUES ('s1', 'Old shop', 'Europe/Berlin')`);
  await db.execute(sql`INSERT INTO devices (id, store_id, name) VALUES ('d1', 's1', 'Box')`);
  await db.execute(
    sql`INSERT INTO cameras (id, store_id, device_id, name, source, frame_width, frame_height)
        VALUES ('c1', 's1', 'd1', 'Door', 'rtsp://x', 640, 480)`,
  );
  const events: [number, number, string, string | null][] = [
    [1, YEARS_AGO, 'track_started', null],
    [2, NOW, 'zone_entered', 'z1'],
    [3, NOW + 1000, 'zone_entered', 'z2'],
  ];
  for (const [seq, at, kind, zone] of events) {
    const payload = {
      kind,
      cameraId: 'c1',
      at,
      trackId: 7,
      ...(zone ? { zoneId: zone } : { box: [1, 2, 3, 4] }),
    };
    await db.execute(
      sql`INSERT INTO tracking_events (device_id, seq, kind, at, store_id, camera_id, track_id, zone_id, payload)
          VALUES ('d1', ${seq}, ${kind}, ${new Date(at).toISOString()}::timestamptz, 's1', 'c1', 7, ${zone},
            ${JSON.stringify(payload)}::jsonb)`,
    );
  }
}

async function partitionOf(db: Db, seq: number): Promise<string> {
  const [row] = await queryRows<{ part: string }>(
    db,
    sql`SELECT tableoid::regclass::text AS part FROM tracking_events WHERE device_id = 'd1' AND seq = ${seq}`,
  );
  return String(row?.part).replace(/^.*\./, '');
}

const monthName = (ms: number) => {
  const d = new Date(ms);
  return `tracking_events_${d.getUTCFullYear()}_${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
};

describe.each(BACKENDS)('partitioned tracking_events on %s', (kind) => {
  const cleanup: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const c of cleanup.reverse()) await c();
  });

  /** A database migrated up to before 0009, holding old events, then migrated to the end. */
  async function upgraded(): Promise<Db> {
    const before = migrationsBefore(PARTITIONED);
    cleanup.push(async () => rmSync(before, { recursive: true, force: true }));
    if (kind === 'pglite') {
      const client = await PGlite.create();
      cleanup.push(() => client.close());
      const db = drizzle({ client }) as unknown as Db;
      await migrate(drizzle({ client }), { migrationsFolder: before });
      await seedOldEvents(db);
      await migrate(drizzle({ client }), { migrationsFolder: MIGRATIONS_DIR });
      return db;
    }
    const schema = randomSchema();
    cleanup.push(() => dropSchema(schema));
    const handle = await openDatabase({ databaseUrl: TEST_DATABASE_URL, dataDir: tmpdir() }, { schema });
    cleanup.push(() => handle.close());
    await handle.db.execute(sql.raw(`CREATE SCHEMA "${schema}"`));
    const { migrate: migratePg } = await import('drizzle-orm/node-postgres/migrator');
    await migratePg(handle.db as Parameters<typeof migratePg>[0], {
      migrationsFolder: before,
      migrationsSchema: schema,
    });
    await seedOldEvents(handle.db);
    await handle.migrate();
    return handle.db;
  }

  it('carries existing events over with their ids; new events, redeliveries and odd clocks', async () => {
    const db = await upgraded();
    const rows = await queryRows<{ id: unknown; seq: unknown }>(
      db,
      sql`SELECT id, seq FROM tracking_events ORDER BY seq`,
    );
    expect(rows.map((r) => [Number(r.id), Number(r.seq)])).toEqual([
      [1, 1],
      [2, 2],
      [3, 3],
    ]);
    // Six years back is older than any month created: the default partition holds it.
    expect(await partitionOf(db, 1)).toBe('tracking_events_default');
    expect(await partitionOf(db, 2)).toBe(monthName(NOW));

    // The flows between areas of the stored events were summed up by the migration.
    const flows = await queryRows<{ from_zone_id: string | null; to_zone_id: string; count: unknown }>(
      db,
      sql`SELECT from_zone_id, to_zone_id, count FROM zone_flow_days ORDER BY to_zone_id`,
    );
    expect(flows.map((f) => [f.from_zone_id, f.to_zone_id, Number(f.count)])).toEqual([
      [null, 'z1', 1],
      ['z1', 'z2', 1],
    ]);

    // Migration 0011: the device's progress starts at its gap-free run, not at 0.
    const progress = await queryRows<{ device_id: string; acked_up_to: unknown }>(
      db,
      sql`SELECT device_id, acked_up_to FROM device_progress`,
    );
    expect(progress.map((p) => [p.device_id, Number(p.acked_up_to)])).toEqual([['d1', 3]]);

    const repos = createRepositories(db);
    const next: SequencedEvent[] = [
      {
        seq: 4,
        event: { kind: 'track_started', cameraId: 'c1', at: NOW + 5000, trackId: 8, box: [1, 2, 3, 4] },
      },
      // A box whose clock is twenty years ahead is still stored.
      {
        seq: 5,
        event: {
          kind: 'track_started',
          cameraId: 'c1',
          at: NOW + 20 * 365 * 86_400_000,
          trackId: 9,
          box: [1, 2, 3, 4],
        },
      },
    ];
    expect(await repos.events.insertEvents('d1', next)).toEqual({ inserted: 2, duplicates: 0 });
    expect(await repos.events.insertEvents('d1', next)).toEqual({ inserted: 0, duplicates: 2 });
    expect(await partitionOf(db, 5)).toBe('tracking_events_default');
    const [latest] = await queryRows<{ id: unknown }>(db, sql`SELECT id FROM tracking_events WHERE seq = 4`);
    expect(Number(latest?.id)).toBeGreaterThan(3);
  }, 300_000);

  it('a month added later takes its events out of the default partition', async () => {
    const db = await upgraded();
    const [added] = await queryRows<{ created: boolean }>(
      db,
      sql`SELECT tracking_events_add_month(${new Date(YEARS_AGO).toISOString().slice(0, 10)}::date) AS created`,
    );
    expect(added?.created).toBe(true);
    expect(await partitionOf(db, 1)).toBe(monthName(YEARS_AGO));
    const [again] = await queryRows<{ created: boolean }>(
      db,
      sql`SELECT tracking_events_add_month(${new Date(YEARS_AGO).toISOString().slice(0, 10)}::date) AS created`,
    );
    expect(again?.created).toBe(false);
    const [n] = await queryRows<{ n: unknown }>(db, sql`SELECT count(*) AS n FROM tracking_events`);
    expect(Number(n?.n)).toBe(3);
  }, 300_000);
});
