/**
 * Daily summaries of where visitors walked, kept after the raw events and visits are gone: walks from
 * area to area (`zone_flow_days`, from `zone_entered` events) and heatmap cells (`heatmap_cell_days`,
 * from visit paths), per store-local day. Ingest adds what it stores (same transaction); the rebuild
 * recomputes whole days; migration 0009 filled them from the data stored before.
 *
 * Flows: a track's previous area is the last area it entered earlier the same store-local day (same
 * device, camera, track and recording). Heatmap: a path's foot points on a HEAT_GRID_COLS x
 * HEAT_GRID_ROWS grid over the camera's picture (cameras whose picture size is known).
 */
import type { PathPoint } from '@oskartrack/protocol';
import { type SQL, sql } from 'drizzle-orm';
import { type Db, queryRows } from '../database.ts';
import { HEAT_GRID_COLS, HEAT_GRID_ROWS } from '../schema.ts';
import { heatCells } from './heat-cells.ts';

const FLOW_UPSERT = sql`ON CONFLICT ON CONSTRAINT zone_flow_days_uq
  DO UPDATE SET count = zone_flow_days.count + excluded.count`;
const HEAT_UPSERT = sql`ON CONFLICT ON CONSTRAINT heatmap_cell_days_uq
  DO UPDATE SET count = heatmap_cell_days.count + excluded.count`;

/** A visit just stored, as the heatmap needs it; `frame` undefined: the camera's picture size is unknown. */
export interface HeatVisit {
  storeId: string;
  cameraId: string;
  uploadId: string | null;
  startedAt: Date;
  path: readonly PathPoint[];
  frame: { width: number; height: number } | undefined;
}

/**
 * The cells of `stored` added up per store, camera, recording, quarter hour of the start and cell:
 * every time zone's midnight falls on a quarter hour, so the quarter hour's store-local day is the
 * visit's own, and the statement gets a few rows instead of one per path point.
 */
function heatRows(stored: readonly HeatVisit[]) {
  const QUARTER = 15 * 60_000;
  const rows = new Map<string, HeatRow>();
  for (const v of stored) {
    if (!v.frame) continue;
    const quarter = Math.floor(v.startedAt.getTime() / QUARTER) * QUARTER;
    for (const c of heatCells(v.path, v.frame.width, v.frame.height)) {
      const key = `${v.storeId}|${v.cameraId}|${v.uploadId}|${quarter}|${c.x}|${c.y}`;
      const row = rows.get(key);
      if (row) row.count += c.count;
      else {
        rows.set(key, {
          store_id: v.storeId,
          camera_id: v.cameraId,
          upload_id: v.uploadId,
          started_at: new Date(quarter).toISOString(),
          cell_x: c.x,
          cell_y: c.y,
          count: c.count,
        });
      }
    }
  }
  return [...rows.values()];
}

interface HeatRow {
  store_id: string;
  camera_id: string;
  upload_id: string | null;
  started_at: string;
  cell_x: number;
  cell_y: number;
  count: number;
}

/** Heatmap cells of the visits `where` selects (alias v), added to the stored counts. */
function heatInsert(where: SQL): SQL {
  return sql`INSERT INTO heatmap_cell_days (day, store_id, camera_id, cell_x, cell_y, upload_id, count)
    SELECT day, store_id, camera_id,
      least(floor(x * ${HEAT_GRID_COLS}::int / w)::int, ${HEAT_GRID_COLS - 1}::int),
      least(floor(y * ${HEAT_GRID_ROWS}::int / h)::int, ${HEAT_GRID_ROWS - 1}::int), upload_id, count(*)::int
    FROM (
      SELECT v.store_id, v.camera_id, v.upload_id, (v.started_at AT TIME ZONE s.timezone)::date AS day,
        (p->'point'->>0)::float8 AS x, (p->'point'->>1)::float8 AS y,
        c.frame_width::float8 AS w, c.frame_height::float8 AS h
      FROM visits v JOIN stores s ON s.id = v.store_id JOIN cameras c ON c.id = v.camera_id
        CROSS JOIN LATERAL jsonb_array_elements(v.path) AS p
      WHERE c.frame_width IS NOT NULL AND c.frame_height IS NOT NULL AND jsonb_typeof(v.path) = 'array'
        AND ${where}
    ) pts
    WHERE x >= 0 AND y >= 0 AND x <= w AND y <= h
    GROUP BY 1, 2, 3, 4, 5, 6
    ${HEAT_UPSERT}`;
}

