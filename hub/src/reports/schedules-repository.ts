/**
 * Report schedules and their runs. A run row is the claim on one schedule's period: inserted before
 * the report is built (ON CONFLICT DO NOTHING), so of two hub processes only one sends it; a retry is
 * claimed by raising `attempts` from the value seen, so again only one process wins. `created_at` is
 * the time of the latest claim: an unsent run claimed long ago without an error was cut short.
 */
import type { ReportPeriod } from '@oskartrack/protocol';
import { and, desc, eq, inArray, isNotNull, isNull, lt, or, sql } from 'drizzle-orm';
import type { Db } from '../db/database.ts';
import { NotFoundError } from '../db/errors.ts';
import { reportRuns, reportSchedules } from '../db/schema.ts';

export type ScheduleRow = typeof reportSchedules.$inferSelect;
export type RunRow = typeof reportRuns.$inferSelect;

export interface NewSchedule {
  storeId: string | null;
  period: ReportPeriod;
  recipients: string[];
  enabled?: boolean | undefined;
  createdBy: string | null;
}

export interface SchedulePatch {
  period?: ReportPeriod | undefined;
  recipients?: string[] | undefined;
  enabled?: boolean | undefined;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export class ReportSchedulesRepository {
  constructor(private readonly db: Db) {}

  /** Every schedule, or those of the given stores (never the all-store ones then). */
  async list(storeIds?: readonly string[]): Promise<ScheduleRow[]> {
    if (storeIds && storeIds.length === 0) return [];
    const q = this.db.select().from(reportSchedules);
    const filtered = storeIds ? q.where(inArray(reportSchedules.storeId, [...storeIds])) : q;
    return filtered.orderBy(reportSchedules.createdAt, reportSchedules.id);
  }

  async listEnabled(): Promise<ScheduleRow[]> {
    return this.db.select().from(reportSchedules).where(eq(reportSchedules.enabled, true));
  }

  async get(id: string): Promise<ScheduleRow> {
    if (!UUID.test(id)) throw new NotFoundError('report schedule', id);
    const [row] = await this.db.select().from(reportSchedules).where(eq(reportSchedules.id, id));
    if (!row) throw new NotFoundError('report schedule', id);
    return row;
  }

  async create(s: NewSchedule): Promise<ScheduleRow> {
    const [row] = await this.db
      .insert(reportSchedules)
      .values({ ...s, enabled: s.enabled ?? true })
      .returning();
    if (!row) throw new Error('the schedule was not saved');
    return row;
  }

  async update(id: string, patch: SchedulePatch): Promise<ScheduleRow> {
    if (!UUID.test(id)) throw new NotFoundError('report schedule', id);
    const set = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined));
    const [row] = await this.db
      .update(reportSchedules)
      .set({ ...set, updatedAt: new Date() })
      .where(eq(reportSchedules.id, id))
      .returning();
    if (!row) throw new NotFoundError('report schedule', id);
    return row;
  }

  async delete(id: string): Promise<void> {
    if (!UUID.test(id)) throw new NotFoundError('report schedule', id);
    const rows = await this.db.delete(reportSchedules).where(eq(reportSchedules.id, id)).returning();
    if (rows.length === 0) throw new NotFoundError('report schedule', id);
  }

  /** Claims a schedule's period; null when another process (or an earlier tick) has it already. */
  async claim(scheduleId: string, start: Date, end: Date, now: Date): Promise<RunRow | null> {
    const [row] = await this.db
      .insert(reportRuns)
      .values({ scheduleId, periodStart: start, periodEnd: end, attempts: 1, createdAt: now })
      .onConflictDoNothing()
      .returning();
    return row ?? null;
  }

  /**
   * Runs that may be tried again (fewer than `maxAttempts` tries): failed ones, and unsent ones whose
   * last claim (`created_at`) is older than `staleBefore`: the hub stopped during that try.
   */
  async failed(maxAttempts: number, staleBefore: Date): Promise<RunRow[]> {
    return this.db
      .select()
      .from(reportRuns)
      .where(
        and(
          isNull(reportRuns.sentAt),
          or(isNotNull(reportRuns.error), lt(reportRuns.createdAt, staleBefore)),
          lt(reportRuns.attempts, maxAttempts),
        ),
      );
  }

  /**
   * Claims another try of a run: only the process that saw `attempts` gets it. `created_at` becomes
   * the time of this claim, so a try cut short by a stop is itself found stale later.
   */
  async claimRetry(run: RunRow, now: Date): Promise<RunRow | null> {
    const [row] = await this.db
      .update(reportRuns)
      .set({ attempts: sql`${reportRuns.attempts} + 1`, error: null, createdAt: now })
      .where(and(eq(reportRuns.id, run.id), eq(reportRuns.attempts, run.attempts), isNull(reportRuns.sentAt)))
      .returning();
    return row ?? null;
  }

  async markSent(runId: string, source: 'template' | 'language-model', at: Date): Promise<void> {
    await this.db
      .update(reportRuns)
      .set({ sentAt: at, summarySource: source, error: null })
      .where(eq(reportRuns.id, runId));
  }

  async markFailed(runId: string, error: string): Promise<void> {
    await this.db
      .update(reportRuns)
      .set({ error: error.slice(0, 2000) })
      .where(eq(reportRuns.id, runId));
  }

  /** The latest run of each schedule. */
  async lastRuns(scheduleIds: readonly string[]): Promise<Map<string, RunRow>> {
    if (scheduleIds.length === 0) return new Map();
    const rows = await this.db
      .select()
      .from(reportRuns)
      .where(inArray(reportRuns.scheduleId, [...scheduleIds]))
      .orderBy(desc(reportRuns.periodStart));
    const out = new Map<string, RunRow>();
    for (const r of rows) if (!out.has(r.scheduleId)) out.set(r.scheduleId, r);
    return out;
  }

  async runsOf(scheduleId: string): Promise<RunRow[]> {
    return this.db.select().from(reportRuns).where(eq(reportRuns.scheduleId, scheduleId));
  }
}
