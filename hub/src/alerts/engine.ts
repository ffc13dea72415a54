/**
 * Runs the alert evaluation every `intervalMs` (15 s) and soon after a camera unit's status changes,
 * one evaluation at a time (a request while one runs starts one more after it), and hands every alert
 * fired or cleared to `onChange` (the live feed). Errors are logged; the next run tries again.
 */
import type { Db } from '../db/database.ts';
import type { AlertRow } from '../db/repositories/index.ts';
import { type Evaluation, evaluateAlerts } from './evaluator.ts';
import type { StatusSource } from './facts.ts';

export const DEFAULT_ALERT_INTERVAL_MS = 15_000;

export interface AlertEngineLog {
  error(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
}

export interface AlertEngineOptions {
  db: Db;
  statusOf: StatusSource;
  log: AlertEngineLog;
  intervalMs?: number;
  /** The least pause between the end of one evaluation and a requested next one (default 1 s). */
  minGapMs?: number;
  /** Each alert fired or cleared by this hub process. */
  onChange?: (alert: AlertRow) => void;
  now?: () => number;
}

export class AlertEngine {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<Evaluation> | undefined;
  private again = false;
  private stopped = false;
  /** A requested evaluation waiting for the pause after the last one. */
  private soon: NodeJS.Timeout | undefined;
  private lastEnd = Number.NEGATIVE_INFINITY;
  /** Set by `start`: offline times this hub can vouch for begin here. */
  private watchingSince = 0;
  private readonly now: () => number;

  constructor(private readonly o: AlertEngineOptions) {
    this.now = o.now ?? Date.now;
  }

  /** Evaluates now and then every interval. */
  start(): void {
    this.stopped = false;
    this.watchingSince = this.now();
    this.timer = setInterval(() => this.request(), this.o.intervalMs ?? DEFAULT_ALERT_INTERVAL_MS);
    this.timer.unref();
    this.request();
  }

  /**
   * Asks for an evaluation soon (a status changed): several requests while one runs make one more,
   * and a busy hub's many statuses make at most one evaluation per `minGapMs`.
   */
  request(): void {
    if (this.stopped || this.soon) return;
    if (this.running) {
      this.again = true;
      return;
    }
    const wait = this.lastEnd + (this.o.minGapMs ?? 1000) - Date.now();
    if (wait > 0) {
      this.soon = setTimeout(() => {
        this.soon = undefined;
        this.request();
      }, wait);
      this.soon.unref();
      return;
    }
    void this.evaluate().catch(() => {});
  }

  /** Runs one evaluation (after the one running, if any) and returns what it changed. */
  async evaluate(): Promise<Evaluation> {
    while (this.running) await this.running.catch(() => undefined);
    const mine = this.runOnce();
    this.running = mine;
    try {
      return await mine;
    } finally {
      this.lastEnd = Date.now();
      if (this.running === mine) this.running = undefined;
      if (this.again && !this.stopped) {
        this.again = false;
        this.request();
      }
    }
  }

  private async runOnce(): Promise<Evaluation> {
    try {
      const result = await evaluateAlerts({
        db: this.o.db,
        statusOf: this.o.statusOf,
        now: this.now(),
        watchingSince: this.watchingSince,
      });
      for (const alert of [...result.fired, ...result.cleared]) this.o.onChange?.(alert);
      if (result.fired.length + result.cleared.length > 0) {
        this.o.log.info({ fired: result.fired.length, cleared: result.cleared.length }, 'alerts changed');
      }
      return result;
    } catch (err) {
      if (!this.stopped) this.o.log.error({ err }, 'evaluating the alert rules failed; trying again soon');
      throw err;
    }
  }

  /** Stops the timer and waits for the evaluation running, if any. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    clearTimeout(this.soon);
    await this.running?.catch(() => undefined);
  }
}
