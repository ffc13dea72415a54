import { and, asc, eq, getTableName, gte, isNull, lt, type SQL, sql } from 'drizzle-orm';
import type { AnyPgColumn } from 'drizzle-orm/pg-core';
import { openSql, type StoreHours } from '../../analytics/opening-hours.ts';
import type { Db } from '../database.ts';
import { guard, ValidationError } from '../errors.ts';
import { analyticsSummaries, SUMMARY_PERIODS, type SummaryPeriod } from '../schema.ts';
import { requireCount, requireDate, requireRange } from './common.ts';
import { StoresRepository } from './stores.ts';

export type Summary = typeof analyticsSummaries.$inferSelect;
export interface SummaryKey {
  period: SummaryPeriod;
  /** Start of the hour or (store-local) day. */
  bucketStart: Date;
  storeId: string;
  cameraId: string;
  /** null: the whole camera. */
  zoneId: string | null;
  /** The uploaded recording the numbers come from (rows of their own); null or absent: live cameras. */
  uploadId?: string | null;
}
export interface SummaryValues {
  visitors?: number;
  entries?: number;
  exits?: number;
  /** How many stays `totalDwellMs` adds up (the average is total / count). */
  dwellCount?: number;
  totalDwellMs?: number;
  peakOccupancy?: number;
}
export type SummaryDelta = SummaryKey & SummaryValues;
export interface SummaryQuery {
  period: SummaryPeriod;
  storeId?: string;
  cameraId?: string;
  /** An area id; null: whole-camera rows only; absent: both. */
  zoneId?: string | null;
  /** Buckets that start in [from, to). */
  from: Date;
  to: Date;
  /** Also the rows of uploaded recordings (default: live cameras only). */
  includeRecordings?: boolean;
}
export interface StoreTotal {
  bucketStart: Date;
  visitors: number;
  entries: number;
  exits: number;
  dwellCount: number;
  totalDwellMs: number;
  avgDwellMs: number;
  /** The highest peak of any one camera (cameras may overlap, so not a sum). */
  peakOccupancy: number;
}

const VALUE_KEYS = ['visitors', 'entries', 'exits', 'dwellCount', 'totalDwellMs', 'peakOccupancy'] as const;

function checkKey(k: SummaryKey): void {
  if (!SUMMARY_PERIODS.includes(k.period))
    throw new ValidationError(`period must be one of ${SUMMARY_PERIODS.join(', ')}`);
  requireDate(k.bucketStart, 'bucketStart');
  if (k.bucketStart.getTime() % 60_000 !== 0) throw new ValidationError('a bucket starts on a whole minute');
}

function keyOf(k: SummaryKey): string {
  return JSON.stringify([
    k.period,
    k.bucketStart.getTime(),
    k.storeId,
    k.cameraId,
    k.zoneId,
    k.uploadId ?? null,
  ]);
}

/**
 * Hourly and daily numbers per store, camera and area. Reading a store's rows (`list`, `storeTotals`)
 * counts its opening hours only: hours that overlap an opening, and days made of those hours.
 */
export class SummariesRepository {
  constructor(private readonly db: Db) {}

  /** The store's hours when it has opening hours (reads then leave closed time out), else undefined. */
  private async limitedHours(storeId: string | undefined): Promise<StoreHours | undefined> {
    if (!storeId) return undefined;
    const hours = (await new StoresRepository(this.db).hoursOf([storeId])).get(storeId);
    return hours?.openingHours ? hours : undefined;
  }

  /**
   * Adds counts to their buckets, creating missing rows: one upsert statement for all rows. Peak
   * occupancy keeps the maximum. Deltas for the same bucket are merged first. Returns rows touched.
   */
  async increment(deltas: readonly SummaryDelta[]): Promise<number> {
    const merged = new Map<string, Required<SummaryDelta>>();
    for (const d of deltas) {
      checkKey(d);
      const values = checkedValues(d);
      const key = keyOf(d);
      const prev = merged.get(key);
      if (!prev) {
        merged.set(key, { ...pickKey(d), ...values });
        continue;
      }
      for (const k of VALUE_KEYS) {
        prev[k] = k === 'peakOccupancy' ? Math.max(prev[k], values[k]) : prev[k] + values[k];
      }
    }
    return this.upsert('increment', merged);
  }