/**
 * Flows into the `zone_entered` events `where` selects (alias e), added to the stored counts. `prevAt`
 * bounds the earlier entries looked up (alias p) by constants, so the planner prunes partitions.
 */
function flowInsert(where: SQL, prevAt: SQL = sql`TRUE`): SQL {
  return sql`INSERT INTO zone_flow_days (day, store_id, camera_id, from_zone_id, to_zone_id, upload_id, count)
    SELECT t.day, t.store_id, t.camera_id, prev.zone_id, t.zone_id, t.upload_id, count(*)::int
    FROM (
      SELECT e.*, (e.at AT TIME ZONE s.timezone)::date AS day,
        ((e.at AT TIME ZONE s.timezone)::date::timestamp AT TIME ZONE s.timezone) AS day_start
      FROM tracking_events e JOIN stores s ON s.id = e.store_id
      WHERE e.kind = 'zone_entered' AND e.zone_id IS NOT NULL AND ${where}
    ) t
    LEFT JOIN LATERAL (
      SELECT p.zone_id FROM tracking_events p
      WHERE p.device_id = t.device_id AND p.camera_id = t.camera_id AND p.track_id = t.track_id
        AND p.kind = 'zone_entered' AND p.upload_id IS NOT DISTINCT FROM t.upload_id
        AND p.at >= t.day_start AND (p.at, p.seq) < (t.at, t.seq) AND ${prevAt}
      ORDER BY p.at DESC, p.seq DESC LIMIT 1
    ) prev ON TRUE
    WHERE prev.zone_id IS DISTINCT FROM t.zone_id
    GROUP BY 1, 2, 3, 4, 5, 6
    ${FLOW_UPSERT}`;
}

/** The last area a track entered before `n` on n's day (alias n; `extra` narrows the candidates). */
function previousArea(extra: SQL): SQL {
  return sql`(SELECT p.zone_id FROM tracking_events p
    WHERE p.device_id = n.device_id AND p.camera_id = n.camera_id AND p.track_id = n.track_id
      AND p.kind = 'zone_entered' AND p.upload_id IS NOT DISTINCT FROM n.upload_id
      AND p.at >= n.day_start AND (p.at, p.seq) < (n.at, n.seq) ${extra}
    ORDER BY p.at DESC, p.seq DESC LIMIT 1)`;
}

/**
 * Events that arrive out of order change the flow into the area the track entered next, stored
 * before them: that walk was counted from an older area. For each such next entry (the first later
 * one the same day that is not new) this selects the old walk to take back (-1) and the walk from the
 * new previous area to add (+1). `newSeqs` are the device's `zone_entered` events just stored.
 */
