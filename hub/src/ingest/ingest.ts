/**
 * Hub ingest: event batches from `oskartrack/v1/devices/{id}/events` into PostgreSQL, then the
 * end-to-end acknowledgement. This class wires the parts, each in its own file:
 *
 * - Every payload is checked before anything else (size, JSON, schema, batch-check.ts). A bad one is
 *   logged (rate-limited per device) and rejected: never stored, never acknowledged.
 * - The device id comes from the topic: the broker lets a device publish only under its own id.
 *   Batches from the broker of a device the database does not know, or whose credential was revoked,
 *   are refused (device-gate.ts): not stored, not acknowledged, one rate-limited log line.
 * - device-queue.ts: per-device order, backpressure, micro-batching, retries while the database is down.
 * - store-transaction.ts: one transaction per group (events, dead letters, visits, summaries).
 * - device-progress.ts: the gap-free point and who is inside per device, in `device_progress`, locked
 *   in each transaction, so any hub process may get any batch of a device (shared subscriptions).
 * - device-acks.ts: the gap-free point published after the commit. A batch that was all duplicates is
 *   acknowledged again (the agent may have missed the first ack).
 * - device-info.ts: each device's store, cameras and areas, cached; looked up again once when an
 *   event names a camera or area the cache does not know.
 * - ../aggregate/: summaries, visits and the peak occupancy in seq order (occupancy.ts).
 */
import {
  check,
  EventBatch,
  parsePayload,
  parseTopic,
  type SequencedEvent,
  topics,
} from '@oskartrack/protocol';
import type { InboundMessage, MessageBus } from '../broker/bus.ts';
import type { DatabaseHandle } from '../db/database.ts';
import { NotFoundError, translateDbError } from '../db/errors.ts';
import { createRepositories, type Repositories } from '../db/repositories/index.ts';
import { batchProblem } from './batch-check.ts';
import { DeviceAcks } from './device-acks.ts';
import { brokerRefusal, type Refusal } from './device-gate.ts';
import { DeviceInfoCache } from './device-info.ts';
import type { DeviceState } from './device-progress.ts';
import { DeviceQueues, type QueuedBatch } from './device-queue.ts';
import { type IngestLogger, RateLimitedLog } from './rate-limited-log.ts';
import { type Announce, mergeGroup, type StoredGroup, storeGroup } from './store-transaction.ts';

export { visitorId } from '../aggregate/visits.ts';
export type { IngestLogger } from './rate-limited-log.ts';
export type { Announce } from './store-transaction.ts';

export interface IngestOptions {
  bus: MessageBus;
  db: DatabaseHandle;
  log: IngestLogger;
  /**
   * Called inside each storing transaction with the events stored now, after they are written (the
   * other hub processes are told through it: cluster/live-bridge.ts). A throw rolls the group back.
   */
  announce?: Announce;
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
  /** Broker batches left out as copies of a batch still queued (a box resending). */
  copies: number;
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

export class Ingest {
  private readonly bus: MessageBus;
  private readonly handle: DatabaseHandle;
  private readonly repos: Repositories;
  private readonly log: IngestLogger;
  private readonly limited: RateLimitedLog;
  private readonly onStored: IngestOptions['onStored'];
  private readonly announce: Announce | undefined;
  private readonly maxPayloadBytes: number | undefined;
  private readonly maxPending: number;
  private readonly queues: DeviceQueues;
  private readonly acks: DeviceAcks;
  private readonly info: DeviceInfoCache;
  /** This hub's copy of each device's progress (trusted only while the row's version is its own). */
  private readonly progress = new Map<string, DeviceState>();
  private started = false;
  private stopped = false;
  private readonly counters = {
    received: 0,
    rejected: 0,
    groups: 0,
    stored: 0,
    duplicates: 0,
    deadLettered: 0,
    visits: 0,
    acks: 0,
  };

  constructor(options: IngestOptions) {
    this.bus = options.bus;
    this.handle = options.db;
    this.repos = createRepositories(options.db.db);
    this.log = options.log;
    this.limited = new RateLimitedLog(options.log);
    this.onStored = options.onStored;
    this.announce = options.announce;
    this.maxPayloadBytes = options.maxPayloadBytes;
    this.maxPending = options.maxPendingOccupancy ?? 50_000;
    this.acks = new DeviceAcks(this.bus, this.limited);
    this.info = new DeviceInfoCache(this.repos, options.deviceInfoTtlMs ?? 30_000);
    this.queues = new DeviceQueues({
      handle: (deviceId, group) => this.handleGroup(deviceId, group),
      log: this.log,
      limited: this.limited,
      concurrency: Math.max(1, options.concurrency ?? 4),
      maxQueuePerDevice: Math.max(1, options.maxQueuePerDevice ?? 64),
      maxGroupEvents: Math.max(1, options.maxGroupEvents ?? 2000),
      maxRetries: Math.max(0, options.maxRetries ?? 10),
      retryDelayMs: options.retryDelayMs ?? 100,
      maxRetryDelayMs: options.maxRetryDelayMs ?? 5000,
    });
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
    await this.queues.stop();
  }