  /** Sets buckets to exactly these values (a recomputation); values not given become 0. */
  async replace(rows: readonly SummaryDelta[]): Promise<number> {
    const byKey = new Map<string, Required<SummaryDelta>>();
    for (const r of rows) {
      checkKey(r);
      const key = keyOf(r);
      if (byKey.has(key)) throw new ValidationError('the same bucket appears twice');
      byKey.set(key, { ...pickKey(r), ...checkedValues(r) });
    }
    return this.upsert('replace', byKey);
  }

  /**
   * One prepared upsert (the same text every time, so PostgreSQL parses and plans it once per
   * connection): the rows travel as one JSON parameter, in key order, so concurrent transactions lock
   * shared buckets in the same order. Building a VALUES list of hundreds of rows costs more.
   */
  private async upsert(mode: UpsertMode, rows: Map<string, Required<SummaryDelta>>): Promise<number> {
    if (rows.size === 0) return 0;
    const json = JSON.stringify(
      [...rows.keys()].sort().map((k) => {
        const r = rows.get(k)!;
        return {
          period: r.period,
          bucket_start: r.bucketStart.toISOString(),
          store_id: r.storeId,
          camera_id: r.cameraId,
          zone_id: r.zoneId,
          upload_id: r.uploadId,
          visitors: r.visitors,
          entries: r.entries,
          exits: r.exits,
          dwell_count: r.dwellCount,
          total_dwell_ms: r.totalDwellMs,
          peak_occupancy: r.peakOccupancy,
        };
      }),
    );
    const live = [...rows.values()].some(
      (r) => r.period === 'hour' && r.zoneId === null && r.uploadId === null,
    );
    return guard(async () => {
      const [out] = await upsertStatement(this.db, mode).execute({ rows: json });
      if (live) await touchDays(this.db, json);
      return out?.rows ?? 0;
    });
  }

  /**
   * Buckets in [from, to) by start, then camera, then area (whole-camera rows first). For a store with
   * opening hours: the open hours only, and days added up from those hours.
   */
  async list(q: SummaryQuery): Promise<Summary[]> {
    const t = analyticsSummaries;
    const hours = await this.limitedHours(q.storeId);
    if (hours && q.period === 'day') return this.openDays(q, hours);
    const open = hours ? [openSql(hours, sql`${t.bucketStart}`, 'hour')] : [];
    return this.db
      .select()
      .from(t)
      .where(and(...this.filters(q), ...open))
      .orderBy(asc(t.bucketStart), asc(t.cameraId), sql`${t.zoneId} ASC NULLS FIRST`);
  }

  /** Day rows made of the open hours of each store-local day that starts in [from, to). */
  private async openDays(q: SummaryQuery, hours: StoreHours): Promise<Summary[]> {
    const t = analyticsSummaries;
    const tz = hours.timezone;
    const day = sql<Date>`(date_trunc('day', ${t.bucketStart} AT TIME ZONE ${tz}) AT TIME ZONE ${tz})`;
    const sum = (c: AnyPgColumn) => sql<number>`coalesce(sum(${c}), 0)::float8`.mapWith(Number);
    // A local day's hours start at most 26 h after its start (DST): bounds for the index, then exact.
    const hourRange = { from: q.from, to: new Date(q.to.getTime() + 26 * 3_600_000) };
    const rows = await this.db
      .select({
        id: sql<number>`min(${t.id})`.mapWith(Number),
        bucketStart: day.mapWith((v: unknown) => (v instanceof Date ? v : new Date(String(v)))),
        storeId: t.storeId,
        cameraId: t.cameraId,
        zoneId: t.zoneId,
        uploadId: t.uploadId,
        visitors: sum(t.visitors),
        entries: sum(t.entries),
        exits: sum(t.exits),
        dwellCount: sum(t.dwellCount),
        totalDwellMs: sum(t.totalDwellMs),
        peakOccupancy: sql<number>`coalesce(max(${t.peakOccupancy}), 0)::int`.mapWith(Number),
        updatedAt: sql<Date>`max(${t.updatedAt})`.mapWith((v: unknown) => new Date(String(v))),
      })
      .from(t)
      .where(
        and(
          ...this.filters({ ...q, ...hourRange, period: 'hour' }),
          sql`${day} >= ${q.from.toISOString()}::timestamptz AND ${day} < ${q.to.toISOString()}::timestamptz`,
          openSql(hours, sql`${t.bucketStart}`, 'hour'),
        ),
      )
      // By position: the day's expression repeated would carry other parameter numbers than the select's.
      .groupBy(sql`2`, t.storeId, t.cameraId, t.zoneId, t.uploadId)
      .orderBy(sql`2`, asc(t.cameraId), sql`${t.zoneId} ASC NULLS FIRST`);
    return rows.map((r) => ({
      ...r,
      period: 'day' as const,
      avgDwellMs: r.dwellCount ? Math.trunc(r.totalDwellMs / r.dwellCount) : 0,
    }));
  }