function flowCorrections(deviceId: SQL, newSeqs: SQL, span: AtSpan): SQL {
  const near = sql`p.at BETWEEN ${span.dayBefore} AND ${span.nextDay}`;
  return sql`SELECT day::text AS day, store_id, camera_id, from_zone_id, zone_id AS to_zone_id, upload_id,
      sum(delta)::int AS delta
    FROM (
      SELECT n.*, ${previousArea(sql`AND p.seq <> ALL(${newSeqs}) AND ${near}`)} AS old_from,
        ${previousArea(sql`AND ${near}`)} AS new_from
      FROM (
        SELECT DISTINCT x.*, (x.at AT TIME ZONE s.timezone)::date AS day,
          ((x.at AT TIME ZONE s.timezone)::date::timestamp AT TIME ZONE s.timezone) AS day_start
        FROM tracking_events t JOIN stores s ON s.id = t.store_id
        CROSS JOIN LATERAL (
          SELECT x.* FROM tracking_events x
          WHERE x.device_id = t.device_id AND x.camera_id = t.camera_id AND x.track_id = t.track_id
            AND x.kind = 'zone_entered' AND x.upload_id IS NOT DISTINCT FROM t.upload_id
            AND (x.at, x.seq) > (t.at, t.seq) AND x.at < t.at + interval '26 hours' -- same day
            AND x.at BETWEEN ${span.from} AND ${span.nextDay}
          ORDER BY x.at, x.seq LIMIT 1
        ) x
        WHERE t.device_id = ${deviceId} AND t.seq = ANY(${newSeqs}) AND t.at BETWEEN ${span.from} AND ${span.to}
          AND t.kind = 'zone_entered'
          AND x.seq <> ALL(${newSeqs}) AND x.zone_id IS NOT NULL
          AND (x.at AT TIME ZONE s.timezone)::date = (t.at AT TIME ZONE s.timezone)::date
      ) n
    ) c
    CROSS JOIN LATERAL (VALUES (old_from, -1), (new_from, 1)) AS d(from_zone_id, delta)
    WHERE old_from IS DISTINCT FROM new_from AND from_zone_id IS DISTINCT FROM zone_id
    GROUP BY 1, 2, 3, 4, 5, 6
    HAVING sum(delta) <> 0`;
}

/**
 * Bounds for every read of `tracking_events` around the entries just stored: their first and last
 * time, and a day and a bit on either side (a store-local day lasts at most 25 hours). Bounds from
 * other rows (`t.day_start`) prune partitions only when running, after every partition and its indexes
 * were planned: that planning was most of an ingest transaction's database time.
 */
interface AtSpan {
  dayBefore: SQL;
  from: SQL;
  to: SQL;
  nextDay: SQL;
}

/** The parameters of the two prepared flow statements of ingest. */
const P = {
  device: sql`${sql.placeholder('device')}::text`,
  seqs: sql`${sql.placeholder('seqs')}::bigint[]`,
  span: {
    dayBefore: sql`${sql.placeholder('dayBefore')}::timestamptz`,
    from: sql`${sql.placeholder('from')}::timestamptz`,
    to: sql`${sql.placeholder('to')}::timestamptz`,
    nextDay: sql`${sql.placeholder('nextDay')}::timestamptz`,
  } satisfies AtSpan,
};
const DAY_AND_A_BIT_MS = 26 * 3_600_000;

function flowParams(deviceId: string, entered: readonly { seq: number; at: number }[]) {
  const iso = (ms: number) => new Date(ms).toISOString();
  const first = Math.min(...entered.map((e) => e.at));
  const last = Math.max(...entered.map((e) => e.at));
  return {
    device: deviceId,
    seqs: `{${entered.map((e) => e.seq).join(',')}}`,
    dayBefore: iso(first - DAY_AND_A_BIT_MS),
    from: iso(first),
    to: iso(last),
    nextDay: iso(last + DAY_AND_A_BIT_MS),
  };
}

/**
 * Ingest's two flow statements, prepared under a name: the same text every time, so PostgreSQL
 * parses and plans them once per connection (planning them took 3 to 8 ms a transaction). Left to
 * choose, PostgreSQL planned them anew at every call (a plan for the partitions the values select
 * looks cheaper than one for all of them, whose pruning happens when running), so the caller sets
 * `plan_cache_mode` for its transaction.
 */
function addFlowsStatement(db: Db) {
  const { device, seqs, span } = P;
  const added = db
    .$with('added', { n: sql<number>`n` })
    .as(
      sql`${flowInsert(
        sql`e.device_id = ${device} AND e.seq = ANY(${seqs}) AND e.at BETWEEN ${span.from} AND ${span.to}`,
        sql`p.at BETWEEN ${span.dayBefore} AND ${span.to}`,
      )} RETURNING 1 AS n`,
    );
  return db.with(added).select({ n: sql<number>`count(*)::int` }).from(added).prepare('zone_flow_days_add');
}

