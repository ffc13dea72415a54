/**
 * Read-only analytics queries, from the raw tables (visits, zone_visits, tracking_events: exact to the
 * millisecond, slower over long ranges) or from the hourly summaries (fast, whole hours only). Which one
 * a request uses is the API's choice (`hub/src/api/analytics.ts`); both return the same shapes.
 *
 * Definitions shared by both sources:
 * - visitors: visits that started in the range (whole-camera summary rows: `visitors`);
 * - entries / exits: counting-line crossings in / out;
 * - time spent: visit durations (`dwell_count` stays, `total_dwell_ms` their sum).
 * Every query counts the store's opening hours only (`../../analytics/opening-hours.ts`): raw rows by
 * the instant they happened, summary rows by whether their hour overlaps an opening.
 */
import { type SQL, sql } from 'drizzle-orm';
import { openSql, openSqlByStore, type Span } from '../../analytics/opening-hours.ts';
import { type Db, queryRows } from '../database.ts';
import { ValidationError } from '../errors.ts';
import { requireRange } from './common.ts';
import { MovementSummariesRepository } from './movement-summaries.ts';
import { OpenDayFiguresRepository } from './open-day-figures.ts';
import { list, num, ts } from './sql-values.ts';
import { StoresRepository } from './stores.ts';

export type Interval = 'hour' | 'day';

export interface AnalyticsRange {
  from: Date;
  to: Date;
  /** Also count uploaded recordings (default: live cameras only). */
  includeRecordings?: boolean;
}
export interface StoresScope extends AnalyticsRange {
  storeIds: readonly string[];
  cameraId?: string;
}
export interface StoreScope extends AnalyticsRange {
  storeId: string;
  cameraId?: string;
}
export interface Counts {
  visitors: number;
  entries: number;
  exits: number;
  dwellCount: number;
  totalDwellMs: number;
}
export interface StoreCounts extends Counts {
  storeId: string;
}
export interface BucketCounts extends Counts {
  bucketStart: Date;
}
export interface HourOfDayCount {
  /** 0-23 in the store's time zone. */
  hour: number;
  visitors: number;
}
export interface ZoneCounts extends Counts {
  zoneId: string;
}
export interface ZoneFlow {
  /** null: the first area a visitor walked into. */
  fromZoneId: string | null;
  toZoneId: string;
  count: number;
}
export interface HeatCell {
  col: number;
  row: number;
  count: number;
}

const EMPTY: Counts = { visitors: 0, entries: 0, exits: 0, dwellCount: 0, totalDwellMs: 0 };

/** Leaves uploaded recordings out unless asked: every table read here has an `upload_id`. */
function recordings(q: { includeRecordings?: boolean }, table = ''): SQL {
  return q.includeRecordings ? sql`` : sql.raw(`AND ${table}upload_id IS NULL`);
}

function requireTimezone(tz: string): string {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
  } catch {
    throw new ValidationError(`unknown time zone ${JSON.stringify(tz)}`);
  }
  return tz;
}

/** The bucket a timestamp column falls in: UTC hours, or days in the store's time zone. */
/** The whole store's live cameras: what the day rows hold (open-days.ts). */
export function wholeStoreLive(q: { cameraId?: string; includeRecordings?: boolean }): boolean {
  return !q.cameraId && !q.includeRecordings;
}

function bucket(column: SQL, interval: Interval, timezone: string): SQL {
  if (interval === 'hour') return sql`date_trunc('hour', ${column})`;
  const tz = requireTimezone(timezone);
  return sql`(date_trunc('day', ${column} AT TIME ZONE ${tz}) AT TIME ZONE ${tz})`;
}

const date = (v: unknown): Date => (v instanceof Date ? v : new Date(String(v)));

function mergeBy<K>(
  visits: { key: K; visitors: unknown; dwell_count: unknown; total_dwell_ms: unknown }[],
  lines: { key: K; entries: unknown; exits: unknown }[],
  keyOf: (k: K) => string,
): Map<string, { key: K } & Counts> {
  const out = new Map<string, { key: K } & Counts>();
  const at = (key: K) => {
    const k = keyOf(key);
    let row = out.get(k);
    if (!row) {
      row = { key, ...EMPTY };
      out.set(k, row);
    }
    return row;
  };
  for (const v of visits) {
    const row = at(v.key);
    row.visitors += num(v.visitors);
    row.dwellCount += num(v.dwell_count);
    row.totalDwellMs += num(v.total_dwell_ms);
  }
  for (const l of lines) {
    const row = at(l.key);
    row.entries += num(l.entries);
    row.exits += num(l.exits);
  }
  return out;
}

