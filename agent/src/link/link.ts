import type { KeyObject } from 'node:crypto';
import {
  Ack,
  check,
  DeviceConfig,
  DeviceStatus,
  HubStatus,
  type LiveTracks,
  MAX_BATCH_EVENTS,
  MAX_PAYLOAD_BYTES,
  PROTOCOL_VERSION,
  parseTopic,
  type SequencedEvent,
  SnapshotRequest,
  SnapshotResponse,
  topics,
} from '@oskartrack/protocol';
import type { Static, TSchema } from '@sinclair/typebox';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import { createLogger } from '../log.ts';
import { MAX_REBASE_SEQ, type Outbox } from '../outbox/outbox.ts';
import { ForgetfulStore } from './forgetful-store.ts';
import { HubMessages } from './hub-messages.ts';

export type CameraStatus = DeviceStatus['cameras'][number];
export type HubState = 'online' | 'offline' | 'unknown';

export interface LinkOptions {
  /** `mqtt://host:1883`, `mqtts://host:8883`, `ws://...`. */
  url: string;
  deviceId: string;
  /** The device's credential: sent as the password with `username = deviceId`. Absent: anonymous. */
  secret?: string;
  /** Default: the device id, so a second agent with the same identity takes the session over. */
  clientId?: string;
  /** Software version reported in the status. */
  software: string;
  outbox: Outbox;
  /**
   * The hub's public signing key (pinned at enrollment): acks, configs, requests and the hub status
   * are acted on only when the hub signed them for this topic.
   */
  hubKey: KeyObject;
  /** Revision of the configuration the agent already runs (saved locally); absent: none yet. */
  configRevision?: number;
  /** Camera states for the status message. */
  cameras?: () => CameraStatus[];
  /** A validated configuration with a higher revision; applied without a restart. Throw to refuse it. */
  onConfig?: (config: DeviceConfig) => void | Promise<void>;
  onSnapshot?: (request: SnapshotRequest) => Promise<SnapshotResponse>;
  /** Events per batch, at most MAX_BATCH_EVENTS (and a batch is cut to fit MAX_PAYLOAD_BYTES). */
  batchSize?: number;
  /** Batches sent and not yet acknowledged by the hub, in the backlog / steady lane. Default 4. */
  window?: number;
  /**
   * While a backlog drains, fresh events go out in a second lane: at most this many fresh batches
   * waiting for the broker's PUBACK (0 turns the lane off). Default 1.
   */
  freshWindow?: number;
  /** Fresh-lane events sent but not yet acknowledged, at most. Default 2 * batchSize. */
  maxFreshUnacked?: number;
  /** No acknowledgement progress for this long while batches are in flight: resend. Default 30 s. */
  ackTimeoutMs?: number;
  /** Refresh of the retained online status. Default 60 s. */
  statusIntervalMs?: number;
  /** Default 3 s. mqtt.js retries forever at this period. */
  reconnectPeriodMs?: number;
  connectTimeoutMs?: number;
  keepaliveSeconds?: number;
  /** Housekeeping timer (ack timeouts, age bound). Default min(1 s, ackTimeoutMs / 4). */
  tickMs?: number;
  /** Live boxes are dropped while more than this many bytes wait in the socket. Default 256 KiB. */
  liveMaxBufferedBytes?: number;
  /** Default `topics.hubStatus`; tests on a shared broker use their own. */
  hubStatusTopic?: string;
  /** TLS and other transport options passed to mqtt.js (ca, cert, key, rejectUnauthorized...). */
  mqttOptions?: Omit<
    IClientOptions,
    'clientId' | 'username' | 'password' | 'clean' | 'will' | 'outgoingStore' | 'queueQoSZero'
  >;
  logger?: Logger;
}

