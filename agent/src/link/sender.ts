/**
 * The windowed sender: delivers the outbox in seq order at QoS 1 and deletes an event only when the
 * hub's signed `ack` says it is stored (a PUBACK proves nothing). It knows no MQTT: the link hands it
 * a `publish` function and says when sending is possible, so it can be tested without a broker.
 *
 * - Window: at most `window` batches wait for an ack in the backlog / steady lane; in the steady lane
 *   a batch that is not full waits until nothing else does (sendSteady).
 * - Rewind: on every (re)connect, when the hub turns online again and after `ackTimeoutMs` without ack
 *   progress (doubled after each time-out in a row, up to 8 times), the sender forgets what is in
 *   flight and resends from the first unacknowledged seq. Nothing is ever given up. `epoch` changes on every rewind; callbacks from an older one are ignored.
 * - After a time-out only one batch is in flight, the first unacknowledged one, until an ack shows
 *   progress (as TCP's window falls to one segment on a retransmission time-out): a hub late with a
 *   fleet's backlog most likely holds the rest already, and every copy is work for it to skip.
 * - Lanes: while a backlog from before the last rewind drains, a second "fresh" lane sends the newest
 *   events too (one batch per PUBACK round trip, bounded in events), so current counts reach the hub
 *   in seconds rather than after the whole backlog. The hub stores them idempotently; its gap-free ack
 *   covers them once the backlog catches up. With no backlog, new events go out in the steady lane.
 */
import { MAX_BATCH_EVENTS, type Outgoing } from '@oskartrack/protocol';
import type { Logger } from 'pino';
import { MAX_REBASE_SEQ, type Outbox } from '../outbox/outbox.ts';
import { buildBatch } from './batch.ts';

export type Lane = 'backlog' | 'fresh' | 'steady';

/** The ack wait doubles at most this many times (8 x `ackTimeoutMs`: 4 minutes by default). */
const MAX_BACKOFF_DOUBLINGS = 3;
/** While a batch waits for its ack, one that is not full goes at most this often (sendSteady). */
const NAGLE_HOLD_MS = 5_000;
const ACK_TIMEOUT = 'ack timeout';

/** The parts of the outbox the sender reads and moves. */
export type SenderOutbox = Pick<
  Outbox,
  | 'claim'
  | 'markSent'
  | 'firstSeq'
  | 'depth'
  | 'ackUpTo'
  | 'rebaseAbove'
  | 'lastSeq'
  | 'highestSent'
  | 'dropped'
>;

export interface SenderOptions {
  deviceId: string;
  outbox: SenderOutbox;
  /** Puts a message on the wire; `done` runs on the broker's PUBACK (or with the publish error). */
  publish: (message: Outgoing, done: (error?: Error) => void) => void;
  /** Whether a batch can go out now (connected, subscribed, a hub listens: link/hub-gate.ts). */
  canSend: () => boolean;
  log: Logger;
  /** Events per batch, at most MAX_BATCH_EVENTS (and a batch is cut to fit MAX_PAYLOAD_BYTES). */
  batchSize?: number;
  /** Batches sent and not yet acknowledged, in the backlog / steady lane. Default 4. */
  window?: number;
  /** Fresh batches waiting for their PUBACK while a backlog drains (0 turns the lane off). Default 1. */
  freshWindow?: number;
  /** Fresh-lane events sent but not yet acknowledged, at most. Default 2 * batchSize. */
  maxFreshUnacked?: number;
  /** No acknowledgement progress for this long while batches are in flight: resend. Default 30 s. */
  ackTimeoutMs?: number;
  /** Runs a scheduled send; a throw must not escape (the link logs it). Default: run it. */
  guard?: (what: string, fn: () => void) => void;
  /** Defers a send to the next turn of the event loop. Default `setImmediate`. */
  defer?: (fn: () => void) => void;
  now?: () => number;
}