export class AnalyticsRepository {
  private readonly stores: StoresRepository;
  /** Flows and heatmap cells per day, kept after the raw data (movement-summaries.ts). */
  readonly movement: MovementSummariesRepository;

  constructor(private readonly db: Db) {
    this.stores = new StoresRepository(db);
    this.movement = new MovementSummariesRepository(db);
  }

  /** `AND <open>` for rows of these stores: their `column` in each store's opening hours. */
  private async open(
    storeIds: readonly string[],
    column: string,
    span: Span,
    storeColumn = 'store_id',
  ): Promise<SQL> {
    const hours = await this.stores.hoursOf(storeIds);
    return sql`AND ${openSqlByStore(hours, sql.raw(storeColumn), sql.raw(column), span)}`;
  }

  /** Totals per store from the raw visits and line crossings. */
  async totalsFromRaw(q: StoresScope): Promise<StoreCounts[]> {
    requireRange(q.from, q.to);
    if (q.storeIds.length === 0) return [];
    const camera = q.cameraId ? sql`AND camera_id = ${q.cameraId}` : sql``;
    const openVisit = await this.open(q.storeIds, 'started_at', 'instant');
    const openLine = await this.open(q.storeIds, 'at', 'instant');
    const visits = await queryRows<{
      key: string;
      visitors: unknown;
      dwell_count: unknown;
      total_dwell_ms: unknown;
    }>(
      this.db,
      sql`SELECT store_id AS key, count(*)::int AS visitors, count(*)::int AS dwell_count,
            coalesce(sum(duration_ms), 0)::float8 AS total_dwell_ms
          FROM visits
          WHERE store_id IN (${list(q.storeIds)}) AND started_at >= ${ts(q.from)} AND started_at < ${ts(q.to)} ${camera} ${recordings(q)}
            ${openVisit}
          GROUP BY store_id`,
    );
    const lines = await queryRows<{ key: string; entries: unknown; exits: unknown }>(
      this.db,
      sql`SELECT store_id AS key,
            count(*) FILTER (WHERE payload->>'direction' = 'in')::int AS entries,
            count(*) FILTER (WHERE payload->>'direction' = 'out')::int AS exits
          FROM tracking_events
          WHERE kind = 'line_crossed' AND store_id IN (${list(q.storeIds)})
            AND at >= ${ts(q.from)} AND at < ${ts(q.to)} ${camera} ${recordings(q)} ${openLine}
          GROUP BY store_id`,
    );
    const merged = mergeBy(visits, lines, (k) => k);
    return q.storeIds.map((storeId) => {
      const row = merged.get(storeId);
      return { ...EMPTY, ...(row ? stripKey(row) : {}), storeId };
    });
  }

  /** Totals per store from the whole-camera hourly summaries whose hour starts in the range. */
  async totalsFromSummaries(q: StoresScope): Promise<StoreCounts[]> {
    requireRange(q.from, q.to);
    if (q.storeIds.length === 0) return [];
    if (wholeStoreLive(q)) return this.totalsFromOpenDays(q);
    const camera = q.cameraId ? sql`AND camera_id = ${q.cameraId}` : sql``;
    const open = await this.open(q.storeIds, 'bucket_start', 'hour');
    const rows = await queryRows<Record<string, unknown>>(
      this.db,
      sql`SELECT store_id, coalesce(sum(visitors), 0)::float8 AS visitors, coalesce(sum(entries), 0)::float8 AS entries,
            coalesce(sum(exits), 0)::float8 AS exits, coalesce(sum(dwell_count), 0)::float8 AS dwell_count,
            coalesce(sum(total_dwell_ms), 0)::float8 AS total_dwell_ms
          FROM analytics_summaries
          WHERE period = 'hour' AND zone_id IS NULL AND store_id IN (${list(q.storeIds)})
            AND bucket_start >= ${ts(q.from)} AND bucket_start < ${ts(q.to)} ${camera} ${recordings(q)} ${open}
          GROUP BY store_id`,
    );
    const byStore = new Map(rows.map((r) => [String(r.store_id), r]));
    return q.storeIds.map((storeId) => {
      const r = byStore.get(storeId);
      return {
        storeId,
        visitors: num(r?.visitors),
        entries: num(r?.entries),
        exits: num(r?.exits),
        dwellCount: num(r?.dwell_count),
        totalDwellMs: num(r?.total_dwell_ms),
      };
    });
  }

