/**
 * How long visits lasted: counts per duration bucket, the median and the average, over the raw
 * visits of a store (or one camera) that started in a range. One scan, counted by the database.
 */
import { type SQL, sql } from 'drizzle-orm';
import { openSql } from '../../analytics/opening-hours.ts';
import { type Db, queryRows } from '../database.ts';
import { ValidationError } from '../errors.ts';
import type { StoreScope } from './analytics.ts';
import { requireRange } from './common.ts';
import { num } from './sql-values.ts';
import { StoresRepository } from './stores.ts';

export interface DurationCounts {
  visits: number;
  /** null without visits. */
  medianMs: number | null;
  averageMs: number | null;
  /** Visits per bucket: bounds.length + 1 counts, shortest first. */
  counts: number[];
}

const orNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

/** Bounds must be whole milliseconds, each above the one before. */
function requireBounds(bounds: readonly number[]): void {
  if (bounds.length === 0 || bounds.length > 20)
    throw new ValidationError('give between 1 and 20 duration bounds');
  bounds.forEach((b, i) => {
    if (!Number.isSafeInteger(b) || b <= 0 || (i > 0 && b <= bounds[i - 1]!)) {
      throw new ValidationError('duration bounds must be whole milliseconds above 0, in rising order');
    }
  });
}

/** One `count(*) FILTER (...)` column per bucket: [0, b0), [b0, b1), ..., [bn, infinity). */
function bucketColumns(bounds: readonly number[]): SQL {
  const edges: (number | null)[] = [0, ...bounds, null];
  const columns = edges.slice(0, -1).map((lo, i) => {
    const hi = edges[i + 1];
    const upper = hi === null || hi === undefined ? sql`` : sql`AND duration_ms < ${hi}::bigint`;
    return sql`count(*) FILTER (WHERE duration_ms >= ${lo}::bigint ${upper})::int AS ${sql.raw(`b${i}`)}`;
  });
  return sql.join(columns, sql`, `);
}

export class VisitDurationsRepository {
  constructor(private readonly db: Db) {}

  /**
   * Uploaded recordings are left out unless `includeRecordings`, and visits that started while the
   * store was closed always, as in every other number.
   */
  async distribution(q: StoreScope & { boundsMs: readonly number[] }): Promise<DurationCounts> {
    requireRange(q.from, q.to);
    requireBounds(q.boundsMs);
    const camera = q.cameraId ? sql`AND camera_id = ${q.cameraId}` : sql``;
    const recordings = q.includeRecordings ? sql`` : sql`AND upload_id IS NULL`;
    const hours = (await new StoresRepository(this.db).hoursOf([q.storeId])).get(q.storeId);
    const open = hours ? sql`AND ${openSql(hours, sql.raw('started_at'), 'instant')}` : sql``;
    const [row] = await queryRows<Record<string, unknown>>(
      this.db,
      sql`SELECT count(*)::int AS visits,
            percentile_cont(0.5) WITHIN GROUP (ORDER BY duration_ms)::float8 AS median_ms,
            avg(duration_ms)::float8 AS average_ms,
            ${bucketColumns(q.boundsMs)}
          FROM visits
          WHERE store_id = ${q.storeId} AND started_at >= ${q.from.toISOString()}::timestamptz
            AND started_at < ${q.to.toISOString()}::timestamptz ${camera} ${recordings} ${open}`,
    );
    return {
      visits: num(row?.visits),
      medianMs: orNull(row?.median_ms),
      averageMs: orNull(row?.average_ms),
      counts: Array.from({ length: q.boundsMs.length + 1 }, (_, i) => num(row?.[`b${i}`])),
    };
  }
}