interface Batch {
  first: number;
  last: number;
  count: number;
  lane: Lane;
  pubacked: boolean;
}

export interface SenderStats {
  /** Highest seq the hub has acknowledged since this process started (0: none yet). */
  ackedUpTo: number;
  inFlightBatches: number;
  inFlightEvents: number;
  /** True while a backlog from before the last rewind is being resent. */
  draining: boolean;
  batchesSent: number;
  rewinds: number;
  ackTimeouts: number;
}

/** What an ack did: `stale` (nothing new), `applied`, or `refused` with the reason. */
export type AckOutcome =
  | { kind: 'stale' }
  | { kind: 'applied'; deleted: number }
  | { kind: 'refused'; why: string };

export class WindowedSender {
  private readonly o: SenderOptions;
  private readonly outbox: SenderOutbox;
  private readonly log: Logger;
  private readonly batchSize: number;
  private readonly window: number;
  private readonly freshWindow: number;
  private readonly maxFreshUnacked: number;
  readonly ackTimeoutMs: number;
  private readonly now: () => number;
  private readonly guard: (what: string, fn: () => void) => void;
  private readonly defer: (fn: () => void) => void;

  private epoch = 0;
  private inFlight: Batch[] = [];
  private ackedUpTo = 0;
  private backlogEnd = 0;
  private cursorBacklog = 0;
  private cursorFresh = 0;
  private waitingSince = 0;
  /** Ack time-outs in a row without progress: each doubles the next wait (ackWaitMs). */
  private timeoutStreak = 0;
  private lastSentAt = 0;
  private pumping = false;
  private pumpScheduled = false;
  private readonly counters = { batchesSent: 0, rewinds: 0, ackTimeouts: 0 };

  constructor(options: SenderOptions) {
    this.o = options;
    this.outbox = options.outbox;
    this.log = options.log;
    this.batchSize = Math.min(Math.max(1, options.batchSize ?? MAX_BATCH_EVENTS), MAX_BATCH_EVENTS);
    this.window = Math.max(1, options.window ?? 4);
    this.freshWindow = Math.max(0, options.freshWindow ?? 1);
    this.maxFreshUnacked = options.maxFreshUnacked ?? 2 * this.batchSize;
    this.ackTimeoutMs = options.ackTimeoutMs ?? 30_000;
    this.now = options.now ?? Date.now;
    this.guard = options.guard ?? ((_what, fn) => fn());
    this.defer = options.defer ?? ((fn) => setImmediate(fn));
  }

  stats(): SenderStats {
    return {
      ackedUpTo: this.ackedUpTo,
      inFlightBatches: this.inFlight.length,
      inFlightEvents: this.inFlight.reduce((n, b) => n + b.count, 0),
      draining: this.cursorBacklog < this.backlogEnd,
      ...this.counters,
    };
  }

  /** Forget what is in flight and start again from the first unacknowledged seq. */
  rewind(reason: string): void {
    this.epoch++;
    // A new connection or a hub back online starts a fresh wait; only time-outs in a row back off.
    if (reason !== ACK_TIMEOUT) this.timeoutStreak = 0;
    const wasInFlight = this.inFlight.length;
    this.inFlight = [];
    this.backlogEnd = this.outbox.lastSeq;
    this.cursorBacklog = Math.min(this.ackedUpTo, this.backlogEnd);
    this.cursorFresh = this.backlogEnd;
    this.waitingSince = this.now();
    this.counters.rewinds++;
    const depth = this.outbox.depth();
    if (depth > 0 || wasInFlight > 0)
      this.log.info(
        { reason, depth, firstSeq: this.outbox.firstSeq(), wasInFlight },
        'resending from the first unacknowledged event',
      );
  }

  /** Sends what the window allows on the next turn of the event loop (calls coalesce). */
  schedulePump(): void {
    if (this.pumpScheduled) return;
    this.pumpScheduled = true;
    this.defer(() => {
      this.pumpScheduled = false;
      this.guard('send', () => this.pump());
    });
  }

