/**
 * Ingest's inserts of visits, their areas and visitor profiles: each a statement prepared under a name
 * whose rows travel as one JSON parameter that PostgreSQL unpacks itself. drizzle's multi-row
 * `insert().values()` spent about a third of the hub's own CPU time of an ingest run building the
 * parameter lists (hub/bench/ingest.ts with --cpu-prof), and every batch size was a new text to plan.
 */
import { sql } from 'drizzle-orm';
import type { Db } from '../database.ts';

/** `json`, not `jsonb`: read row by row, without first building the whole parameter as jsonb. */
const rows = sql`${sql.placeholder('rows')}::json`;

/** A visit row as the JSON parameter carries it (times as ISO strings). */
export interface VisitRow {
  store_id: string;
  camera_id: string;
  customer_id: string | null;
  source_device_id: string;
  source_seq: number;
  track_id: number;
  started_at: string;
  ended_at: string;
  duration_ms: number;
  path: unknown;
  upload_id: string | null;
}

/** Inserts visits (`rows`: VisitRow[] as JSON); a visit built before (same device and seq) is skipped. */
export function insertVisitsStatement(db: Db) {
  const added = db.$with('added', { id: sql<string>`id`.as('id'), seq: sql<string>`seq`.as('seq') }).as(
    sql`INSERT INTO visits (store_id, camera_id, customer_id, source_device_id, source_seq, track_id,
        started_at, ended_at, duration_ms, path, upload_id)
      SELECT r.store_id, r.camera_id, r.customer_id, r.source_device_id, r.source_seq, r.track_id,
        r.started_at, r.ended_at, r.duration_ms, r.path::jsonb, r.upload_id
      FROM json_to_recordset(${rows}) AS r(store_id text, camera_id text, customer_id uuid,
        source_device_id text, source_seq bigint, track_id bigint, started_at timestamptz,
        ended_at timestamptz, duration_ms bigint, path json, upload_id uuid)
      ON CONFLICT (source_device_id, source_seq) DO NOTHING
      RETURNING id, source_seq AS seq`,
  );
  return db.with(added).select().from(added).prepare('visits_add');
}

/** A visit's time in one area as the JSON parameter carries it. */
export interface ZoneVisitRow {
  visit_id: number;
  zone_id: string;
  store_id: string;
  started_at: string;
  dwell_ms: number;
  entries: number;
  upload_id: string | null;
}

/** Inserts the areas of visits just created (`rows`: ZoneVisitRow[] as JSON). */
export function insertZoneVisitsStatement(db: Db) {
  const added = db.$with('added', { n: sql<number>`n`.as('n') }).as(
    sql`INSERT INTO zone_visits (visit_id, zone_id, store_id, started_at, dwell_ms, entries, upload_id)
      SELECT r.visit_id, r.zone_id, r.store_id, r.started_at, r.dwell_ms, r.entries, r.upload_id
      FROM json_to_recordset(${rows}) AS r(visit_id bigint, zone_id text, store_id text,
        started_at timestamptz, dwell_ms bigint, entries integer, upload_id uuid)
      RETURNING 1 AS n`,
  );
  return db.with(added).select({ n: sql<number>`count(*)::int` }).from(added).prepare('zone_visits_add');
}

/** A visitor profile's sightings as the JSON parameter carries them. */
export interface SightingRow {
  store_id: string;
  tracking_id: string;
  first_seen_at: string;
  last_seen_at: string;
  visit_count: number;
}

/**
 * Adds sightings to visitor profiles (`rows`: SightingRow[] as JSON, one per profile), creating
 * missing ones; in key order, so concurrent transactions lock shared profiles in the same order.
 */
export function upsertSightingsStatement(db: Db) {
  const upserted = db
    .$with('upserted', {
      id: sql<string>`id`.as('id'),
      trackingId: sql<string>`tracking_id`.as('tracking_id'),
    })
    .as(
      sql`INSERT INTO customers AS c (store_id, tracking_id, first_seen_at, last_seen_at, visit_count)
        SELECT r.store_id, r.tracking_id, r.first_seen_at, r.last_seen_at, r.visit_count
        FROM json_to_recordset(${rows}) AS r(store_id text, tracking_id text, first_seen_at timestamptz,
          last_seen_at timestamptz, visit_count integer)
        ORDER BY r.store_id, r.tracking_id
        ON CONFLICT (store_id, tracking_id) DO UPDATE SET
          first_seen_at = LEAST(c.first_seen_at, excluded.first_seen_at),
          last_seen_at = GREATEST(c.last_seen_at, excluded.last_seen_at),
          visit_count = c.visit_count + excluded.visit_count,
          updated_at = now()
        RETURNING id, tracking_id`,
    );
  return db.with(upserted).select().from(upserted).prepare('customers_sightings');
}
