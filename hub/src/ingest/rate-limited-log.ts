/** The logger calls ingest makes (pino's signature: fields first, then the message). */
export interface IngestLogger {
  debug(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/**
 * Logs at most `burst` lines per key and window; what it held back is counted in the next line of
 * that key. A flood of bad messages can not flood the log (or the disk).
 */
export class RateLimitedLog {
  private readonly windows = new Map<string, { start: number; lines: number; suppressed: number }>();

  constructor(
    private readonly log: IngestLogger,
    private readonly burst = 5,
    private readonly windowMs = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  warn(key: string, obj: object, msg: string): void {
    const t = this.now();
    let w = this.windows.get(key);
    if (!w || t - w.start >= this.windowMs) {
      const suppressed = w?.suppressed ?? 0;
      w = { start: t, lines: 0, suppressed: 0 };
      if (this.windows.size > 10_000) this.windows.clear();
      this.windows.set(key, w);
      if (suppressed > 0) {
        w.lines++;
        this.log.warn({ ...obj, suppressed }, `${msg} (and ${suppressed} more like it not logged)`);
        return;
      }
    }
    if (w.lines < this.burst) {
      w.lines++;
      this.log.warn(obj, msg);
    } else {
      w.suppressed++;
    }
  }
}