  /** Whole stores' live counts: whole days from the day rows (open-days.ts), computed first where missing. */
  private async totalsFromOpenDays(q: StoresScope): Promise<StoreCounts[]> {
    const days = new OpenDayFiguresRepository(this.db);
    const rows = await days.totals(q.storeIds, [{ label: 'range', from: q.from, to: q.to }]);
    return rows.map(({ storeId, visitors, entries, exits, dwellCount, totalDwellMs }) => ({
      storeId,
      visitors,
      entries,
      exits,
      dwellCount,
      totalDwellMs,
    }));
  }

  /** The busiest open hour and the visitors per hour of the day of a whole store's live cameras. */
  busiestFromDays(q: StoreScope) {
    return new OpenDayFiguresRepository(this.db).busiest(q.storeId, q.from, q.to);
  }

  /** A store's counts per hour (UTC) or per store-local day, from the raw tables; empty buckets left out. */
  async seriesFromRaw(q: StoreScope & { interval: Interval; timezone: string }): Promise<BucketCounts[]> {
    requireRange(q.from, q.to);
    const camera = q.cameraId ? sql`AND camera_id = ${q.cameraId}` : sql``;
    const vb = bucket(sql.raw('started_at'), q.interval, q.timezone);
    const eb = bucket(sql.raw('at'), q.interval, q.timezone);
    const openVisit = await this.open([q.storeId], 'started_at', 'instant');
    const openLine = await this.open([q.storeId], 'at', 'instant');
    const visits = await queryRows<{
      key: unknown;
      visitors: unknown;
      dwell_count: unknown;
      total_dwell_ms: unknown;
    }>(
      this.db,
      sql`SELECT ${vb} AS key, count(*)::int AS visitors, count(*)::int AS dwell_count,
            coalesce(sum(duration_ms), 0)::float8 AS total_dwell_ms
          FROM visits
          WHERE store_id = ${q.storeId} AND started_at >= ${ts(q.from)} AND started_at < ${ts(q.to)} ${camera} ${recordings(q)}
            ${openVisit}
          GROUP BY 1`,
    );
    const lines = await queryRows<{ key: unknown; entries: unknown; exits: unknown }>(
      this.db,
      sql`SELECT ${eb} AS key,
            count(*) FILTER (WHERE payload->>'direction' = 'in')::int AS entries,
            count(*) FILTER (WHERE payload->>'direction' = 'out')::int AS exits
          FROM tracking_events
          WHERE kind = 'line_crossed' AND store_id = ${q.storeId} AND at >= ${ts(q.from)} AND at < ${ts(q.to)} ${camera} ${recordings(q)}
            ${openLine}
          GROUP BY 1`,
    );
    const merged = mergeBy(
      visits.map((v) => ({ ...v, key: date(v.key) })),
      lines.map((l) => ({ ...l, key: date(l.key) })),
      (k) => String(k.getTime()),
    );
    return [...merged.values()]
      .map((r) => ({ bucketStart: r.key, ...stripKey(r) }))
      .sort((a, b) => a.bucketStart.getTime() - b.bucketStart.getTime());
  }

  /** The same series from the whole-camera hourly summaries (days regroup the hours by local day). */
  async seriesFromSummaries(
    q: StoreScope & { interval: Interval; timezone: string },
  ): Promise<BucketCounts[]> {
    requireRange(q.from, q.to);
    if (q.interval === 'day' && wholeStoreLive(q)) {
      return new OpenDayFiguresRepository(this.db).perDay(q.storeId, q.from, q.to);
    }
    const camera = q.cameraId ? sql`AND camera_id = ${q.cameraId}` : sql``;
    const b = bucket(sql.raw('bucket_start'), q.interval, q.timezone);
    const open = await this.open([q.storeId], 'bucket_start', 'hour');
    const rows = await queryRows<Record<string, unknown>>(
      this.db,
      sql`SELECT ${b} AS bucket, coalesce(sum(visitors), 0)::float8 AS visitors, coalesce(sum(entries), 0)::float8 AS entries,
            coalesce(sum(exits), 0)::float8 AS exits, coalesce(sum(dwell_count), 0)::float8 AS dwell_count,
            coalesce(sum(total_dwell_ms), 0)::float8 AS total_dwell_ms
          FROM analytics_summaries
          WHERE period = 'hour' AND zone_id IS NULL AND store_id = ${q.storeId}
            AND bucket_start >= ${ts(q.from)} AND bucket_start < ${ts(q.to)} ${camera} ${recordings(q)} ${open}
          GROUP BY 1 ORDER BY 1`,
    );
    return rows.map((r) => ({
      bucketStart: date(r.bucket),
      visitors: num(r.visitors),
      entries: num(r.entries),
      exits: num(r.exits),
      dwellCount: num(r.dwell_count),
      totalDwellMs: num(r.total_dwell_ms),
    }));
  }

