/**
 * Runs the retention pass (run.ts) once shortly after the hub starts and then every hour. Every hub
 * process runs the job; the retention lock makes one of them do each step. Also removes ended login
 * sessions, which nothing else deleted.
 */
import type { Db } from '../db/database.ts';
import { SessionsRepository } from '../db/repositories/sessions.ts';
import { type RetentionResult, runRetention } from './run.ts';

export const RETENTION_EVERY_MS = 3_600_000;
/** The first pass waits ten minutes, so a starting hub first serves its boxes (and short-lived test hubs never run it). */
export const FIRST_RUN_AFTER_MS = 600_000;

export interface RetentionLog {
  info(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export class RetentionJob {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(
    private readonly db: Db,
    private readonly log: RetentionLog,
    private readonly everyMs = RETENTION_EVERY_MS,
    /** After every pass, failed or not (the answer cache drops what it held). */
    private readonly afterPass?: () => Promise<void>,
  ) {}

  start(firstAfterMs = FIRST_RUN_AFTER_MS): void {
    if (this.timer) return;
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
    this.timer = undefined;
    await this.running;
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