  stats(): IngestStats {
    return { ...this.counters, ...this.queues.stats() };
  }

  /** The device's gap-free point as this hub last stored it; undefined before its first batch here. */
  ackedUpTo(deviceId: string): number | undefined {
    return this.progress.get(deviceId)?.ack.upTo;
  }

  /** Batches waiting, over all devices. */
  queued(): number {
    return this.queues.queued();
  }

  /** Resolves when nothing is queued, retrying or running (tests, benchmarks). */
  idle(): Promise<void> {
    return this.queues.idle();
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
    this.queues.offer(deviceId, parsed.value);
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
    return this.queues.submit(deviceId, batch);
  }

  /** One group of a device's queue: the device gate, then the store (looking the device up again once). */
  private async handleGroup(deviceId: string, group: readonly QueuedBatch[]): Promise<Refusal | undefined> {
    if (group.some((q) => q.viaBroker)) {
      const refusal = await brokerRefusal(this.repos.devices, deviceId);
      if (refusal) return refusal;
    }
    const batches = group.map((q) => q.batch);
    if (group.every((q) => q.viaBroker) && this.storedHere(deviceId, batches)) {
      return this.ackAgain(deviceId, batches);
    }
    try {
      return await this.storeAndAck(deviceId, batches, false);
    } catch (err) {
      const cause = translateDbError(err);
      // A camera or area removed since the device's info was cached: look again, once.
      if (cause instanceof NotFoundError && cause.entity !== 'device') {
        try {
          return await this.storeAndAck(deviceId, batches, true);
        } catch (again) {
          this.info.forget(deviceId);
          throw again;
        }
      }
      this.info.forget(deviceId);
      throw err;
    }
  }

  /**
   * Every seq of the box's batches is at or below the point this hub committed for the device, so a
   * box resending after missed acks needs no transaction. Below the point every seq is stored, or was
   * declared dropped by the box (its floor passed it: then acknowledging without storing is what the
   * box asked for; the transaction would still store such a late copy). Only for broker batches: the
   * recordings device numbers its own seqs and is never resent.
   */
  private storedHere(deviceId: string, batches: readonly EventBatch[]): boolean {
    const upTo = this.progress.get(deviceId)?.ack.upTo;
    return upTo !== undefined && batches.every((b) => b.events.at(-1)!.seq <= upTo);
  }

  private async ackAgain(deviceId: string, batches: readonly EventBatch[]): Promise<undefined> {
    this.counters.duplicates += batches.reduce((n, b) => n + b.events.length, 0);
    if (await this.acks.send(deviceId, this.progress.get(deviceId)!.ack.upTo)) this.counters.acks++;
    return undefined;
  }

  private async storeAndAck(deviceId: string, batches: EventBatch[], fresh: boolean): Promise<undefined> {
    const info = await this.info.get(deviceId, fresh);
    const state = {
      deviceId,
      info,
      progress: this.progress.get(deviceId),
      maxPending: this.maxPending,
      announce: this.announce,
    };
    const result = await storeGroup(this.handle.db, state, mergeGroup(info, batches), fresh);
    // Committed: now the copy may move and the ack go out (never past what the database holds).
    const progress = result.commit();
    this.progress.set(deviceId, progress);
    this.count(deviceId, result);
    if (await this.acks.send(deviceId, progress.ack.upTo)) this.counters.acks++;
    this.notify(deviceId, result.stored);
    return undefined;
  }

  private count(deviceId: string, result: StoredGroup): void {
    this.counters.groups++;
    this.counters.stored += result.stored.length;
    this.counters.duplicates += result.duplicates;
    this.counters.visits += result.visits;
    if (result.deadLettered === 0) return;
    this.counters.deadLettered += result.deadLettered;
    this.limited.warn(
      `dead:${deviceId}`,
      { deviceId, deadLettered: result.deadLettered },
      "events for a camera that is not the box's own kept as dead letters (camera deleted or moved?)",
    );
  }

  private notify(deviceId: string, stored: SequencedEvent[]): void {
    if (stored.length === 0) return;
    // Which hub stored what, when several share the broker (the logger carries the hub's id).
    this.log.debug(
      { deviceId, stored: stored.length, firstSeq: stored[0]!.seq, lastSeq: stored.at(-1)!.seq },
      'events stored',
    );
    if (!this.onStored) return;
    try {
      this.onStored(deviceId, stored);
    } catch (err) {
      this.log.error({ deviceId, error: String(err) }, 'onStored listener failed');
    }
  }
}
