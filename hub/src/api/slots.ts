/**
 * A fixed number of slots taken in turn (first come, first served): the answer cache lets only so many
 * misses compute at once, so that their queries never hold every pooled database connection and a
 * cache hit's sign-in check, or ingest, always finds one.
 */
export class Slots {
  private free: number;
  private readonly waiting: (() => void)[] = [];

  constructor(readonly size: number) {
    if (!Number.isInteger(size) || size < 1) throw new RangeError('slots: at least one');
    this.free = size;
  }

  /** Slots in use now. */
  get taken(): number {
    return this.size - this.free;
  }

  /** Requests waiting for a slot. */
  get queued(): number {
    return this.waiting.length;
  }

  /** Resolves once a slot is this caller's; `give` it back exactly once. */
  take(): Promise<void> {
    if (this.free > 0) {
      this.free--;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  /** Hands the slot to the longest waiting caller, or frees it. */
  give(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.free = Math.min(this.size, this.free + 1);
  }
}
