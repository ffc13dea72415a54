/**
 * Ingest's per-device queues: each device's batches handled one group at a time, in arrival order;
 * different devices run in parallel up to `concurrency` groups. A full queue drops the batch with the
 * highest seqs, waiting or new, unacknowledged (the agent resends it after its ack timeout); a batch
 * whose seqs are all queued is left out. Several queued batches of one device are merged into one
 * group (micro-batching, at most `maxGroupEvents`; one batch is never split).
 *
 * A database error that is not bad input keeps the group at the head of its queue, retried with
 * exponential backoff, then dropped unacknowledged after `maxRetries` (the agent resends it). Bad input
 * the database refuses drops the group unacknowledged. A group refused for its device (unknown or
 * revoked) drops its broker batches; batches from `submit` stay queued.
 */
import type { EventBatch } from '@oskartrack/protocol';
import { DbInputError, translateDbError } from '../db/errors.ts';
import type { Refusal } from './device-gate.ts';
import type { IngestLogger, RateLimitedLog } from './rate-limited-log.ts';

export interface QueuedBatch {
  batch: EventBatch;
  receivedAt: number;
  /** Came over the broker (checked against the device's credential), not through `submit`. */
  viaBroker: boolean;
  /** A batch from `submit`: settled once it is stored, or given up. */
  waiter?: { resolve: () => void; reject: (err: Error) => void };
}

/** Stores one group; a refusal drops its broker batches, a throw is a database error. */
export type GroupHandler = (deviceId: string, group: readonly QueuedBatch[]) => Promise<Refusal | undefined>;

export interface DeviceQueueOptions {
  handle: GroupHandler;
  log: IngestLogger;
  limited: RateLimitedLog;
  concurrency: number;
  maxQueuePerDevice: number;
  maxGroupEvents: number;
  maxRetries: number;
  retryDelayMs: number;
  maxRetryDelayMs: number;
}

export interface QueueStats {
  queueFull: number;
  /** Broker batches left out because queued batches held all their seqs (a box's resend). */
  copies: number;
  refused: number;
  dbErrors: number;
  retries: number;
  failedGroups: number;
}

interface DeviceLine {
  id: string;
  queue: QueuedBatch[];
  /** Batches at the head of `queue` being stored now, or waiting to be retried. */
  storing: number;
  /** In the ready list or running: never both, never twice. */
  scheduled: boolean;
  retryTimer: NodeJS.Timeout | undefined;
  attempts: number;
}

const firstSeq = (batch: EventBatch) => batch.events[0]!.seq;

/** Whether the batch's events hold `seq` (its seqs ascend: batch-check.ts). */
function holds(batch: EventBatch, seq: number): boolean {
  const events = batch.events;
  let lo = 0;
  let hi = events.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const at = events[mid]!.seq;
    if (at === seq) return true;
    if (at < seq) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}

/**
 * Every seq of the batch is in a queued broker batch: a box resending what it sent before (outbox
 * events never change), perhaps cut at other seqs. The queued ones are stored and acknowledged, so the
 * copy adds nothing; queued, the resends of a box after each ack time-out filled its queue while the
 * hubs drained a fleet.
 */
function coveredBy(queue: readonly QueuedBatch[], batch: EventBatch): boolean {
  let last: EventBatch | undefined;
  for (const { seq } of batch.events) {
    if (last && holds(last, seq)) continue;
    last = queue.find((q) => q.viaBroker && holds(q.batch, seq))?.batch;
    if (!last) return false;
  }
  return true;
}

export class DeviceQueues {
  private readonly lines = new Map<string, DeviceLine>();
  private readonly ready: DeviceLine[] = [];
  private readonly running = new Set<Promise<void>>();
  private active = 0;
  private stopped = false;
  private readonly counts: QueueStats = {
    queueFull: 0,
    copies: 0,
    refused: 0,
    dbErrors: 0,
    retries: 0,
    failedGroups: 0,
  };

  constructor(private readonly o: DeviceQueueOptions) {}

  stats(): QueueStats {
    return { ...this.counts };
  }

  /** Queues a broker batch; false (and a rate-limited log line) when the device's queue is full. */
  offer(deviceId: string, batch: EventBatch): boolean {
    const line = this.line(deviceId);
    if (coveredBy(line.queue, batch)) {
      this.counts.copies++;
      return true;
    }
    if (line.queue.length >= this.o.maxQueuePerDevice) {
      const room = this.makeRoom(line, batch);
      this.counts.queueFull++;
      this.o.limited.warn(
        `full:${deviceId}`,
        { deviceId, queued: line.queue.length },
        room
          ? 'ingest queue of the device is full: its highest batch dropped unacknowledged for lower seqs (the agent resends it)'
          : 'ingest queue of the device is full: batch dropped unacknowledged (the agent resends it)',
      );
      if (!room) return false;
    }
    line.queue.push({ batch, receivedAt: Date.now(), viaBroker: true });
    this.schedule(line);
    return true;
  }

  /**
   * A full queue takes a batch with lower seqs than one of its waiting broker batches, dropping the
   * highest one unacknowledged instead: the device's acknowledged point waits for the lowest seqs (a
   * box resending the batch that closes its gap), not for those above it, which the box sends again.
   */
  private makeRoom(line: DeviceLine, batch: EventBatch): boolean {
    let highest = -1;
    for (let i = line.storing; i < line.queue.length; i++) {
      const q = line.queue[i]!;
      if (q.viaBroker && (highest < 0 || firstSeq(q.batch) > firstSeq(line.queue[highest]!.batch)))
        highest = i;
    }
    if (highest < 0 || firstSeq(line.queue[highest]!.batch) <= firstSeq(batch)) return false;
    line.queue.splice(highest, 1);
    return true;
  }