  /** A store's whole-camera rows added up per bucket: the store's series for charts. */
  async storeTotals(q: {
    storeId: string;
    period: SummaryPeriod;
    from: Date;
    to: Date;
    includeRecordings?: boolean;
  }): Promise<StoreTotal[]> {
    const hours = await this.limitedHours(q.storeId);
    if (hours) return addUpPerBucket(await this.list({ ...q, zoneId: null }));
    const t = analyticsSummaries;
    const sum = (c: AnyPgColumn) => sql<number>`coalesce(sum(${c}), 0)::float8`.mapWith(Number);
    const rows = await this.db
      .select({
        bucketStart: t.bucketStart,
        visitors: sum(t.visitors),
        entries: sum(t.entries),
        exits: sum(t.exits),
        dwellCount: sum(t.dwellCount),
        totalDwellMs: sum(t.totalDwellMs),
        peakOccupancy: sql<number>`coalesce(max(${t.peakOccupancy}), 0)::int`.mapWith(Number),
      })
      .from(t)
      .where(and(...this.filters({ ...q, zoneId: null })))
      .groupBy(t.bucketStart)
      .orderBy(asc(t.bucketStart));
    return rows.map((r) => ({
      ...r,
      avgDwellMs: r.dwellCount ? Math.round(r.totalDwellMs / r.dwellCount) : 0,
    }));
  }

  /**
   * Deletes a store's buckets of a period in [from, to) (before a recomputation; the rows of uploaded
   * recordings stay, they go with their upload); returns how many.
   */
  async deleteRange(q: { storeId: string; period: SummaryPeriod; from: Date; to: Date }): Promise<number> {
    const rows = await this.db
      .delete(analyticsSummaries)
      .where(and(...this.filters(q)))
      .returning({ id: analyticsSummaries.id });
    return rows.length;
  }

  private filters(q: SummaryQuery): SQL[] {
    const t = analyticsSummaries;
    if (!SUMMARY_PERIODS.includes(q.period))
      throw new ValidationError(`period must be one of ${SUMMARY_PERIODS.join(', ')}`);
    requireRange(q.from, q.to);
    const where: SQL[] = [eq(t.period, q.period), gte(t.bucketStart, q.from), lt(t.bucketStart, q.to)];
    if (q.storeId) where.push(eq(t.storeId, q.storeId));
    if (q.cameraId) where.push(eq(t.cameraId, q.cameraId));
    if (q.zoneId === null) where.push(isNull(t.zoneId));
    else if (q.zoneId !== undefined) where.push(eq(t.zoneId, q.zoneId));
    if (!q.includeRecordings) where.push(isNull(t.uploadId));
    return where;
  }
}

/** A store's whole-camera rows added up per bucket start (peaks: the highest camera's). */
function addUpPerBucket(rows: readonly Summary[]): StoreTotal[] {
  const out = new Map<number, StoreTotal>();
  for (const r of rows) {
    const key = r.bucketStart.getTime();
    const o = out.get(key) ?? {
      bucketStart: r.bucketStart,
      visitors: 0,
      entries: 0,
      exits: 0,
      dwellCount: 0,
      totalDwellMs: 0,
      avgDwellMs: 0,
      peakOccupancy: 0,
    };
    o.visitors += r.visitors;
    o.entries += r.entries;
    o.exits += r.exits;
    o.dwellCount += r.dwellCount;
    o.totalDwellMs += r.totalDwellMs;
    o.peakOccupancy = Math.max(o.peakOccupancy, r.peakOccupancy);
    o.avgDwellMs = o.dwellCount ? Math.round(o.totalDwellMs / o.dwellCount) : 0;
    out.set(key, o);
  }
  return [...out.values()].sort((a, b) => a.bucketStart.getTime() - b.bucketStart.getTime());
}