  /** Visitors per hour of the day (store-local), for "busiest hours". */
  async visitorsByHourOfDay(
    q: StoreScope & { timezone: string; source: 'raw' | 'summaries' },
  ): Promise<HourOfDayCount[]> {
    requireRange(q.from, q.to);
    const tz = requireTimezone(q.timezone);
    const camera = q.cameraId ? sql`AND camera_id = ${q.cameraId}` : sql``;
    const open =
      q.source === 'raw'
        ? await this.open([q.storeId], 'started_at', 'instant')
        : await this.open([q.storeId], 'bucket_start', 'hour');
    const rows =
      q.source === 'raw'
        ? await queryRows<{ hour: unknown; visitors: unknown }>(
            this.db,
            sql`SELECT extract(hour FROM started_at AT TIME ZONE ${tz})::int AS hour, count(*)::int AS visitors
                FROM visits
                WHERE store_id = ${q.storeId} AND started_at >= ${ts(q.from)} AND started_at < ${ts(q.to)} ${camera} ${recordings(q)}
                  ${open}
                GROUP BY 1 ORDER BY 1`,
          )
        : await queryRows<{ hour: unknown; visitors: unknown }>(
            this.db,
            sql`SELECT extract(hour FROM bucket_start AT TIME ZONE ${tz})::int AS hour,
                  coalesce(sum(visitors), 0)::float8 AS visitors
                FROM analytics_summaries
                WHERE period = 'hour' AND zone_id IS NULL AND store_id = ${q.storeId}
                  AND bucket_start >= ${ts(q.from)} AND bucket_start < ${ts(q.to)} ${camera} ${recordings(q)} ${open}
                GROUP BY 1 ORDER BY 1`,
          );
    return rows.map((r) => ({ hour: num(r.hour), visitors: num(r.visitors) }));
  }

  /** Per area: visitors (visits that went in), entries, time spent; from zone_visits. */
  async zonesFromRaw(q: StoreScope): Promise<ZoneCounts[]> {
    requireRange(q.from, q.to);
    const camera = q.cameraId
      ? sql`AND zone_id IN (SELECT id FROM zones WHERE camera_id = ${q.cameraId})`
      : sql``;
    const open = await this.open([q.storeId], 'started_at', 'instant');
    const rows = await queryRows<Record<string, unknown>>(
      this.db,
      sql`SELECT zone_id, count(*)::int AS visitors, coalesce(sum(entries), 0)::float8 AS entries,
            count(*)::int AS dwell_count, coalesce(sum(dwell_ms), 0)::float8 AS total_dwell_ms
          FROM zone_visits
          WHERE store_id = ${q.storeId} AND started_at >= ${ts(q.from)} AND started_at < ${ts(q.to)} ${camera} ${recordings(q)}
            ${open}
          GROUP BY zone_id ORDER BY zone_id`,
    );
    return rows.map((r) => ({
      zoneId: String(r.zone_id),
      visitors: num(r.visitors),
      entries: num(r.entries),
      exits: 0,
      dwellCount: num(r.dwell_count),
      totalDwellMs: num(r.total_dwell_ms),
    }));
  }

  /** Per area from the hourly summaries' area rows. */
  async zonesFromSummaries(q: StoreScope): Promise<ZoneCounts[]> {
    requireRange(q.from, q.to);
    const camera = q.cameraId ? sql`AND camera_id = ${q.cameraId}` : sql``;
    const open = await this.open([q.storeId], 'bucket_start', 'hour');
    const rows = await queryRows<Record<string, unknown>>(
      this.db,
      sql`SELECT zone_id, coalesce(sum(visitors), 0)::float8 AS visitors, coalesce(sum(entries), 0)::float8 AS entries,
            coalesce(sum(exits), 0)::float8 AS exits, coalesce(sum(dwell_count), 0)::float8 AS dwell_count,
            coalesce(sum(total_dwell_ms), 0)::float8 AS total_dwell_ms
          FROM analytics_summaries
          WHERE period = 'hour' AND zone_id IS NOT NULL AND store_id = ${q.storeId}
            AND bucket_start >= ${ts(q.from)} AND bucket_start < ${ts(q.to)} ${camera} ${recordings(q)} ${open}
          GROUP BY zone_id ORDER BY zone_id`,
    );
    return rows.map((r) => ({
      zoneId: String(r.zone_id),
      visitors: num(r.visitors),
      entries: num(r.entries),
      exits: num(r.exits),
      dwellCount: num(r.dwell_count),
      totalDwellMs: num(r.total_dwell_ms),
    }));
  }