function flowFixesStatement(db: Db) {
  const column = <T>(name: string) => sql<T>`${sql.identifier(name)}`.as(name);
  const fixes = db
    .$with('fixes', {
      day: column<string>('day'),
      store_id: column<string>('store_id'),
      camera_id: column<string>('camera_id'),
      from_zone_id: column<string | null>('from_zone_id'),
      to_zone_id: column<string>('to_zone_id'),
      upload_id: column<string | null>('upload_id'),
      delta: column<number>('delta'),
    })
    .as(flowCorrections(P.device, P.seqs, P.span));
  return db.with(fixes).select().from(fixes).prepare('zone_flow_days_fixes');
}

interface FlowFix {
  day: string;
  store_id: string;
  camera_id: string;
  from_zone_id: string | null;
  to_zone_id: string;
  upload_id: string | null;
  delta: number;
}

/** The fixes as rows `f` (a JSON parameter), matched to the stored row `z` when `z` is given. */
function fixRows(fixes: readonly FlowFix[]): SQL {
  return sql`jsonb_to_recordset(${JSON.stringify(fixes)}::jsonb) AS f(day date, store_id text, camera_id text,
    from_zone_id text, to_zone_id text, upload_id uuid, delta int)`;
}
const SAME_FLOW = sql`z.store_id = f.store_id AND z.day = f.day AND z.camera_id = f.camera_id
  AND z.from_zone_id IS NOT DISTINCT FROM f.from_zone_id AND z.to_zone_id = f.to_zone_id
  AND z.upload_id IS NOT DISTINCT FROM f.upload_id`;

export class MovementSummariesRepository {
  constructor(private readonly db: Db) {}

  /**
   * Adds the flows into a device's `zone_entered` events just stored (by seq, with their times), and
   * corrects the flow into a later entry stored before them. The times bound the reads to the
   * partitions that hold these events. Call it inside a transaction (it sets a transaction setting).
   */
  async addFlowsOfEvents(deviceId: string, entered: readonly { seq: number; at: number }[]): Promise<void> {
    if (entered.length === 0) return;
    const params = flowParams(deviceId, entered);
    // For the rest of this transaction only (ingest's): other queries keep plans for their own values.
    await this.db.execute(sql`SET LOCAL plan_cache_mode = force_generic_plan`);
    await addFlowsStatement(this.db).execute(params);
    const fixes: FlowFix[] = await flowFixesStatement(this.db).execute(params);
    if (fixes.length > 0) await this.applyFlowFixes(fixes);
  }

  /** Adds the positive fixes, takes back the negative ones and drops the flows left at zero. */
  private async applyFlowFixes(fixes: readonly FlowFix[]): Promise<void> {
    await this.db.execute(
      sql`INSERT INTO zone_flow_days (day, store_id, camera_id, from_zone_id, to_zone_id, upload_id, count)
        SELECT day, store_id, camera_id, from_zone_id, to_zone_id, upload_id, delta FROM ${fixRows(fixes)}
        WHERE delta > 0 ${FLOW_UPSERT}`,
    );
    await this.db.execute(
      sql`UPDATE zone_flow_days z SET count = greatest(z.count + f.delta, 0) FROM ${fixRows(fixes)}
        WHERE f.delta < 0 AND ${SAME_FLOW}`,
    );
    await this.db.execute(
      sql`DELETE FROM zone_flow_days z USING ${fixRows(fixes)} WHERE z.count = 0 AND ${SAME_FLOW}`,
    );
  }

  /**
   * Adds the heatmap cells of visits just stored, from their paths in hand (reading them back costs
   * more): one statement, the day by the store's clock, cells in key order.
   */
  async addHeatmapOfVisits(stored: readonly HeatVisit[]): Promise<void> {
    const rows = heatRows(stored);
    if (rows.length === 0) return;
    await this.db.execute(
      sql`INSERT INTO heatmap_cell_days (day, store_id, camera_id, cell_x, cell_y, upload_id, count)
        SELECT (r.started_at AT TIME ZONE s.timezone)::date, r.store_id, r.camera_id, r.cell_x, r.cell_y,
          r.upload_id, sum(r.count)::int
        FROM json_to_recordset(${JSON.stringify(rows)}::json) AS r(store_id text, camera_id text,
          upload_id uuid, started_at timestamptz, cell_x smallint, cell_y smallint, count int)
          JOIN stores s ON s.id = r.store_id
        GROUP BY 1, 2, 3, 4, 5, 6
        ORDER BY 3, 1, 4, 5, 6
        ${HEAT_UPSERT}`,
    );
  }