function checkedValues(d: SummaryValues): Required<SummaryValues> {
  return Object.fromEntries(
    VALUE_KEYS.map((k) => [k, requireCount(d[k] ?? 0, k, Number.MAX_SAFE_INTEGER)]),
  ) as Required<SummaryValues>;
}

type UpsertMode = 'increment' | 'replace';

/** The columns of a bucket's numbers: added up, or the new value, on a bucket that exists. */
const COUNT_COLUMNS = ['visitors', 'entries', 'exits', 'dwell_count', 'total_dwell_ms'];

/**
 * `INSERT ... SELECT FROM jsonb_to_recordset($rows) ON CONFLICT DO UPDATE` in a data-modifying WITH,
 * so drizzle can prepare it under a name: node-postgres then parses and plans it once per connection.
 */
function upsertStatement(db: Db, mode: UpsertMode) {
  const t = sql.identifier(getTableName(analyticsSummaries));
  const set = COUNT_COLUMNS.map((c) =>
    mode === 'increment' ? `"${c}" = s."${c}" + excluded."${c}"` : `"${c}" = excluded."${c}"`,
  );
  set.push(
    mode === 'increment'
      ? '"peak_occupancy" = GREATEST(s."peak_occupancy", excluded."peak_occupancy")'
      : '"peak_occupancy" = excluded."peak_occupancy"',
    '"updated_at" = now()',
  );
  const upserted = db.$with('upserted', { n: sql<number>`n` }).as(
    sql`INSERT INTO ${t} AS s ("period", "bucket_start", "store_id", "camera_id", "zone_id", "upload_id",
        "visitors", "entries", "exits", "dwell_count", "total_dwell_ms", "peak_occupancy")
      SELECT r.period, r.bucket_start, r.store_id, r.camera_id, r.zone_id, r.upload_id,
        r.visitors, r.entries, r.exits, r.dwell_count, r.total_dwell_ms, r.peak_occupancy
      FROM json_to_recordset(${sql.placeholder('rows')}::json) AS r(period text, bucket_start timestamptz,
        store_id text, camera_id text, zone_id text, upload_id uuid, visitors integer, entries integer,
        exits integer, dwell_count integer, total_dwell_ms bigint, peak_occupancy integer)
      ON CONFLICT ("period", "bucket_start", "store_id", "camera_id", "zone_id", "upload_id")
      DO UPDATE SET ${sql.raw(set.join(', '))}
      RETURNING 1 AS n`,
  );
  return db
    .with(upserted)
    .select({ rows: sql<number>`count(*)::int`.mapWith(Number) })
    .from(upserted)
    .prepare(`analytics_summaries_${mode}`);
}

/**
 * Moves the generation of the store-local days whose live whole-camera hours just changed
 * (`store_open_days`, open-days.ts; deletes move it by trigger), in one sorted statement: transactions
 * of several boxes of one store take those day rows in the same order. After the change, never
 * before: a day computed in between is then outdated again, not wrongly current.
 */
async function touchDays(db: Db, rowsJson: string): Promise<void> {
  // Prepared under a name (the WITH is only there to make it a select): planned once per connection.
  const touched = db.$with('touched', { n: sql<number>`n` }).as(
    sql`INSERT INTO store_open_days (store_id, day)
      SELECT DISTINCT r.store_id, (r.bucket_start AT TIME ZONE s.timezone)::date
      FROM json_to_recordset(${sql.placeholder('rows')}::json) AS r(period text, bucket_start timestamptz,
        store_id text, zone_id text, upload_id uuid)
      JOIN stores s ON s.id = r.store_id
      WHERE r.period = 'hour' AND r.zone_id IS NULL AND r.upload_id IS NULL
      ORDER BY 1, 2
      ON CONFLICT (store_id, day) DO UPDATE SET gen = store_open_days.gen + 1
      RETURNING 1 AS n`,
  );
  await db
    .with(touched)
    .select({ n: sql<number>`count(*)::int` })
    .from(touched)
    .prepare('store_open_days_touch')
    .execute({ rows: rowsJson });
}

function pickKey(k: SummaryKey): Required<SummaryKey> {
  return {
    period: k.period,
    bucketStart: k.bucketStart,
    storeId: k.storeId,
    cameraId: k.cameraId,
    zoneId: k.zoneId,
    uploadId: k.uploadId ?? null,
  };
}