export interface LinkState {
  started: boolean;
  connected: boolean;
  hub: HubState;
  /** Connection number of the current (or last) session; also in the status and the last will. */
  connection: number;
  lastConnectedAt: number | null;
  lastDisconnectedAt: number | null;
  lastAckAt: number | null;
  /** Highest seq the hub has acknowledged since this process started (0: none yet). */
  ackedUpTo: number;
  inFlightBatches: number;
  inFlightEvents: number;
  /** True while a backlog from before the last (re)connect is being resent. */
  draining: boolean;
  batchesSent: number;
  /** Times the link went back to the first unacknowledged seq (reconnect, hub online, ack timeout). */
  rewinds: number;
  ackTimeouts: number;
  liveSent: number;
  liveDropped: number;
  configRevision: number;
  /** The last connection error, or the last message from the hub that was refused. */
  lastError: string | null;
  /** Messages on the hub's topics ignored since start: unsigned, forged, invalid, or acks beyond what was sent. */
  refusedMessages: number;
  outbox: { depth: number; oldestAgeMs: number; dropped: number; lastSeq: number; highestSent: number };
}

type Lane = 'backlog' | 'fresh' | 'steady';

interface Batch {
  first: number;
  last: number;
  count: number;
  lane: Lane;
  pubacked: boolean;
}

/** Bytes of `{"v":1,"sentAt":<13 digits>,"floor":<16 digits>,"events":[]}` plus slack. */
const ENVELOPE_BYTES = 96;
const STOP_TIMEOUT_MS = 2000;

/**
 * The agent's MQTT link to the hub: delivers the outbox, reports status, receives acks, config and
 * requests.
 *
 * Delivery: batches in seq order at QoS 1; an event leaves the outbox only when the hub's `ack`
 * says it is stored (a PUBACK proves nothing). At most `window` batches wait for an ack. On every
 * (re)connect, when the hub turns online and after `ackTimeoutMs` without ack progress, the link
 * forgets what is in flight and resends from the first unacknowledged seq. Nothing is ever given up.
 *
 * Fairness: live boxes are QoS 0, never queued, and dropped when the socket is backed up. Events are
 * only ever appended to the outbox tail; while a backlog from before the (re)connect drains, a second
 * "fresh" lane sends the newest events too (one batch per PUBACK round trip, bounded in events), so
 * current counts reach the hub in seconds rather than after the whole backlog. The hub stores them
 * idempotently; its gap-free ack covers them once the backlog catches up.
 */
export class Link {
  private readonly opts: LinkOptions;
  private readonly log: Logger;
  private readonly outbox: Outbox;
  private readonly deviceId: string;
  private readonly batchSize: number;
  private readonly window: number;
  private readonly freshWindow: number;
  private readonly maxFreshUnacked: number;
  private readonly ackTimeoutMs: number;
  private readonly hubStatusTopic: string;
  private readonly checked: HubMessages;
  private client: MqttClient | undefined;
  private timers: NodeJS.Timeout[] = [];
  private unsubscribeOutbox: (() => void) | undefined;
  private started = false;
  private subscribed = false;
  private sessionUp = false;
  private hub: HubState = 'unknown';
  private connection = 0;
  private configRevision: number;
  private configApplied: boolean;
  private configChain: Promise<void> = Promise.resolve();

  // Sender state. `epoch` changes on every rewind; callbacks from an older epoch are ignored.
  private epoch = 0;
  private inFlight: Batch[] = [];
  private ackedUpTo = 0;
  private backlogEnd = 0;
  private cursorBacklog = 0;
  private cursorFresh = 0;
  private waitingSince = 0;
  private pumping = false;
  private pumpScheduled = false;

  private counters = { batchesSent: 0, rewinds: 0, ackTimeouts: 0, liveSent: 0, liveDropped: 0 };
  private lastConnectedAt: number | null = null;
  private lastDisconnectedAt: number | null = null;
  private lastAckAt: number | null = null;
  private lastError: string | null = null;