  /**
   * Recomputes a store's flows and heatmap cells for the store-local days [fromDay, toDay)
   * (YYYY-MM-DD) from the raw data still stored: call it inside a transaction.
   */
  async rebuildDays(storeId: string, fromDay: string, toDay: string): Promise<void> {
    const days = (column: string) =>
      sql`(${sql.raw(column)} AT TIME ZONE s.timezone)::date >= ${fromDay}::date
        AND (${sql.raw(column)} AT TIME ZONE s.timezone)::date < ${toDay}::date`;
    await this.db.execute(
      sql`DELETE FROM zone_flow_days WHERE store_id = ${storeId} AND day >= ${fromDay}::date AND day < ${toDay}::date`,
    );
    await this.db.execute(
      sql`DELETE FROM heatmap_cell_days WHERE store_id = ${storeId} AND day >= ${fromDay}::date AND day < ${toDay}::date`,
    );
    await this.db.execute(flowInsert(sql`e.store_id = ${storeId} AND ${days('e.at')}`));
    await this.db.execute(heatInsert(sql`v.store_id = ${storeId} AND ${days('v.started_at')}`));
  }

  /** Summed flows of a store over [fromDay, toDay), most frequent first. */
  async flows(q: {
    storeId: string;
    cameraId?: string;
    fromDay: string;
    toDay: string;
    /** Store-local days left out (the store was closed all day). */
    closedDays: readonly string[];
    includeRecordings?: boolean;
    limit: number;
  }): Promise<{ fromZoneId: string | null; toZoneId: string; count: number }[]> {
    const rows = await queryRows<{ from_zone_id: string | null; to_zone_id: string; n: unknown }>(
      this.db,
      sql`SELECT from_zone_id, to_zone_id, sum(count)::int AS n FROM zone_flow_days
          WHERE store_id = ${q.storeId} AND day >= ${q.fromDay}::date AND day < ${q.toDay}::date
            ${q.cameraId ? sql`AND camera_id = ${q.cameraId}` : sql``}
            ${q.includeRecordings ? sql`` : sql`AND upload_id IS NULL`}
            ${closed(q.closedDays)}
          GROUP BY from_zone_id, to_zone_id
          ORDER BY n DESC, from_zone_id NULLS FIRST, to_zone_id
          LIMIT ${q.limit}`,
    );
    return rows.map((r) => ({ fromZoneId: r.from_zone_id, toZoneId: r.to_zone_id, count: Number(r.n) }));
  }

  /** A camera's heatmap cells over [fromDay, toDay), regrouped onto a `cols` x `rows` grid. */
  async heatmap(q: {
    cameraId: string;
    fromDay: string;
    toDay: string;
    closedDays: readonly string[];
    includeRecordings?: boolean;
    cols: number;
    rows: number;
  }): Promise<{ col: number; row: number; count: number }[]> {
    const rows = await queryRows<{ cx: unknown; cy: unknown; n: unknown }>(
      this.db,
      sql`SELECT (cell_x * ${q.cols}::int / ${HEAT_GRID_COLS}::int) AS cx,
            (cell_y * ${q.rows}::int / ${HEAT_GRID_ROWS}::int) AS cy, sum(count)::int AS n
          FROM heatmap_cell_days
          WHERE camera_id = ${q.cameraId} AND day >= ${q.fromDay}::date AND day < ${q.toDay}::date
            ${q.includeRecordings ? sql`` : sql`AND upload_id IS NULL`}
            ${closed(q.closedDays)}
          GROUP BY 1, 2`,
    );
    return rows.map((r) => ({ col: Number(r.cx), row: Number(r.cy), count: Number(r.n) }));
  }
}

function closed(days: readonly string[]): SQL {
  if (days.length === 0) return sql``;
  return sql`AND day <> ALL(${`{${days.join(',')}}`}::date[])`;
}
