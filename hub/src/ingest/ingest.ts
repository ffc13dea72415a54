/**
 * Hub ingest: event batches from `oskartrack/v1/devices/{id}/events` into PostgreSQL, then the
 * end-to-end acknowledgement.
 *
 * - Every payload is checked before anything else (size, JSON, schema, ascending seqs, floor not above
 *   the first seq). A bad one is logged (rate-limited per device) and rejected: never stored, never
 *   acknowledged. A batch with one invalid event is rejected whole (the agent validates every event on
 *   append, so this means a bug or a forgery, and storing half a batch would hide it).
 * - The device id comes from the topic: the broker lets a device publish only under its own id.
 *   Batches from the broker of a device the database does not know, or whose credential was revoked,
 *   are refused (device-gate.ts): not stored, not acknowledged, one rate-limited log line.
 * - Each device has a bounded queue handled one group at a time, in arrival order; different devices
 *   run in parallel up to `concurrency` transactions. A full queue drops the new batch unacknowledged
 *   (the agent resends it after its ack timeout). Several queued batches of one device are merged into
 *   one transaction (micro-batching).
 * - One transaction per group: the events (idempotent on device + seq), a visitor profile and a visit
 *   (with time per area) for each new `visit_closed`, and the hourly / daily summaries; only events
 *   stored now count, so a redelivery never counts twice. Events count in the hour of their own `at`.
 * - After the commit the device's gap-free point moves: to at least `floor - 1`, then over every seq
 *   stored; it is published as the Ack. A batch that was all duplicates is acknowledged again (the
 *   agent may have missed the first ack). After a hub start the point is found from the first batch's
 *   floor and the run of seqs the database already holds from there (`events.storedRunEnd`).
 * - Database down (any error that is not bad input): nothing is acknowledged; the group stays at the
 *   head of the queue and is retried with exponential backoff, then dropped unacknowledged after
 *   `maxRetries` (the agent resends it). Bad input the database refuses (an unknown device) drops the
 *   group unacknowledged.
 * - Events that name a camera that is not the box's own (unknown, of another store or another box: a
 *   camera deleted or moved while its events waited in the outbox, or a forgery) go to the
 *   `dead_letters` table in the same transaction (camera-check.ts), and only then count as done in the
 *   ack: every acknowledged seq is either in `tracking_events` or in `dead_letters`.
 * - Peak occupancy (who is inside) is applied per device in seq order, only over the gap-free prefix,
 *   so batches arriving out of order (the agent's backlog and fresh lanes) do not scramble it; events
 *   above a gap wait in memory (at most `maxPendingOccupancy`, past that they are applied as they come).
 *   After a hub restart, a device's first batch rebuilds who is inside from its stored events of the
 *   last `OCCUPANCY_STALE_MS` (`storedOccupancy`), so people inside across the restart still count.
 */
import {
  check,
  EventBatch,
  type EventOf,
  PROTOCOL_VERSION,
  parsePayload,
  parseTopic,
  type SequencedEvent,
  type TrackingEvent,
  topics,
} from '@oskartrack/protocol';
import { type AggregateContext, OccupancyTracker, SummaryAccumulator } from '../aggregate/summarize.ts';
import type { InboundMessage, MessageBus } from '../broker/bus.ts';
import type { DatabaseHandle } from '../db/database.ts';
import { DbInputError, NotFoundError, translateDbError } from '../db/errors.ts';
import { createRepositories, inTransaction, type Repositories } from '../db/repositories/index.ts';
import { AckTracker } from './ack-tracker.ts';
import { type CameraOwners, deadLettersOf, splitByCamera } from './camera-check.ts';
import { brokerRefusal, type Refusal } from './device-gate.ts';
import { OCCUPANCY_KINDS, storedOccupancy } from './occupancy.ts';
import { type IngestLogger, RateLimitedLog } from './rate-limited-log.ts';

export type { IngestLogger } from './rate-limited-log.ts';

