/**
 * Sends scheduled reports. Every minute (injectable clock and interval) it works out, for each enabled
 * schedule, the last complete period (see service.ts for the time zone), claims it by inserting its
 * run row (ON CONFLICT DO NOTHING: of several hub processes only one sends), builds and sends it.
 * A failed send records its error and is tried again later: after 5, 15, 35 and 75 minutes (from the
 * first claim; each wait counts from the try before), five tries at most. A try the hub never finished
 * (it stopped between claim and send) is tried again once its claim is older than a lease.
 */
import type { ReportSchedulesRepository, RunRow, ScheduleRow } from './schedules-repository.ts';
import type { ReportService } from './service.ts';

export const MAX_ATTEMPTS = 5;
const RETRY_BASE_MS = 5 * 60_000;
/** Longer than any one try (language model 30 s, mail server 60 s, building the files). */
export const CLAIM_LEASE_MS = 15 * 60_000;

export interface SchedulerLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface SchedulerOptions {
  service: ReportService;
  schedules: ReportSchedulesRepository;
  log: SchedulerLog;
  /** Default Date.now. */
  clock?: (() => number) | undefined;
  /** Between ticks (default one minute). */
  intervalMs?: number | undefined;
  /** Wait after a failed try before the next, times 2^(tries - 1) (default five minutes). */
  retryBaseMs?: number | undefined;
}

export class ReportScheduler {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(private readonly o: SchedulerOptions) {}

  private now(): Date {
    return new Date((this.o.clock ?? Date.now)());
  }

  start(): void {
    this.stopped = false;
    this.schedule();
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.tick().finally(() => {
        this.running = undefined;
        this.schedule();
      });
    }, this.o.intervalMs ?? 60_000);
    this.timer.unref();
  }

  /** Stops the timer and waits for the report in progress (a round stops between reports). */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  /** One round: new periods of every enabled schedule, then failed runs whose wait is over. */
  async tick(): Promise<void> {
    try {
      for (const s of await this.o.schedules.listEnabled()) {
        if (this.stopped) return;
        await this.sendDue(s);
      }
      await this.retryFailed();
    } catch (err) {
      this.o.log.error({ err }, 'report scheduler: a round failed; the next one tries again');
    }
  }

  private async sendDue(s: ScheduleRow): Promise<void> {
    const now = this.now();
    const range = await this.o.service.periodBefore(s.storeId, s.period, now);
    const run = await this.o.schedules.claim(s.id, range.start, range.end, now);
    if (run) await this.attempt(s, run);
  }

  private async retryFailed(): Promise<void> {
    const base = this.o.retryBaseMs ?? RETRY_BASE_MS;
    const now = this.now();
    const staleBefore = new Date(now.getTime() - CLAIM_LEASE_MS);
    for (const run of await this.o.schedules.failed(MAX_ATTEMPTS, staleBefore)) {
      if (this.stopped) return;
      if (now.getTime() < run.createdAt.getTime() + base * 2 ** (run.attempts - 1)) continue;
      const schedule = await this.o.schedules.get(run.scheduleId).catch(() => null);
      if (!schedule?.enabled) continue;
      const claimed = await this.o.schedules.claimRetry(run, now);
      if (claimed) await this.attempt(schedule, claimed);
    }
  }

  private async attempt(s: ScheduleRow, run: RunRow): Promise<void> {
    try {
      // The run's own period: the schedule's period or zone may have changed since the claim.
      const range = await this.o.service.rangeOfRun(s.storeId, run);
      const source = await this.o.service.send(s, range);
      await this.o.schedules.markSent(run.id, source, this.now());
      this.o.log.info({ schedule: s.id, periodStart: run.periodStart, summary: source }, 'report sent');
    } catch (err) {
      const message = (err as Error).message;
      await this.o.schedules.markFailed(run.id, message);
      this.o.log.warn(
        { schedule: s.id, periodStart: run.periodStart, attempt: run.attempts, error: message },
        run.attempts >= MAX_ATTEMPTS ? 'report not sent; no more tries' : 'report not sent; will try again',
      );
    }
  }
}