  /**
   * Walks between areas: each visitor's `zone_entered` events in time order (per device, camera and
   * track), counted as from -> to pairs; the first area of a track counts as from null. Re-entering the
   * same area is not a flow. The most frequent `limit` pairs, most frequent first.
   */
  async flows(q: StoreScope & { limit?: number }): Promise<ZoneFlow[]> {
    requireRange(q.from, q.to);
    const camera = q.cameraId ? sql`AND camera_id = ${q.cameraId}` : sql``;
    const limit = Math.min(Math.max(1, Math.trunc(q.limit ?? 200)), 1000);
    const open = await this.open([q.storeId], 'at', 'instant');
    const rows = await queryRows<{ prev_zone: string | null; zone_id: string; n: unknown }>(
      this.db,
      sql`SELECT prev_zone, zone_id, count(*)::int AS n FROM (
            SELECT zone_id, lag(zone_id) OVER (PARTITION BY device_id, camera_id, track_id ORDER BY at, seq) AS prev_zone
            FROM tracking_events
            WHERE kind = 'zone_entered' AND store_id = ${q.storeId} AND at >= ${ts(q.from)} AND at < ${ts(q.to)} ${camera} ${recordings(q)}
              ${open}
          ) t
          WHERE prev_zone IS DISTINCT FROM zone_id
          GROUP BY prev_zone, zone_id
          ORDER BY n DESC, prev_zone NULLS FIRST, zone_id
          LIMIT ${limit}`,
    );
    return rows.map((r) => ({
      fromZoneId: r.prev_zone ?? null,
      toZoneId: String(r.zone_id),
      count: num(r.n),
    }));
  }

  /**
   * Foot points of the paths of a camera's visits that started in the range, counted per grid cell of
   * a `cols` x `rows` grid over a `width` x `height` picture. Points outside the picture are left out.
   */
  async heatmap(q: {
    cameraId: string;
    from: Date;
    to: Date;
    includeRecordings?: boolean;
    width: number;
    height: number;
    cols: number;
    rows: number;
  }): Promise<HeatCell[]> {
    requireRange(q.from, q.to);
    for (const [v, what] of [
      [q.width, 'width'],
      [q.height, 'height'],
      [q.cols, 'cols'],
      [q.rows, 'rows'],
    ] as const) {
      if (!Number.isInteger(v) || v < 1 || v > 16384) throw new ValidationError(`${what} must be 1 to 16384`);
    }
    const store = await this.stores.hoursOfCamera(q.cameraId);
    const open = store ? sql`AND ${openSql(store.hours, sql.raw('v.started_at'), 'instant')}` : sql``;
    const rows = await queryRows<{ cx: unknown; cy: unknown; n: unknown }>(
      this.db,
      sql`SELECT least(floor(x * ${q.cols}::int / ${q.width}::float8)::int, ${q.cols - 1}::int) AS cx,
                 least(floor(y * ${q.rows}::int / ${q.height}::float8)::int, ${q.rows - 1}::int) AS cy,
                 count(*)::int AS n
          FROM (
            SELECT (p->'point'->>0)::float8 AS x, (p->'point'->>1)::float8 AS y
            FROM visits v CROSS JOIN LATERAL jsonb_array_elements(v.path) AS p
            WHERE v.camera_id = ${q.cameraId} AND v.started_at >= ${ts(q.from)} AND v.started_at < ${ts(q.to)}
              AND jsonb_typeof(v.path) = 'array' ${recordings(q, 'v.')} ${open}
          ) pts
          WHERE x >= 0 AND y >= 0 AND x <= ${q.width}::float8 AND y <= ${q.height}::float8
          GROUP BY 1, 2`,
    );
    return rows.map((r) => ({ col: num(r.cx), row: num(r.cy), count: num(r.n) }));
  }
}

function stripKey<T extends { key: unknown }>(row: T): Omit<T, 'key'> {
  const { key: _key, ...rest } = row;
  return rest;
}