export interface IngestOptions {
  bus: MessageBus;
  db: DatabaseHandle;
  log: IngestLogger;
  /** Called after each commit with the events stored now (not the duplicates), in seq order. */
  onStored?: (deviceId: string, storedEvents: SequencedEvent[]) => void;
  /** Transactions at once, over all devices (default 4; keep it under the pool size). */
  concurrency?: number;
  /** Batches waiting per device before new ones are dropped unacknowledged (default 64). */
  maxQueuePerDevice?: number;
  /** Events merged into one transaction at most (default 2000; one batch is never split). */
  maxGroupEvents?: number;
  /** Retries of a group after a database error before it is dropped unacknowledged (default 10). */
  maxRetries?: number;
  /** First retry delay, doubled each time up to `maxRetryDelayMs` (defaults 100 ms and 5 s). */
  retryDelayMs?: number;
  maxRetryDelayMs?: number;
  /** Largest payload read (default the protocol's MAX_PAYLOAD_BYTES). */
  maxPayloadBytes?: number;
  /** How long a device's store, cameras and areas are cached (default 30 s). */
  deviceInfoTtlMs?: number;
  /** Occupancy events held above a gap per device (default 50,000). */
  maxPendingOccupancy?: number;
}

export interface IngestStats {
  received: number;
  rejected: number;
  /** Batches dropped unacknowledged because the device's queue was full. */
  queueFull: number;
  groups: number;
  stored: number;
  duplicates: number;
  /** Events kept in the dead-letter table because their camera is not the device's own. */
  deadLettered: number;
  /** Batches from the broker refused because the device is unknown or revoked. */
  refused: number;
  visits: number;
  acks: number;
  dbErrors: number;
  retries: number;
  /** Groups given up (bad input, or too many retries): not acknowledged. */
  failedGroups: number;
}

interface QueuedBatch {
  batch: EventBatch;
  receivedAt: number;
  /** Came over the broker (checked against the device's credential), not through `submit`. */
  viaBroker: boolean;
  /** A batch from `submit`: settled once it is stored, or given up. */
  waiter?: { resolve: () => void; reject: (err: Error) => void };
}

interface DeviceInfo {
  ctx: AggregateContext;
  owners: CameraOwners;
  loadedAt: number;
}

interface DeviceState {
  id: string;
  queue: QueuedBatch[];
  /** In the ready list or running: never both, never twice. */
  scheduled: boolean;
  retryTimer: NodeJS.Timeout | undefined;
  attempts: number;
  ack: AckTracker | undefined;
  occupancy: OccupancyTracker;
  /** New occupancy events above the gap-free point, by seq, waiting to be applied in order. */
  pending: Map<number, TrackingEvent>;
  info: DeviceInfo | undefined;
}

export class Ingest {
  private readonly bus: MessageBus;
  private readonly handle: DatabaseHandle;
  private readonly repos: Repositories;
  private readonly log: IngestLogger;
  private readonly limited: RateLimitedLog;
  private readonly onStored: IngestOptions['onStored'];
  private readonly concurrency: number;
  private readonly maxQueue: number;
  private readonly maxGroupEvents: number;
  private readonly maxRetries: number;
  private readonly retryDelayMs: number;
  private readonly maxRetryDelayMs: number;
  private readonly maxPayloadBytes: number | undefined;
  private readonly infoTtlMs: number;
  private readonly maxPending: number;

  private readonly devices = new Map<string, DeviceState>();
  private readonly ready: DeviceState[] = [];
  private readonly running = new Set<Promise<void>>();
  private active = 0;
  private started = false;
  private stopped = false;
  private readonly counters: IngestStats = {
    received: 0,
    rejected: 0,
    queueFull: 0,
    groups: 0,
    stored: 0,
    duplicates: 0,
    deadLettered: 0,
    refused: 0,
    visits: 0,
    acks: 0,
    dbErrors: 0,
    retries: 0,
    failedGroups: 0,
  };

