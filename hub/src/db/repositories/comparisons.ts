/**
 * Figures of several periods for several stores, for comparisons: per period and store, the counts and
 * the most people inside at once (the cameras' hourly peaks added up per hour, as the dashboard's
 * "people inside" chart shows them). Whole stores' live cameras come from the store day rows
 * (open-day-figures.ts); one camera, or recordings too, from one query over the hourly summaries.
 */
import { sql } from 'drizzle-orm';
import { openSqlByStore } from '../../analytics/opening-hours.ts';
import { type Db, queryRows } from '../database.ts';
import { ValidationError } from '../errors.ts';
import type { Counts } from './analytics.ts';
import { requireRange } from './common.ts';
import { OpenDayFiguresRepository } from './open-day-figures.ts';
import { num, ts } from './sql-values.ts';
import { StoresRepository } from './stores.ts';

/** A named period [from, to). */
export interface LabelledPeriod {
  label: string;
  from: Date;
  to: Date;
}

export interface PeriodTotalsQuery {
  storeIds: readonly string[];
  periods: readonly LabelledPeriod[];
  cameraId?: string;
  /** Also count uploaded recordings (default: live cameras only). */
  includeRecordings?: boolean;
}

export interface PeriodTotals extends Counts {
  label: string;
  storeId: string;
  /** The most people inside at once. */
  peakInside: number;
  /** Hours with a summary row: 0 means the period has no data at all. */
  hours: number;
}

function checkPeriods(periods: readonly LabelledPeriod[]): void {
  if (periods.length > 12) throw new ValidationError('compare at most 12 periods at once');
  for (const p of periods) requireRange(p.from, p.to);
}

export class ComparisonsRepository {
  constructor(private readonly db: Db) {}

  /**
   * Per period and store: counts, peak inside and hours with data. Every store and period asked for
   * gets a row (zeros when nothing was counted).
   */
  async periodTotals(q: PeriodTotalsQuery): Promise<PeriodTotals[]> {
    checkPeriods(q.periods);
    if (q.storeIds.length === 0 || q.periods.length === 0) return [];
    // The day rows hold whole stores' live cameras; one camera, or recordings too: the hourly rows.
    if (!q.cameraId && !q.includeRecordings) return this.fromOpenDays(q.storeIds, q.periods);
    const periods = sql.join(
      q.periods.map((p) => sql`(${p.label}::text, ${ts(p.from)}, ${ts(p.to)})`),
      sql`, `,
    );
    const stores = sql.join(
      q.storeIds.map((id) => sql`${id}`),
      sql`, `,
    );
    const camera = q.cameraId ? sql`AND s.camera_id = ${q.cameraId}` : sql``;
    const recordings = q.includeRecordings ? sql`` : sql`AND s.upload_id IS NULL`;
    // Opening hours: only the hours each store is open during (null hours: every hour).
    const hours = await new StoresRepository(this.db).hoursOf(q.storeIds);
    const open = openSqlByStore(hours, sql.raw('s.store_id'), sql.raw('s.bucket_start'), 'hour');
    const rows = await queryRows<Record<string, unknown>>(
      this.db,
      sql`WITH periods(label, p_from, p_to) AS (VALUES ${periods}),
          hourly AS (
            SELECT p.label, s.store_id, s.bucket_start,
              sum(s.visitors) AS visitors, sum(s.entries) AS entries, sum(s.exits) AS exits,
              sum(s.dwell_count) AS dwell_count, sum(s.total_dwell_ms) AS total_dwell_ms,
              sum(s.peak_occupancy) AS peak
            FROM periods p
            JOIN analytics_summaries s ON s.bucket_start >= p.p_from AND s.bucket_start < p.p_to
            WHERE s.period = 'hour' AND s.zone_id IS NULL AND s.store_id IN (${stores}) ${camera} ${recordings}
              AND ${open}
            GROUP BY p.label, s.store_id, s.bucket_start
          )
          SELECT label, store_id, coalesce(sum(visitors), 0)::float8 AS visitors,
            coalesce(sum(entries), 0)::float8 AS entries, coalesce(sum(exits), 0)::float8 AS exits,
            coalesce(sum(dwell_count), 0)::float8 AS dwell_count,
            coalesce(sum(total_dwell_ms), 0)::float8 AS total_dwell_ms,
            coalesce(max(peak), 0)::float8 AS peak, count(*)::int AS hours
          FROM hourly
          GROUP BY label, store_id`,
    );
    const found = new Map(rows.map((r) => [`${String(r.label)}\n${String(r.store_id)}`, r]));
    return q.periods.flatMap((p) =>
      q.storeIds.map((storeId) => {
        const r = found.get(`${p.label}\n${storeId}`);
        return {
          label: p.label,
          storeId,
          visitors: num(r?.visitors),
          entries: num(r?.entries),
          exits: num(r?.exits),
          dwellCount: num(r?.dwell_count),
          totalDwellMs: num(r?.total_dwell_ms),
          peakInside: num(r?.peak),
          hours: num(r?.hours),
        };
      }),
    );
  }

  /** The whole store's live figures: whole days from the day rows (computed first where missing). */
  private async fromOpenDays(storeIds: readonly string[], periods: readonly LabelledPeriod[]) {
    const rows = await new OpenDayFiguresRepository(this.db).totals(storeIds, periods);
    return rows.map(({ peak, ...r }) => ({ ...r, peakInside: peak }));
  }
}
