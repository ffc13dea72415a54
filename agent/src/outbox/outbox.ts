import {
  check,
  MAX_PAYLOAD_BYTES,
  type SequencedEvent,
  TrackingEvent,
  type TrackingEvent as TrackingEventT,
} from '@oskartrack/protocol';
import Database from 'better-sqlite3';
import type { Logger } from 'pino';
import { createLogger } from '../log.ts';
import { OpenStays } from './open-stays.ts';

/**
 * Durability of a commit.
 *
 * - `full` (default): every commit is fsynced into the WAL before `append` returns. Survives SIGKILL
 *   *and* power loss / kernel panic. This matters more than it looks: with `normal`, a power cut can
 *   roll back the last commits, including the seq counter, after some of those events were already
 *   sent and stored by the hub. The next events would then reuse those seqs and the hub would drop
 *   them as duplicates: silent loss. A Pi on a shop's power strip does lose power.
 * - `normal`: WAL without an fsync per commit (fsync at checkpoints only). Survives SIGKILL (the
 *   commit is in the OS page cache, which outlives the process) but not power loss. Cheaper on slow
 *   SD cards; only for boxes on a UPS or when the engine appends many tiny transactions.
 */
export type OutboxSync = 'full' | 'normal';

export interface OutboxOptions {
  /** Most events kept; beyond it the oldest are dropped (and counted). Default 1,000,000. */
  maxEvents?: number;
  /** Oldest event kept, by the time it entered the outbox; older ones are dropped. Default 30 days. */
  maxAgeMs?: number;
  synchronous?: OutboxSync;
  /** Clock, for tests. */
  now?: () => number;
  logger?: Logger;
}

export interface OutboxStats {
  depth: number;
  oldestAgeMs: number;
  dropped: number;
}

/** Largest JSON of one event: a batch holding only it must still fit one MQTT payload. */
export const MAX_EVENT_BYTES = MAX_PAYLOAD_BYTES - 1024;

const DEFAULT_MAX_EVENTS = 1_000_000;
const DEFAULT_MAX_AGE_MS = 30 * 24 * 3600 * 1000;
/**
 * `rebaseAbove` goes no higher: seqs stay exact JavaScript integers for 2^53 - 2^48 more events
 * (past 2^53 two seqs round to the same number and the outbox fails on its primary key).
 */
export const MAX_REBASE_SEQ = 2 ** 48;
const RESERVED_COUNTERS = new Set(['seq', 'dropped', 'sent']);

interface Row {
  seq: number;
  body: string;
}

/**
 * Store-and-forward queue of tracking events in SQLite.
 *
 * Every event gets the next per-device `seq` in the same transaction that stores it. The last seq
 * handed out lives in a counter row, not in `max(seq)`, so it keeps growing when the table is
 * emptied by acknowledgements or drops, and across restarts. Rows are deleted only by `ackUpTo`
 * (the hub's end-to-end acknowledgement) or by the size / age bounds, which drop the oldest first,
 * log a warning and add to the persistent `dropped` count.
 *
 * One process writes an outbox at a time (the agent); other processes may read it.
 */
export class Outbox {
  readonly path: string;
  readonly maxEvents: number;
  readonly maxAgeMs: number;
  private readonly db: Database.Database;
  private readonly now: () => number;
  private readonly log: Logger;
  private readonly listeners = new Set<() => void>();
  private depthCache: number;
  private lastSeqCache: number;
  private sentCache: number;
  private droppedCache: number;
  private closed = false;

  private readonly stmt: {
    insert: Database.Statement<[number, number, string]>;
    claim: Database.Statement<[number, number], Row>;
    deleteUpTo: Database.Statement<[number]>;
    oldest: Database.Statement<[], { seq: number; created_at: number }>;
    seqAtOffset: Database.Statement<[number], { seq: number }>;
    firstYoungEnough: Database.Statement<[number], { seq: number }>;
    count: Database.Statement<[], { n: number }>;
    getCounter: Database.Statement<[string], { value: number }>;
    addCounter: Database.Statement<[{ name: string; value: number }], { value: number }>;
    setCounterMax: Database.Statement<[{ name: string; value: number }], { value: number }>;
    shiftAll: Database.Statement<[number]>;
  };
  private readonly appendTx: (
    events: readonly TrackingEventT[],
    bodies: readonly string[],
    createdAt: number,
  ) => number[];
  /** Tracks and area stays still open (open-stays.ts). */
  private readonly stays: OpenStays;
  private readonly pruneTx: (now: number) => void;

