/**
 * The worker's side of storing one recording's events: batches are handed to the hub as the engine
 * finds them, and the engine keeps detecting while the hub stores (a stop-and-wait per batch left the
 * detector idle for each transaction), but never runs more than `IN_FLIGHT` batches ahead.
 */
import type { TrackingEvent } from '@oskartrack/protocol';
import type { ToHub } from './worker-messages.ts';

export const IN_FLIGHT = 4;

export class BatchFlow {
  private inFlight = 0;
  private waiting: (() => void)[] = [];
  private cancelled = false;

  constructor(
    private readonly id: string,
    private readonly post: (msg: ToHub) => Promise<void>,
  ) {}

  /** Hands a batch to the hub; waits only while `IN_FLIGHT` batches are not stored yet. */
  async send(events: TrackingEvent[]): Promise<void> {
    this.check();
    this.inFlight++;
    await this.post({ type: 'events', id: this.id, events });
    if (this.inFlight >= IN_FLIGHT) await this.wait();
  }

  /** Waits until the hub has stored every batch sent. */
  async allStored(): Promise<void> {
    while (this.inFlight > 0) await this.wait();
  }

  /** The hub stored the oldest batch not yet acknowledged. */
  stored(): void {
    this.inFlight--;
    this.waiting.shift()?.();
  }

  /** The hub wants no more: whoever waits goes on, and the next batch fails the run. */
  cancel(): void {
    this.cancelled = true;
    for (const w of this.waiting.splice(0)) w();
  }

  private async wait(): Promise<void> {
    this.check();
    await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.check();
  }

  private check(): void {
    if (this.cancelled) throw new Error('stopped by the hub');
  }
}