  constructor(options: LinkOptions) {
    this.opts = options;
    this.log = options.logger ?? createLogger('link');
    this.outbox = options.outbox;
    this.deviceId = options.deviceId;
    topics.deviceRoot(this.deviceId); // throws on an id that cannot be a topic segment
    this.batchSize = Math.min(Math.max(1, options.batchSize ?? MAX_BATCH_EVENTS), MAX_BATCH_EVENTS);
    this.window = Math.max(1, options.window ?? 4);
    this.freshWindow = Math.max(0, options.freshWindow ?? 1);
    this.maxFreshUnacked = options.maxFreshUnacked ?? 2 * this.batchSize;
    this.ackTimeoutMs = options.ackTimeoutMs ?? 30_000;
    this.configRevision = options.configRevision ?? 0;
    this.hubStatusTopic = options.hubStatusTopic ?? topics.hubStatus;
    this.configApplied = options.configRevision !== undefined;
    this.checked = new HubMessages(options.hubKey, this.log);
  }

  /** Connects (and keeps reconnecting) in the background; resolves at once. */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    this.connection = this.outbox.increment('connection');
    const o = this.opts;
    const client = mqtt.connect(o.url, {
      ...o.mqttOptions,
      clientId: o.clientId ?? this.deviceId,
      ...(o.secret !== undefined ? { username: this.deviceId, password: o.secret } : {}),
      clean: true,
      queueQoSZero: false,
      resubscribe: false,
      protocolVersion: 4,
      reconnectPeriod: o.reconnectPeriodMs ?? 3000,
      connectTimeout: o.connectTimeoutMs ?? 10_000,
      keepalive: o.keepaliveSeconds ?? 30,
      outgoingStore: new ForgetfulStore(),
      will: this.will(),
    });
    this.client = client;
    client.on('connect', () => this.guard('connect', () => this.onConnect()));
    client.on('close', () => this.guard('close', () => this.onClose()));
    client.on('reconnect', () => this.guard('reconnect', () => this.onReconnect()));
    client.on('error', (error) => this.onError(error));
    client.on('message', (topic, payload) => this.guard('message', () => this.onMessage(topic, payload)));
    this.unsubscribeOutbox = this.outbox.onAppend(() => this.schedulePump());
    const tickMs = o.tickMs ?? Math.min(1000, Math.max(10, Math.floor(this.ackTimeoutMs / 4)));
    this.timers.push(setInterval(() => this.guard('tick', () => this.tick()), tickMs));
    this.timers.push(
      setInterval(() => this.guard('status', () => this.publishStatus()), o.statusIntervalMs ?? 60_000),
    );
    for (const timer of this.timers) timer.unref();
  }

  /** Publishes the offline status, disconnects and stops every timer. Does not close the outbox. */
  async stop(): Promise<void> {
    if (!this.started) return;
    this.started = false;
    for (const timer of this.timers) clearInterval(timer);
    this.timers = [];
    this.unsubscribeOutbox?.();
    this.unsubscribeOutbox = undefined;
    const client = this.client;
    this.client = undefined;
    if (!client) return;
    if (client.connected) {
      const offline = JSON.stringify(this.status('offline'));
      await withTimeout(
        client.publishAsync(topics.status(this.deviceId), offline, { qos: 1, retain: true }),
        STOP_TIMEOUT_MS,
      ).catch(() => undefined);
    }
    await withTimeout(client.endAsync(false), STOP_TIMEOUT_MS).catch(() => client.end(true));
    this.subscribed = false;
  }

  /** Live tracked boxes at QoS 0: dropped (returns false) when offline or the socket is backed up. */
  publishLive(tracks: LiveTracks): boolean {
    const client = this.client;
    const limit = this.opts.liveMaxBufferedBytes ?? 256 * 1024;
    if (!client?.connected || !this.subscribed || client.stream.writableLength > limit) {
      this.counters.liveDropped++;
      return false;
    }
    let topic: string;
    try {
      topic = topics.live(this.deviceId, tracks.cameraId);
    } catch (error) {
      this.log.warn({ err: error }, 'live boxes dropped: bad camera id');
      this.counters.liveDropped++;
      return false;
    }
    const payload = JSON.stringify(tracks);
    if (Buffer.byteLength(payload) > MAX_PAYLOAD_BYTES) {
      this.counters.liveDropped++;
      return false;
    }
    client.publish(topic, payload, { qos: 0, retain: false });
    this.counters.liveSent++;
    return true;
  }

  /** Publishes the retained online status now (e.g. after a camera changed state). */
  publishStatus(): void {
    this.outbox.prune();
    const client = this.client;
    if (!client?.connected) return;
    client.publish(topics.status(this.deviceId), JSON.stringify(this.status('online')), {
      qos: 1,
      retain: true,
    });
  }

  /** Try to send now (appends to the outbox do this on their own). */
  kick(): void {
    this.schedulePump();
  }

  state(): LinkState {
    const stats = this.outbox.stats();
    return {
      started: this.started,
      connected: this.client?.connected ?? false,
      hub: this.hub,
      connection: this.connection,
      lastConnectedAt: this.lastConnectedAt,
      lastDisconnectedAt: this.lastDisconnectedAt,
      lastAckAt: this.lastAckAt,
      ackedUpTo: this.ackedUpTo,
      inFlightBatches: this.inFlight.length,
      inFlightEvents: this.inFlight.reduce((n, b) => n + b.count, 0),
      draining: this.cursorBacklog < this.backlogEnd,
      ...this.counters,
      configRevision: this.configRevision,
      lastError: this.lastError,
      refusedMessages: this.checked.refused,
      outbox: { ...stats, lastSeq: this.outbox.lastSeq, highestSent: this.outbox.highestSent },
    };
  }

  // ---- connection ------------------------------------------------------------------------------

  private will(): NonNullable<IClientOptions['will']> {
    return {
      topic: topics.status(this.deviceId),
      payload: Buffer.from(JSON.stringify(this.status('offline'))),
      qos: 1,
      retain: true,
    };
  }

  private onConnect(): void {
    const client = this.client;
    if (!client) return;
    this.lastConnectedAt = Date.now();
    this.sessionUp = true;
    this.lastError = null;
    this.subscribed = false;
    this.hub = 'unknown';
    this.log.info({ connection: this.connection, url: this.opts.url }, 'connected to the hub broker');
    this.rewind('connected');
    const root = topics.deviceRoot(this.deviceId);
    const subscriptions = [topics.ack(this.deviceId), topics.config(this.deviceId), `${root}/request/+`];
    client.subscribe([...subscriptions, this.hubStatusTopic], { qos: 1 }, (error, granted) => {
      if (this.client !== client || !this.started) return;
      if (error) {
        this.log.error({ err: error }, 'subscribing failed; reconnecting');
        client.reconnect();
        return;
      }
      const refused = (granted ?? []).filter((g) => g.qos === 128).map((g) => g.topic);
      if (refused.length > 0) this.log.error({ refused }, 'the broker refused subscriptions');
      if (!client.connected) return;
      this.subscribed = true;
      this.publishStatus();
      this.schedulePump();
    });
  }

  private onClose(): void {
    this.subscribed = false;
    // A refused message says nothing about why the connection dropped.
    if (this.lastError !== null && this.lastError === this.checked.lastRefusal) this.lastError = null;
    if (!this.sessionUp) return; // a failed connection attempt: mqtt.js retries, 'error' said why
    this.sessionUp = false;
    this.lastDisconnectedAt = Date.now();
    this.log.warn(
      { connection: this.connection, inFlight: this.inFlight.length, depth: this.outbox.depth() },
      'lost the hub broker; events wait in the outbox',
    );
  }

  private onReconnect(): void {
    // Every attempt is a new connection number: the hub can tell this session's last will from the
    // previous one's, even when they arrive out of order.
    this.connection = this.outbox.increment('connection');
    if (this.client) this.client.options.will = this.will();
  }

  private onError(error: Error): void {
    const message = error.message || String(error);
    if (message !== this.lastError) this.log.warn({ err: error }, 'MQTT error');
    this.lastError = message;
  }

  // ---- incoming --------------------------------------------------------------------------------

  private onMessage(topic: string, payload: Buffer): void {
    if (topic === this.hubStatusTopic) {
      this.onHubStatus(topic, payload);
      return;
    }
    const parsed = parseTopic(topic);
    if (parsed?.deviceId === this.deviceId && parsed.channel === 'ack') this.onAck(topic, payload);
    else if (parsed?.deviceId === this.deviceId && parsed.channel === 'config')
      this.onConfigMessage(topic, payload);
    else if (parsed?.deviceId === this.deviceId && parsed.channel === 'request') {
      this.onRequest(topic, parsed.sub ?? '', payload).catch((error: unknown) => {
        this.log.error({ err: error }, 'answering a request failed');
      });
    } else this.log.warn({ topic }, 'message on an unexpected topic ignored');
  }

  /** Opens a hub message; a refusal is logged (rate-limited) and shows in the state's `lastError`. */
  private open<S extends TSchema>(
    schema: S,
    topic: string,
    payload: Buffer,
    what: string,
  ): Static<S> | undefined {
    const value = this.checked.open(schema, topic, payload, what);
    if (value === undefined) this.lastError = this.checked.lastRefusal;
    return value;
  }

  private refuse(topic: string, why: string): void {
    this.checked.refuse(topic, why, 'error');
    this.lastError = this.checked.lastRefusal;
  }

  private onHubStatus(topic: string, payload: Buffer): void {
    const status = this.open(HubStatus, topic, payload, 'hub status');
    if (!status) return;
    const previous = this.hub;
    this.hub = status.state;
    if (previous === this.hub) return;
    this.log.info({ hub: this.hub }, `the hub is ${this.hub}`);
    // Right after connecting (unknown → online) the link has just rewound; only a hub that comes
    // back (offline → online) needs everything unacknowledged again.
    if (this.hub === 'online' && previous === 'offline') {
      this.rewind('hub online');
      this.schedulePump();
    }
  }

  private onAck(topic: string, payload: Buffer): void {
    const ack = this.open(Ack, topic, payload, 'ack');
    if (!ack) return;
    const upTo = ack.upToSeq;
    this.lastAckAt = Date.now();
    if (upTo <= this.ackedUpTo) return;
    if (upTo > this.outbox.highestSent) {
      this.onAckBeyondSent(topic, upTo);
      return;
    }
    this.ackedUpTo = upTo;
    const deleted = this.outbox.ackUpTo(upTo);
    this.inFlight = this.inFlight.filter((b) => b.last > upTo);
    this.cursorBacklog = Math.max(this.cursorBacklog, Math.min(upTo, this.backlogEnd));
    this.cursorFresh = Math.max(this.cursorFresh, upTo);
    this.waitingSince = Date.now();
    this.log.debug({ upToSeq: upTo, deleted, depth: this.outbox.depth() }, 'ack');
    this.schedulePump();
  }

  /**
   * A signed ack above every seq this box ever sent deletes nothing. One case is real: the box's
   * outbox was lost or replaced while the hub remembers this device's higher seqs, so it drops what
   * the box sends as duplicates. For seqs this outbox never even assigned, the waiting events are
   * renumbered above the ack (nothing is deleted, and only up to MAX_REBASE_SEQ); otherwise the ack
   * is ignored and reported.
   */
  private onAckBeyondSent(topic: string, upTo: number): void {
    const { lastSeq, highestSent } = this.outbox;
    if (upTo <= lastSeq || upTo > MAX_REBASE_SEQ) {
      this.refuse(
        topic,
        `ack up to seq ${upTo} is beyond the highest seq this box has sent (${highestSent}); nothing deleted`,
      );
      return;
    }
    const shift = this.outbox.rebaseAbove(upTo);
    this.log.error(
      { upToSeq: upTo, lastSeq: this.outbox.lastSeq, shift },
      'the hub acknowledges seqs this outbox never assigned (was the outbox reset?): waiting events renumbered above it',
    );
    this.ackedUpTo = upTo;
    this.rewind('outbox rebased');
    this.schedulePump();
  }

  private onConfigMessage(topic: string, payload: Buffer): void {
    const config = this.open(DeviceConfig, topic, payload, 'device config');
    if (!config) return;
    if (this.configApplied && config.revision <= this.configRevision) {
      this.log.debug({ revision: config.revision }, 'config revision already applied');
      return;
    }
    this.configChain = this.configChain
      .then(() => this.applyConfig(config))
      .catch((error: unknown) => this.log.error({ err: error }, 'device config handling failed'));
  }

  private async applyConfig(config: DeviceConfig): Promise<void> {
    if (this.configApplied && config.revision <= this.configRevision) return;
    try {
      await this.opts.onConfig?.(config);
    } catch (error) {
      this.log.error({ err: error, revision: config.revision }, 'applying the device config failed');
      return;
    }
    this.configRevision = config.revision;
    this.configApplied = true;
    this.log.info({ revision: config.revision }, 'device config applied');
    this.guard('status', () => this.publishStatus());
  }

  private async onRequest(topic: string, name: string, payload: Buffer): Promise<void> {
    const request = this.open(SnapshotRequest, topic, payload, `${name} request`);
    if (!request) return;
    if (name !== 'snapshot') {
      this.log.warn({ name }, 'unknown request ignored');
      return;
    }
    let response: SnapshotResponse;
    try {
      if (!this.opts.onSnapshot) throw new Error('this agent does not take snapshots');
      response = await this.opts.onSnapshot(request);
      const valid = check(SnapshotResponse, response);
      if (!valid.ok) throw new Error(`invalid snapshot response: ${valid.error}`);
      response = { ...response, id: request.id };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      response = {
        v: PROTOCOL_VERSION,
        id: request.id,
        status: 'error',
        error: message.slice(0, 500) || 'error',
      };
    }
    const client = this.client;
    if (!client?.connected) {
      this.log.warn({ id: request.id }, 'snapshot response dropped: not connected');
      return;
    }
    client.publish(topics.response(this.deviceId, 'snapshot'), JSON.stringify(response), {
      qos: 1,
      retain: false,
    });
  }

  // ---- sending ---------------------------------------------------------------------------------

  /** Forget what is in flight and start again from the first unacknowledged seq. */
  private rewind(reason: string): void {
    this.epoch++;
    const wasInFlight = this.inFlight.length;
    this.inFlight = [];
    this.backlogEnd = this.outbox.lastSeq;
    this.cursorBacklog = Math.min(this.ackedUpTo, this.backlogEnd);
    this.cursorFresh = this.backlogEnd;
    this.waitingSince = Date.now();
    this.counters.rewinds++;
    const depth = this.outbox.depth();
    if (depth > 0 || wasInFlight > 0)
      this.log.info(
        { reason, depth, firstSeq: this.outbox.firstSeq(), wasInFlight },
        'resending from the first unacknowledged event',
      );
  }

  private canSend(): boolean {
    return this.started && this.subscribed && this.hub !== 'offline' && this.client?.connected === true;
  }

  private schedulePump(): void {
    if (this.pumpScheduled) return;
    this.pumpScheduled = true;
    setImmediate(() => {
      this.pumpScheduled = false;
      this.guard('send', () => this.pump());
    });
  }

  private pump(): void {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (this.canSend()) {
        let progressed = false;
        if (this.cursorBacklog < this.backlogEnd) {
          if (this.laneCount('backlog') < this.window) progressed = this.sendBacklog();
          const fresh = this.inFlight.filter((b) => b.lane === 'fresh');
          if (
            this.freshWindow > 0 &&
            fresh.filter((b) => !b.pubacked).length < this.freshWindow &&
            fresh.reduce((n, b) => n + b.count, 0) < this.maxFreshUnacked
          ) {
            progressed = this.sendTail('fresh') || progressed;
          }
        } else if (this.inFlight.length < this.window) {
          progressed = this.sendTail('steady');
        }
        if (!progressed) break;
      }
    } finally {
      this.pumping = false;
    }
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
  private publishBatch(events: SequencedEvent[], lane: Lane): number {
    const client = this.client!;
    const parts: string[] = [];
    let bytes = ENVELOPE_BYTES;
    for (const e of events) {
      const part = JSON.stringify(e);
      const size = Buffer.byteLength(part) + 1;
      if (parts.length > 0 && bytes + size > MAX_PAYLOAD_BYTES) break;
      parts.push(part);
      bytes += size;
    }
    const first = events[0]!.seq;
    const last = events[parts.length - 1]!.seq;
    this.outbox.markSent(last); // before the publish: the hub can never have more than this
    const floor = Math.min(first, this.outbox.firstSeq() ?? first);
    const payload = `{"v":${PROTOCOL_VERSION},"sentAt":${Date.now()},"floor":${floor},"events":[${parts.join(',')}]}`;
    const batch: Batch = { first, last, count: parts.length, lane, pubacked: false };
    if (this.inFlight.length === 0) this.waitingSince = Date.now();
    this.inFlight.push(batch);
    this.counters.batchesSent++;
    const epoch = this.epoch;
    client.publish(topics.events(this.deviceId), payload, { qos: 1, retain: false }, (error) => {
      if (epoch !== this.epoch) return;
      if (error) {
        this.log.debug({ err: error, first, last }, 'batch publish failed; it will be resent');
        return;
      }
      batch.pubacked = true;
      if (lane === 'fresh') this.schedulePump();
    });
    this.log.debug({ first, last, lane, count: parts.length }, 'batch sent');
    return last;
  }

  private tick(): void {
    if (!this.started) return;
    if (this.canSend() && this.inFlight.length > 0 && Date.now() - this.waitingSince >= this.ackTimeoutMs) {
      this.counters.ackTimeouts++;
      this.log.warn(
        {
          inFlight: this.inFlight.length,
          firstSeq: this.inFlight[0]?.first,
          ackTimeoutMs: this.ackTimeoutMs,
        },
        'no acknowledgement from the hub in time; resending',
      );
      const first = this.outbox.firstSeq();
      if (this.ackedUpTo > 0 && first !== undefined && first > this.ackedUpTo + 1 && this.outbox.dropped > 0)
        this.log.error(
          { ackedUpTo: this.ackedUpTo, firstSeq: first, dropped: this.outbox.dropped },
          'the hub waits for seqs that the outbox dropped when it was full; it cannot acknowledge past them',
        );
      this.rewind('ack timeout');
    }
    this.schedulePump();
  }

  private status(state: 'online' | 'offline'): DeviceStatus {
    let cameras: CameraStatus[] = [];
    try {
      cameras = this.opts.cameras?.() ?? [];
    } catch (error) {
      this.log.error({ err: error }, 'camera state callback failed');
    }
    const status: DeviceStatus = {
      v: PROTOCOL_VERSION,
      state,
      at: Date.now(),
      connection: this.connection,
      software: this.opts.software,
      configRevision: this.configRevision,
      outbox: this.outbox.stats(),
      cameras,
    };
    const valid = check(DeviceStatus, status);
    if (valid.ok) return status;
    this.log.error({ error: valid.error }, 'device status does not match the schema; cameras left out');
    return { ...status, cameras: [], software: this.opts.software.slice(0, 64) || 'unknown' };
  }

  /** Runs an event handler; a throw is logged, never crashes the agent. */
  private guard(what: string, fn: () => void): void {
    try {
      fn();
    } catch (error) {
      this.lastError = error instanceof Error ? error.message : String(error);
      this.log.error({ err: error }, `link ${what} handler failed`);
    }
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}
