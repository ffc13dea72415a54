/**
 * Runs the retention pass (run.ts) once shortly after the hub starts and then every hour. Every hub
 * process runs the job; the retention lock makes one of them do each step. Also removes ended login
 * sessions, which nothing else deleted. `serve` also has the day rows (the pass's last step) computed
 * a few seconds after the start, in the background (`runDayRows`).
 */
import type { Db } from '../db/database.ts';
import { SessionsRepository } from '../db/repositories/sessions.ts';
import { type RetentionResult, runDayRows, runRetention } from './run.ts';

export const RETENTION_EVERY_MS = 3_600_000;
/** The first pass waits ten minutes, so a starting hub first serves its boxes (and short-lived test hubs never run it). */
export const FIRST_RUN_AFTER_MS = 600_000;
/** The day rows alone, this long after the start (`serve`): after the first requests, long before the pass. */
export const DAY_ROWS_AFTER_START_MS = 3_000;

export interface RetentionLog {
  info(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export class RetentionJob {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private dayRowsTimer: NodeJS.Timeout | undefined;
  /** The start's day rows pass while it runs, then its result (undefined: failed, or none started). */
  dayRowsAtStart: Promise<RetentionResult | undefined> | undefined;

  constructor(
    private readonly db: Db,
    private readonly log: RetentionLog,
    private readonly everyMs = RETENTION_EVERY_MS,
    /** After every pass, failed or not (the answer cache drops what it held). */
    private readonly afterPass?: () => Promise<void>,
  ) {}

  /** The hourly pass, the first after `firstAfterMs`; with `dayRowsAfterMs`, the day rows alone before it. */
  start(firstAfterMs = FIRST_RUN_AFTER_MS, dayRowsAfterMs?: number): void {
    if (this.timer) return;
    if (dayRowsAfterMs !== undefined) {
      this.dayRowsTimer = setTimeout(() => {
        this.dayRowsTimer = undefined;
        this.dayRowsAtStart = this.runDayRowsOnce();
      }, dayRowsAfterMs);
      this.dayRowsTimer.unref();
    }
    const tick = (delay: number) => {
      this.timer = setTimeout(() => {
        // runOnce never throws: the next pass is always scheduled.
        this.running = this.runOnce().then(() => {
          this.running = undefined;
          if (this.timer) tick(this.everyMs);
        });
      }, delay);
      this.timer.unref();
    };
    tick(firstAfterMs);
  }

  async stop(): Promise<void> {
    clearTimeout(this.timer);
    clearTimeout(this.dayRowsTimer);
    this.timer = undefined;
    this.dayRowsTimer = undefined;
    await Promise.all([this.running, this.dayRowsAtStart]);
  }

  /** The day rows alone; failures are logged, never thrown (the hourly pass computes them too). */
  async runDayRowsOnce(): Promise<RetentionResult | undefined> {
    try {
      const result = await runDayRows(this.db);
      if (result.daysComputed > 0) this.log.info(result, 'retention: day rows computed at start');
      return result;
    } catch (err) {
      this.log.error({ err }, 'computing the day rows at start failed; the first pass computes them');
      return undefined;
    }
  }

  /** One pass; failures are logged, never thrown (the next hour tries again). */
  async runOnce(): Promise<RetentionResult | undefined> {
    try {
      const result = await runRetention(this.db);
      const sessions = await new SessionsRepository(this.db).deleteEnded();
      if (result.partitionsDropped.length + result.eventsDeleted + result.visitsDeleted + sessions > 0) {
        this.log.info({ ...result, sessionsDeleted: sessions }, 'retention: old detailed data removed');
      }
      return result;
    } catch (err) {
      this.log.error({ err }, 'retention pass failed; it runs again within the hour');
      return undefined;
    } finally {
      // A failed pass may have removed some data too.
      await this.afterPass?.().catch(() => {});
    }
  }
}