  constructor(options: IngestOptions) {
    this.bus = options.bus;
    this.handle = options.db;
    this.repos = createRepositories(options.db.db);
    this.log = options.log;
    this.limited = new RateLimitedLog(options.log);
    this.onStored = options.onStored;
    this.concurrency = Math.max(1, options.concurrency ?? 4);
    this.maxQueue = Math.max(1, options.maxQueuePerDevice ?? 64);
    this.maxGroupEvents = Math.max(1, options.maxGroupEvents ?? 2000);
    this.maxRetries = Math.max(0, options.maxRetries ?? 10);
    this.retryDelayMs = options.retryDelayMs ?? 100;
    this.maxRetryDelayMs = options.maxRetryDelayMs ?? 5000;
    this.maxPayloadBytes = options.maxPayloadBytes;
    this.infoTtlMs = options.deviceInfoTtlMs ?? 30_000;
    this.maxPending = options.maxPendingOccupancy ?? 50_000;
  }

  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    await this.bus.subscribe(topics.all.events, (m) => this.receive(m));
  }

  /**
   * Stops taking messages and waits for the transactions under way (their acks are sent). Batches still
   * queued are dropped unacknowledged: the agent resends them to the next hub.
   */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const d of this.devices.values()) {
      if (d.retryTimer) clearTimeout(d.retryTimer);
      d.retryTimer = undefined;
      for (const q of d.queue) q.waiter?.reject(new Error('the ingest stopped before the batch was stored'));
      d.queue.length = 0;
    }
    this.ready.length = 0;
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }

  stats(): IngestStats {
    return { ...this.counters };
  }

  /** The device's current gap-free point (what the last ack said); undefined before its first batch. */
  ackedUpTo(deviceId: string): number | undefined {
    return this.devices.get(deviceId)?.ack?.upTo;
  }

  /** Batches waiting, over all devices. */
  queued(): number {
    let n = 0;
    for (const d of this.devices.values()) n += d.queue.length;
    return n;
  }

  /** Resolves when nothing is queued, retrying or running (tests, benchmarks). */
  async idle(): Promise<void> {
    for (;;) {
      if (this.running.size > 0) await Promise.allSettled([...this.running]);
      else if (this.queued() > 0) await new Promise((r) => setTimeout(r, 5));
      else return;
    }
  }

  /** Handles one MQTT message; never throws, never waits for the database. */
  receive(message: InboundMessage): void {
    if (this.stopped) return;
    const parsedTopic = parseTopic(message.topic);
    if (parsedTopic?.channel !== 'events') return;
    const deviceId = parsedTopic.deviceId;
    this.counters.received++;
    const parsed = parsePayload(EventBatch, message.payload, this.maxPayloadBytes);
    const error = parsed.ok ? batchProblem(parsed.value) : parsed.error;
    if (!parsed.ok || error) {
      this.counters.rejected++;
      this.limited.warn(
        `reject:${deviceId}`,
        { deviceId, bytes: message.payload.byteLength, error },
        'event batch rejected',
      );
      return;
    }
    const state = this.device(deviceId);
    if (state.queue.length >= this.maxQueue) {
      this.counters.queueFull++;
      this.limited.warn(
        `full:${deviceId}`,
        { deviceId, queued: state.queue.length },
        'ingest queue of the device is full: batch dropped unacknowledged (the agent resends it)',
      );
      return;
    }
    state.queue.push({ batch: parsed.value, receivedAt: Date.now(), viaBroker: true });
    this.schedule(state);
  }

  /**
   * Stores a batch for a device without MQTT (the store's recordings device of uploaded videos), through
   * the same path as a device's batches: its queue, one transaction with visits and summaries, the ack
   * and `onStored`. Resolves after the commit; rejects when the batch is invalid or given up (refused
   * by the database, too many retries, ingest stopped). The caller waits for each batch, so the
   * device's queue limit does not apply.
   */
  submit(deviceId: string, batch: EventBatch): Promise<void> {
    if (this.stopped) return Promise.reject(new Error('the ingest is stopped'));
    const checked = check(EventBatch, batch);
    const error = checked.ok ? batchProblem(batch) : checked.error;
    if (error) return Promise.reject(new Error(`invalid event batch: ${error}`));
    return new Promise<void>((resolve, reject) => {
      const state = this.device(deviceId);
      state.queue.push({ batch, receivedAt: Date.now(), viaBroker: false, waiter: { resolve, reject } });
      this.schedule(state);
    });
  }

  private device(id: string): DeviceState {
    let d = this.devices.get(id);
    if (!d) {
      d = {
        id,
        queue: [],
        scheduled: false,
        retryTimer: undefined,
        attempts: 0,
        ack: undefined,
        occupancy: new OccupancyTracker(),
        pending: new Map(),
        info: undefined,
      };
      this.devices.set(id, d);
    }
    return d;
  }

  private schedule(d: DeviceState): void {
    if (d.scheduled || d.retryTimer || d.queue.length === 0 || this.stopped) return;
    d.scheduled = true;
    this.ready.push(d);
    this.pump();
  }

  private pump(): void {
    while (this.active < this.concurrency && this.ready.length > 0) {
      const d = this.ready.shift()!;
      this.active++;
      const run = this.runGroup(d).finally(() => {
        this.active--;
        this.running.delete(run);
        d.scheduled = false;
        // Back of the line: a busy device does not starve the others.
        this.schedule(d);
        this.pump();
      });
      this.running.add(run);
    }
  }

  /** Takes the next group of the device's queue and stores it; on a database error keeps it queued. */
  private async runGroup(d: DeviceState): Promise<void> {
    let n = 0;
    let events = 0;
    while (n < d.queue.length) {
      const size = d.queue[n]!.batch.events.length;
      if (n > 0 && events + size > this.maxGroupEvents) break;
      events += size;
      n++;
    }
    const group = d.queue.slice(0, n);
    let refreshed = false;
    for (;;) {
      try {
        if (group.some((q) => q.viaBroker)) {
          const refusal = await brokerRefusal(this.repos.devices, d.id);
          if (refusal) return this.refuse(d, n, refusal);
        }
        await this.storeGroup(d, group, refreshed);
        d.queue.splice(0, n);
        d.attempts = 0;
        for (const q of group) q.waiter?.resolve();
        return;
      } catch (err) {
        const cause = translateDbError(err);
        if (cause instanceof NotFoundError && cause.entity !== 'device' && !refreshed) {
          // A camera or area removed since the device's info was cached: look again, once.
          refreshed = true;
          continue;
        }
        if (cause instanceof DbInputError) {
          this.counters.failedGroups++;
          this.log.error(
            { deviceId: d.id, batches: n, error: cause.message },
            'event batches refused by the database: dropped unacknowledged',
          );
          d.queue.splice(0, n);
          for (const q of group) q.waiter?.reject(cause);
          return;
        }
        this.counters.dbErrors++;
        d.info = undefined;
        if (this.stopped) return;
        if (d.attempts >= this.maxRetries) {
          this.counters.failedGroups++;
          this.log.error(
            { deviceId: d.id, batches: n, attempts: d.attempts + 1, error: String(err) },
            'database still failing: batches dropped unacknowledged (the agent resends them)',
          );
          d.queue.splice(0, n);
          d.attempts = 0;
          for (const q of group) q.waiter?.reject(new Error(`the database kept failing: ${String(err)}`));
          return;
        }
        const delay = Math.min(this.maxRetryDelayMs, this.retryDelayMs * 2 ** d.attempts);
        d.attempts++;
        this.counters.retries++;
        this.limited.warn(
          `dberr:${d.id}`,
          { deviceId: d.id, attempt: d.attempts, retryInMs: delay, error: String(err) },
          'database error while storing events: not acknowledged, will retry',
        );
        d.retryTimer = setTimeout(() => {
          d.retryTimer = undefined;
          this.schedule(d);
        }, delay);
        d.retryTimer.unref?.();
        return;
      }
    }
  }

  /** Drops the group's broker batches unacknowledged; batches from `submit` stay queued. */
  private refuse(d: DeviceState, n: number, refusal: Refusal): void {
    const group = d.queue.splice(0, n);
    const refused = group.filter((q) => q.viaBroker);
    d.queue.unshift(...group.filter((q) => !q.viaBroker));
    d.attempts = 0;
    this.counters.refused += refused.length;
    this.limited.warn(
      `refused:${d.id}`,
      { deviceId: d.id, batches: refused.length, device: refusal },
      refusal === 'unknown'
        ? 'event batches of a device the hub does not know refused: not stored, not acknowledged'
        : 'event batches of a revoked device refused: not stored, not acknowledged (enroll the box again)',
    );
  }

  private async deviceInfo(d: DeviceState, fresh: boolean): Promise<DeviceInfo> {
    const now = Date.now();
    if (!fresh && d.info && now - d.info.loadedAt < this.infoTtlMs) return d.info;
    const device = await this.repos.devices.get(d.id);
    const store = await this.repos.stores.get(device.storeId);
    const cameras = await this.repos.cameras.list({ storeId: device.storeId });
    const zonesByCamera = new Map<string, Set<string>>();
    for (const c of cameras) {
      zonesByCamera.set(c.id, new Set((await this.repos.zones.listZones(c.id)).map((z) => z.id)));
    }
    d.info = {
      ctx: { storeId: device.storeId, timezone: store.timezone, zonesByCamera },
      owners: {
        kind: device.kind,
        deviceId: device.id,
        cameras: new Map(cameras.map((c) => [c.id, c.deviceId])),
      },
      loadedAt: now,
    };
    return d.info;
  }

  private async storeGroup(d: DeviceState, group: readonly QueuedBatch[], fresh: boolean): Promise<void> {
    const info = await this.deviceInfo(d, fresh);
    const bySeq = new Map<number, TrackingEvent>();
    let floor = 1;
    for (const q of group) {
      floor = Math.max(floor, q.batch.floor);
      for (const e of q.batch.events) bySeq.set(e.seq, e.event);
    }
    const seqs = [...bySeq.keys()].sort((a, b) => a - b);
    const { keep, strays } = splitByCamera(
      info.owners,
      seqs.map((seq) => ({ seq, event: bySeq.get(seq)! })),
    );
    if (strays.length > 0 && !fresh) throw new NotFoundError('camera', 'of a batch event'); // look again first

    const ack = d.ack?.clone() ?? new AckTracker();
    let stored: SequencedEvent[] = [];
    let duplicates = 0;
    let visits = 0;
    let deadLettered = 0;
    let applied: number[] = [];
    let occupancy = d.occupancy;
    const newPending: [number, TrackingEvent][] = [];

    await inTransaction(this.handle.db, async (tx) => {
      const result = await tx.events.insertEventsDetailed(d.id, keep);
      duplicates = result.duplicates;
      const inserted = new Set(result.insertedSeqs);
      stored = keep.filter((e) => inserted.has(e.seq));
      if (strays.length > 0) {
        const letters = await deadLettersOf(info.owners, strays, (id) => tx.cameras.find(id));
        deadLettered = await tx.deadLetters.add(d.id, letters);
      }

      const closed: { seq: number; event: EventOf<'visit_closed'> }[] = [];
      for (const { seq, event } of stored) if (event.kind === 'visit_closed') closed.push({ seq, event });
      if (closed.length > 0) {
        const customerIds = await tx.customers.recordSightings(
          closed.map(({ event }) => ({
            storeId: info.ctx.storeId,
            trackingId: visitorId(d.id, event),
            at: new Date(event.startedAt),
            newVisit: true,
          })),
        );
        visits = await tx.visits.createManyFromEvents(
          d.id,
          closed.map(({ seq, event }) => ({
            seq,
            event,
            customerId: customerIds.get(visitorId(d.id, event)) ?? null,
          })),
        );
      }

      // The gap-free point this commit will reach.
      ack.raiseTo(floor - 1);
      let base = d.occupancy;
      if (!d.ack) {
        ack.raiseTo(await tx.events.storedRunEnd(d.id, ack.upTo + 1));
        // First batch since the hub started: who is inside comes from the events already stored.
        base = await storedOccupancy(tx, d.id, ack.upTo, keep[0]?.event.at ?? Date.now(), info.ctx);
      }
      ack.addSeqs(seqs);

      const acc = new SummaryAccumulator(info.ctx);
      for (const { event } of stored) acc.addEvent(event);

      // Occupancy in seq order over the gap-free prefix; the rest waits for the gap to close.
      const candidates: [number, TrackingEvent][] = [...d.pending];
      for (const e of stored) if (OCCUPANCY_KINDS.has(e.event.kind)) candidates.push([e.seq, e.event]);
      candidates.sort((a, b) => a[0] - b[0]);
      const overflow = Math.max(0, candidates.length - this.maxPending);
      occupancy = base.clone();
      applied = [];
      candidates.forEach(([seq, event], i) => {
        if (seq <= ack.upTo || i < overflow) {
          occupancy.apply(event, acc);
          applied.push(seq);
        } else if (!d.pending.has(seq)) newPending.push([seq, event]);
      });

      await tx.summaries.increment(acc.deltas());
    });

    // Committed: now the state may move and the ack go out.
    d.ack = ack;
    d.occupancy = occupancy;
    for (const seq of applied) d.pending.delete(seq);
    for (const [seq, event] of newPending) d.pending.set(seq, event);
    this.counters.groups++;
    this.counters.stored += stored.length;
    this.counters.duplicates += duplicates;
    this.counters.visits += visits;
    if (deadLettered > 0) {
      this.counters.deadLettered += deadLettered;
      this.limited.warn(
        `dead:${d.id}`,
        { deviceId: d.id, deadLettered },
        "events for a camera that is not the box's own kept as dead letters (camera deleted or moved?)",
      );
    }
    await this.sendAck(d.id, ack.upTo);
    if (stored.length > 0 && this.onStored) {
      try {
        this.onStored(d.id, stored);
      } catch (err) {
        this.log.error({ deviceId: d.id, error: String(err) }, 'onStored listener failed');
      }
    }
  }

  private async sendAck(deviceId: string, upToSeq: number): Promise<void> {
    if (upToSeq < 1) return;
    const payload = JSON.stringify({ v: PROTOCOL_VERSION, upToSeq, at: Date.now() });
    try {
      await this.bus.publish(topics.ack(deviceId), payload, { qos: 1, retain: false });
      this.counters.acks++;
    } catch (err) {
      // Stored all the same: the next batch (or the agent's resend) gets the ack.
      this.limited.warn(`ackfail:${deviceId}`, { deviceId, error: String(err) }, 'could not publish an ack');
    }
  }
}

/** What the schema can not say: seqs strictly ascending, the floor not above the first seq. */
function batchProblem(batch: EventBatch): string | undefined {
  const events = batch.events;
  for (let i = 1; i < events.length; i++) {
    if (events[i]!.seq <= events[i - 1]!.seq) return `seqs not ascending at event ${i + 1}`;
  }
  if (batch.floor > events[0]!.seq) return `floor ${batch.floor} is above the first seq ${events[0]!.seq}`;
  return undefined;
}

/**
 * The visitor profile of a visit. Without re-identification every visit is its own anonymous visitor:
 * track ids restart with the agent, so the visit's start is part of the id.
 */
export function visitorId(deviceId: string, e: EventOf<'visit_closed'>): string {
  return `${deviceId}/${e.cameraId}/${e.trackId}@${e.startedAt}`;
}