  constructor(path: string, options: OutboxOptions = {}) {
    this.path = path;
    this.maxEvents = options.maxEvents ?? DEFAULT_MAX_EVENTS;
    this.maxAgeMs = options.maxAgeMs ?? DEFAULT_MAX_AGE_MS;
    if (!Number.isInteger(this.maxEvents) || this.maxEvents < 1)
      throw new Error(`outbox maxEvents must be a positive integer, got ${this.maxEvents}`);
    if (!(this.maxAgeMs > 0)) throw new Error(`outbox maxAgeMs must be positive, got ${this.maxAgeMs}`);
    this.now = options.now ?? Date.now;
    this.log = options.logger ?? createLogger('outbox');

    const db = new Database(path);
    this.db = db;
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${options.synchronous === 'normal' ? 'NORMAL' : 'FULL'}`);
    db.pragma('busy_timeout = 5000');
    // Keep the WAL file from growing without bound after a large backlog is drained.
    db.pragma('journal_size_limit = 67108864');
    db.exec(`
      CREATE TABLE IF NOT EXISTS outbox_events (
        seq INTEGER PRIMARY KEY,
        created_at INTEGER NOT NULL,
        body TEXT NOT NULL
      ) STRICT;
      CREATE TABLE IF NOT EXISTS outbox_counters (
        name TEXT PRIMARY KEY,
        value INTEGER NOT NULL
      ) STRICT;
      INSERT OR IGNORE INTO outbox_counters (name, value) VALUES ('seq', 0), ('dropped', 0);
    `);

    this.stmt = {
      insert: db.prepare('INSERT INTO outbox_events (seq, created_at, body) VALUES (?, ?, ?)'),
      claim: db.prepare('SELECT seq, body FROM outbox_events WHERE seq > ? ORDER BY seq LIMIT ?'),
      deleteUpTo: db.prepare('DELETE FROM outbox_events WHERE seq <= ?'),
      oldest: db.prepare('SELECT seq, created_at FROM outbox_events ORDER BY seq LIMIT 1'),
      seqAtOffset: db.prepare('SELECT seq FROM outbox_events ORDER BY seq LIMIT 1 OFFSET ?'),
      // The oldest are at the front in seq order: this scans only the rows to be dropped, plus one.
      firstYoungEnough: db.prepare(
        'SELECT seq FROM outbox_events WHERE created_at >= ? ORDER BY seq LIMIT 1',
      ),
      count: db.prepare('SELECT count(*) AS n FROM outbox_events'),
      getCounter: db.prepare('SELECT value FROM outbox_counters WHERE name = ?'),
      addCounter: db.prepare(
        `INSERT INTO outbox_counters (name, value) VALUES (@name, @value)
         ON CONFLICT (name) DO UPDATE SET value = value + @value RETURNING value`,
      ),
      setCounterMax: db.prepare(
        `INSERT INTO outbox_counters (name, value) VALUES (@name, @value)
         ON CONFLICT (name) DO UPDATE SET value = max(value, @value) RETURNING value`,
      ),
      shiftAll: db.prepare('UPDATE outbox_events SET seq = seq + ?'),
    };

    this.depthCache = this.stmt.count.get()!.n;
    this.lastSeqCache = this.counter('seq');
    this.sentCache = this.counter('sent');
    this.droppedCache = this.counter('dropped');

    this.stays = new OpenStays(db);
    this.appendTx = db.transaction(
      (events: readonly TrackingEventT[], bodies: readonly string[], createdAt) => {
        const last = this.stmt.addCounter.get({ name: 'seq', value: bodies.length })!.value;
        const first = last - bodies.length + 1;
        const seqs: number[] = new Array(bodies.length);
        for (let i = 0; i < bodies.length; i++) {
          seqs[i] = first + i;
          this.stmt.insert.run(first + i, createdAt, bodies[i]!);
        }
        this.stays.note(events);
        this.depthCache += bodies.length;
        this.lastSeqCache = last;
        this.enforceBounds(createdAt);
        return seqs;
      },
    );
    this.pruneTx = db.transaction((now: number) => this.enforceBounds(now));
  }

  /**
   * Stores events and returns their seqs, in order, all in one transaction. Throws (and stores
   * nothing) when an event does not match the schema or is too large to ever be sent: a poison
   * event would block every later one, since the hub acknowledges only gap-free prefixes.
   */
  append(events: readonly TrackingEventT[]): number[] {
    this.assertOpen();
    if (events.length === 0) return [];
    const bodies = events.map((event, i) => {
      const valid = check(TrackingEvent, event);
      if (!valid.ok) throw new Error(`outbox: event ${i} is not a valid tracking event: ${valid.error}`);
      const body = JSON.stringify(event);
      if (Buffer.byteLength(body) > MAX_EVENT_BYTES)
        throw new Error(`outbox: event ${i} (${event.kind}) is over ${MAX_EVENT_BYTES} bytes`);
      return body;
    });
    let seqs: number[];
    try {
      seqs = this.appendTx(events, bodies, this.now());
    } catch (error) {
      this.reloadCaches();
      throw error;
    }
    for (const listener of this.listeners) {
      try {
        listener();
      } catch (error) {
        this.log.error({ err: error }, 'outbox append listener failed');
      }
    }
    return seqs;
  }

  /**
   * Closes the tracks and area stays a stop out of order (power cut, crash) left open, with events
   * at each camera's last counted moment; the number of events added. Call before counting again.
   */
  closeLeftOpen(): number {
    const closing = this.stays.closing();
    if (closing.length > 0) this.append(closing);
    return closing.length;
  }

  /** Up to `limit` stored events with `seq > afterSeq`, in ascending seq order. */
  claim(limit: number, afterSeq = 0): SequencedEvent[] {
    this.assertOpen();
    if (limit <= 0) return [];
    return this.stmt.claim
      .all(afterSeq, limit)
      .map((row) => ({ seq: row.seq, event: JSON.parse(row.body) as TrackingEventT }));
  }

  /** Deletes every event with `seq <= seq` (the hub stored them); returns how many. */
  ackUpTo(seq: number): number {
    this.assertOpen();
    const deleted = this.stmt.deleteUpTo.run(seq).changes;
    this.depthCache -= deleted;
    return deleted;
  }

  /** Events waiting for the hub's acknowledgement. */
  depth(): number {
    return this.depthCache;
  }

  /** How long the oldest waiting event has been in the outbox; 0 when empty. */
  oldestAgeMs(): number {
    this.assertOpen();
    const oldest = this.stmt.oldest.get();
    return oldest ? Math.max(0, Math.round(this.now() - oldest.created_at)) : 0;
  }

  /** Events dropped by the size and age bounds, ever (persistent). */
  get dropped(): number {
    return this.droppedCache;
  }

  /** The last seq handed out (0 before the first event); the next event gets `lastSeq + 1`. */
  get lastSeq(): number {
    return this.lastSeqCache;
  }

  /**
   * The highest seq ever handed to the link to send, by any process (persistent): the hub can not
   * have stored anything above it, so an ack above it is refused.
   */
  get highestSent(): number {
    return this.sentCache;
  }

  /** Records that events up to `seq` are about to be sent (before they are: a crash errs high). */
  markSent(seq: number): void {
    this.assertOpen();
    if (seq <= this.sentCache) return;
    if (seq > this.lastSeqCache) throw new Error(`seq ${seq} was never assigned (last ${this.lastSeqCache})`);
    this.sentCache = this.stmt.setCounterMax.get({ name: 'sent', value: seq })!.value;
  }

  /** The lowest seq still stored, or undefined when empty. */
  firstSeq(): number | undefined {
    this.assertOpen();
    return this.stmt.oldest.get()?.seq;
  }

  stats(): OutboxStats {
    return { depth: this.depth(), oldestAgeMs: this.oldestAgeMs(), dropped: this.dropped };
  }

  /** Applies the age bound now (appends apply both bounds on their own). */
  prune(): void {
    this.assertOpen();
    this.pruneTx(this.now());
  }

  /**
   * For the hub acknowledging seqs this outbox never handed out (its database was lost or replaced
   * while the hub remembers the device): moves the counter past `seq` and renumbers the waiting
   * events above it, in order, so the hub does not drop them as duplicates. Returns the shift.
   */
  rebaseAbove(seq: number): number {
    this.assertOpen();
    if (!Number.isSafeInteger(seq) || seq > MAX_REBASE_SEQ)
      throw new RangeError(`refusing to renumber the outbox above ${seq}: more than ${MAX_REBASE_SEQ}`);
    if (seq <= this.lastSeqCache) return 0;
    return this.db.transaction(() => {
      const first = this.stmt.oldest.get()?.seq;
      const shift = first === undefined ? 0 : seq + 1 - first;
      // Every new seq is above the old lastSeq, so no row collides with one not yet moved.
      if (shift > 0) this.stmt.shiftAll.run(shift);
      const last = Math.max(seq, this.lastSeqCache + Math.max(shift, 0));
      this.lastSeqCache = this.stmt.setCounterMax.get({ name: 'seq', value: last })!.value;
      return shift;
    })();
  }

  /** A named persistent counter (e.g. the link's connection number), incremented and returned. */
  increment(name: string): number {
    this.assertOpen();
    if (RESERVED_COUNTERS.has(name)) throw new Error(`outbox counter ${name} is reserved`);
    return this.stmt.addCounter.get({ name, value: 1 })!.value;
  }

  /** Calls `listener` after every successful append; returns the unsubscribe function. */
  onAppend(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.listeners.clear();
    this.db.close();
  }

  private counter(name: string): number {
    return this.stmt.getCounter.get(name)?.value ?? 0;
  }

  private reloadCaches(): void {
    this.depthCache = this.stmt.count.get()!.n;
    this.lastSeqCache = this.counter('seq');
    this.sentCache = this.counter('sent');
    this.droppedCache = this.counter('dropped');
  }

  /** Drops the oldest events over the size bound, then those over the age bound. In a transaction. */
  private enforceBounds(now: number): void {
    if (this.depthCache > this.maxEvents) {
      const excess = this.depthCache - this.maxEvents;
      const upTo = this.stmt.seqAtOffset.get(excess - 1)!.seq;
      this.drop(upTo, 'size', `more than ${this.maxEvents} events waiting`);
    }
    const oldest = this.stmt.oldest.get();
    if (oldest && now - oldest.created_at > this.maxAgeMs) {
      const young = this.stmt.firstYoungEnough.get(now - this.maxAgeMs);
      const upTo = young ? young.seq - 1 : this.lastSeqCache;
      this.drop(upTo, 'age', `older than ${this.maxAgeMs} ms`);
    }
  }

  private drop(upTo: number, reason: 'size' | 'age', why: string): void {
    const from = this.stmt.oldest.get()?.seq;
    const count = this.stmt.deleteUpTo.run(upTo).changes;
    if (count === 0) return;
    this.depthCache -= count;
    this.droppedCache = this.stmt.addCounter.get({ name: 'dropped', value: count })!.value;
    this.log.warn(
      {
        reason,
        dropped: count,
        fromSeq: from,
        toSeq: upTo,
        totalDropped: this.droppedCache,
        depth: this.depthCache,
      },
      `OUTBOX FULL: dropped ${count} undelivered events (${why}); visitors in them are lost`,
    );
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('outbox is closed');
  }
}