  /** Queues a batch whatever the queue's length (the caller waits for each); settles once handled. */
  submit(deviceId: string, batch: EventBatch): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const line = this.line(deviceId);
      line.queue.push({ batch, receivedAt: Date.now(), viaBroker: false, waiter: { resolve, reject } });
      this.schedule(line);
    });
  }

  /** Batches waiting, over all devices. */
  queued(): number {
    let n = 0;
    for (const line of this.lines.values()) n += line.queue.length;
    return n;
  }

  /** Resolves when nothing is queued, retrying or running. */
  async idle(): Promise<void> {
    for (;;) {
      if (this.running.size > 0) await Promise.allSettled([...this.running]);
      else if (this.queued() > 0) await new Promise((r) => setTimeout(r, 5));
      else return;
    }
  }

  /** Drops what is queued (unacknowledged) and waits for the groups under way. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const line of this.lines.values()) {
      if (line.retryTimer) clearTimeout(line.retryTimer);
      line.retryTimer = undefined;
      line.storing = 0;
      for (const q of line.queue)
        q.waiter?.reject(new Error('the ingest stopped before the batch was stored'));
      line.queue.length = 0;
    }
    this.ready.length = 0;
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }

  private line(id: string): DeviceLine {
    let line = this.lines.get(id);
    if (!line) {
      line = { id, queue: [], storing: 0, scheduled: false, retryTimer: undefined, attempts: 0 };
      this.lines.set(id, line);
    }
    return line;
  }

  private schedule(line: DeviceLine): void {
    if (line.scheduled || line.retryTimer || line.queue.length === 0 || this.stopped) return;
    line.scheduled = true;
    this.ready.push(line);
    this.pump();
  }

  private pump(): void {
    while (this.active < this.o.concurrency && this.ready.length > 0) {
      const line = this.ready.shift()!;
      this.active++;
      const run = this.runGroup(line).finally(() => {
        this.active--;
        this.running.delete(run);
        line.scheduled = false;
        // Back of the line: a busy device does not starve the others.
        this.schedule(line);
        this.pump();
      });
      this.running.add(run);
    }
  }

  /** How many batches at the head of the queue make the next group. */
  private groupSize(line: DeviceLine): number {
    let n = 0;
    let events = 0;
    while (n < line.queue.length) {
      const size = line.queue[n]!.batch.events.length;
      if (n > 0 && events + size > this.o.maxGroupEvents) break;
      events += size;
      n++;
    }
    return n;
  }

  private async runGroup(line: DeviceLine): Promise<void> {
    const n = this.groupSize(line);
    const group = line.queue.slice(0, n);
    line.storing = n;
    try {
      const refusal = await this.o.handle(line.id, group);
      if (refusal) return this.refuse(line, n, refusal);
      line.queue.splice(0, n);
      line.attempts = 0;
      for (const q of group) q.waiter?.resolve();
    } catch (err) {
      this.failed(line, n, err);
    } finally {
      // A group waiting to be retried stays protected from makeRoom, with its attempts.
      line.storing = line.retryTimer ? n : 0;
    }
  }

  /** Bad input is dropped; a database outage is retried with backoff, up to `maxRetries`. */
  private failed(line: DeviceLine, n: number, err: unknown): void {
    const cause = translateDbError(err);
    if (cause instanceof DbInputError) {
      this.counts.failedGroups++;
      this.o.log.error(
        { deviceId: line.id, batches: n, error: cause.message },
        'event batches refused by the database: dropped unacknowledged',
      );
      for (const q of line.queue.splice(0, n)) q.waiter?.reject(cause);
      return;
    }
    this.counts.dbErrors++;
    if (this.stopped) return;
    if (line.attempts >= this.o.maxRetries) {
      this.counts.failedGroups++;
      this.o.log.error(
        { deviceId: line.id, batches: n, attempts: line.attempts + 1, error: String(err) },
        'database still failing: batches dropped unacknowledged (the agent resends them)',
      );
      line.attempts = 0;
      for (const q of line.queue.splice(0, n)) {
        q.waiter?.reject(new Error(`the database kept failing: ${String(err)}`));
      }
      return;
    }
    this.retryLater(line, err);
  }

  private retryLater(line: DeviceLine, err: unknown): void {
    const delay = Math.min(this.o.maxRetryDelayMs, this.o.retryDelayMs * 2 ** line.attempts);
    line.attempts++;
    this.counts.retries++;
    this.o.limited.warn(
      `dberr:${line.id}`,
      { deviceId: line.id, attempt: line.attempts, retryInMs: delay, error: String(err) },
      'database error while storing events: not acknowledged, will retry',
    );
    line.retryTimer = setTimeout(() => {
      line.retryTimer = undefined;
      this.schedule(line);
    }, delay);
    line.retryTimer.unref?.();
  }

  /** Drops the group's broker batches unacknowledged; batches from `submit` stay queued. */
  private refuse(line: DeviceLine, n: number, refusal: Refusal): void {
    const group = line.queue.splice(0, n);
    const refused = group.filter((q) => q.viaBroker);
    line.queue.unshift(...group.filter((q) => !q.viaBroker));
    line.attempts = 0;
    this.counts.refused += refused.length;
    this.o.limited.warn(
      `refused:${line.id}`,
      { deviceId: line.id, batches: refused.length, device: refusal },
      refusal === 'unknown'
        ? 'event batches of a device the hub does not know refused: not stored, not acknowledged'
        : 'event batches of a revoked device refused: not stored, not acknowledged (enroll the box again)',
    );
  }
}