  /** Sends batches until the window is full, the outbox is sent, or sending is not possible. */
  pump(): void {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (this.o.canSend() && this.sendOne()) {}
    } finally {
      this.pumping = false;
    }
  }

  /** The hub stored every event up to `upTo`. */
  acknowledge(upTo: number): AckOutcome {
    if (upTo <= this.ackedUpTo) return { kind: 'stale' };
    if (upTo > this.outbox.highestSent) {
      // Refused or not, the hub answers: the whole window again, so new events can pass its point.
      this.timeoutStreak = 0;
      this.schedulePump();
      return this.ackBeyondSent(upTo);
    }
    this.ackedUpTo = upTo;
    const deleted = this.outbox.ackUpTo(upTo);
    this.inFlight = this.inFlight.filter((b) => b.last > upTo);
    this.cursorBacklog = Math.max(this.cursorBacklog, Math.min(upTo, this.backlogEnd));
    this.cursorFresh = Math.max(this.cursorFresh, upTo);
    this.waitingSince = this.now();
    this.timeoutStreak = 0;
    this.log.debug({ upToSeq: upTo, deleted, depth: this.outbox.depth() }, 'ack');
    this.schedulePump();
    return { kind: 'applied', deleted };
  }

  /**
   * How long to wait for ack progress before resending: `ackTimeoutMs`, doubled after each time-out in
   * a row up to 8 times it, as TCP backs off its retransmissions. Hubs busy with a whole fleet's
   * backlog answer late; resending every window at the base time-out only adds copies for them to skip.
   */
  ackWaitMs(): number {
    return this.ackTimeoutMs * 2 ** Math.min(this.timeoutStreak, MAX_BACKOFF_DOUBLINGS);
  }

  /** Housekeeping: resend when the hub has not acknowledged anything for `ackWaitMs()`. */
  tick(): void {
    if (this.o.canSend() && this.inFlight.length > 0 && this.now() - this.waitingSince >= this.ackWaitMs()) {
      this.counters.ackTimeouts++;
      this.log.warn(
        {
          inFlight: this.inFlight.length,
          firstSeq: this.inFlight[0]?.first,
          waitedMs: this.ackWaitMs(),
        },
        'no acknowledgement from the hub in time; resending',
      );
      this.reportDroppedGap();
      this.timeoutStreak++;
      this.rewind(ACK_TIMEOUT);
    }
    this.schedulePump();
  }

  /** One batch in whichever lane may send; false when none can. */
  private sendOne(): boolean {
    if (this.cursorBacklog >= this.backlogEnd) return this.sendSteady();
    let progressed = false;
    if (this.laneCount('backlog') < this.windowNow()) progressed = this.sendBacklog();
    if (this.freshLaneOpen()) progressed = this.sendTail('fresh') || progressed;
    return progressed;
  }

  /**
   * With nothing waiting for an ack, whatever there is goes at once; while a batch waits, only full
   * ones (as Nagle's rule in TCP), or one that is not full every NAGLE_HOLD_MS, so live numbers still
   * arrive when a batch was lost and its ack only comes after the time-out. A hub that stores slowly
   * gets fewer, larger batches instead of a window of small ones: most of a batch's cost at the hub is
   * per transaction, not per event.
   */
  private sendSteady(): boolean {
    if (this.inFlight.length >= this.windowNow()) return false;
    const partial = this.outbox.lastSeq - this.cursorFresh < this.batchSize;
    if (partial && this.inFlight.length > 0 && this.now() - this.lastSentAt < NAGLE_HOLD_MS) return false;
    return this.sendTail('steady');
  }

  /** Batches that may wait for an ack: one after a time-out until progress (the header says why). */
  private windowNow(): number {
    return this.timeoutStreak > 0 ? 1 : this.window;
  }

  private freshLaneOpen(): boolean {
    if (this.freshWindow <= 0 || this.timeoutStreak > 0) return false;
    const fresh = this.inFlight.filter((b) => b.lane === 'fresh');
    return (
      fresh.filter((b) => !b.pubacked).length < this.freshWindow &&
      fresh.reduce((n, b) => n + b.count, 0) < this.maxFreshUnacked
    );
  }

  private laneCount(lane: Lane): number {
    let n = 0;
    for (const b of this.inFlight) if (b.lane === lane) n++;
    return n;
  }

  private sendBacklog(): boolean {
    const events = this.outbox
      .claim(this.batchSize, this.cursorBacklog)
      .filter((e) => e.seq <= this.backlogEnd);
    if (events.length === 0) {
      this.cursorBacklog = this.backlogEnd; // the rest was acknowledged or dropped meanwhile
      return true;
    }
    this.cursorBacklog = this.publishBatch(events, 'backlog');
    return true;
  }

  private sendTail(lane: Lane): boolean {
    const events = this.outbox.claim(this.batchSize, this.cursorFresh);
    if (events.length === 0) return false;
    this.cursorFresh = this.publishBatch(events, lane);
    return true;
  }

  /** Publishes as many of `events` as fit one payload; returns the last seq sent. */
  private publishBatch(events: Parameters<typeof buildBatch>[1], lane: Lane): number {
    const built = buildBatch(this.o.deviceId, events, this.outbox.firstSeq(), this.now());
    const { first, last, count } = built;
    this.outbox.markSent(last); // before the publish: the hub can never have more than this
    const batch: Batch = { first, last, count, lane, pubacked: false };
    if (this.inFlight.length === 0) this.waitingSince = this.now();
    this.lastSentAt = this.now();
    this.inFlight.push(batch);
    this.counters.batchesSent++;
    const epoch = this.epoch;
    this.o.publish(built.message, (error) => {
      if (epoch !== this.epoch) return;
      if (error) {
        this.log.debug({ err: error, first, last }, 'batch publish failed; it will be resent');
        return;
      }
      batch.pubacked = true;
      if (lane === 'fresh') this.schedulePump();
    });
    this.log.debug({ first, last, lane, count }, 'batch sent');
    return last;
  }

  /**
   * A signed ack above every seq this box ever sent deletes nothing. One case is real: the box's
   * outbox was lost or replaced while the hub remembers this device's higher seqs, so it drops what
   * the box sends as duplicates. For seqs this outbox never even assigned, the waiting events are
   * renumbered above the ack (nothing is deleted, and only up to MAX_REBASE_SEQ); otherwise the ack
   * is refused.
   */
  private ackBeyondSent(upTo: number): AckOutcome {
    const { lastSeq, highestSent } = this.outbox;
    if (upTo <= lastSeq || upTo > MAX_REBASE_SEQ)
      return {
        kind: 'refused',
        why: `ack up to seq ${upTo} is beyond the highest seq this box has sent (${highestSent}); nothing deleted`,
      };
    const shift = this.outbox.rebaseAbove(upTo);
    this.log.error(
      { upToSeq: upTo, lastSeq: this.outbox.lastSeq, shift },
      'the hub acknowledges seqs this outbox never assigned (was the outbox reset?): waiting events renumbered above it',
    );
    this.ackedUpTo = upTo;
    this.rewind('outbox rebased');
    this.schedulePump();
    return { kind: 'applied', deleted: 0 };
  }

  private reportDroppedGap(): void {
    const first = this.outbox.firstSeq();
    if (this.ackedUpTo > 0 && first !== undefined && first > this.ackedUpTo + 1 && this.outbox.dropped > 0)
      this.log.error(
        { ackedUpTo: this.ackedUpTo, firstSeq: first, dropped: this.outbox.dropped },
        'the hub waits for seqs that the outbox dropped when it was full; it cannot acknowledge past them',
      );
  }
}
