/**
 * The agent's MQTT link to the hub: delivers the outbox, reports status, receives acks, config and
 * requests. This file wires the parts and holds the public API:
 *
 * - session.ts: the mqtt.js client, login, last will, reconnects, connection numbers;
 * - inbound.ts: the hub's messages (status, ack, config, request), signature-checked, to their handlers;
 * - hub-gate.ts: after a (re)connect, batches wait until the hub says online (or a few seconds pass);
 * - sender.ts: the windowed sender (backlog / fresh / steady lanes, ack timeout, rewind) and batch.ts;
 * - device-status.ts: the status message, also the last will.
 *
 * Fairness: live boxes are QoS 0, never queued, and dropped when the socket is backed up; events go
 * through the sender, which only ever reads the outbox and deletes what the hub acknowledged.
 */
import type { KeyObject } from 'node:crypto';
import {
  type CameraCheckRequest,
  type CameraCheckResponse,
  type DeviceConfig,
  type LiveTracks,
  MAX_PAYLOAD_BYTES,
  type Outgoing,
  outgoing,
  type SnapshotRequest,
  type SnapshotResponse,
  type SourceProbeRequest,
  type SourceProbeResponse,
  topics,
  type VideoFrame,
  type WatchRequest,
} from '@oskartrack/protocol';
import type { Logger } from 'pino';
import { createLogger } from '../log.ts';
import type { Outbox } from '../outbox/outbox.ts';
import { type CameraStatus, type StatusSource, statusMessage } from './device-status.ts';
import { HubGate, type HubState } from './hub-gate.ts';
import { InboundRouter } from './inbound.ts';
import { WindowedSender } from './sender.ts';
import { type LastError, Session, type TransportOptions } from './session.ts';

export type { CameraStatus } from './device-status.ts';
export type { HubState } from './hub-gate.ts';

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
  /** A signed request to check a camera's view (check/box-check.ts). */
  onCameraCheck?: (request: CameraCheckRequest) => Promise<CameraCheckResponse>;
  /** A signed request to say whether this box can read a video file (runtime/probe-file.ts). */
  onSourceProbe?: (request: SourceProbeRequest) => Promise<SourceProbeResponse>;
  /** A signed request to send a camera's pictures for a while (live video). */
  onWatch?: (request: WatchRequest) => void;
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
  /**
   * After connecting, batches wait for the hub's online status at most this long, then go out anyway
   * (an older hub, or no hub up yet). Default 3 s.
   */
  hubWaitMs?: number;
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
  mqttOptions?: TransportOptions;
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

export class Link {
  private readonly opts: LinkOptions;
  private readonly log: Logger;
  private readonly outbox: Outbox;
  private readonly deviceId: string;
  private readonly lastError: LastError = { message: null };
  private readonly status: StatusSource;
  private readonly sender: WindowedSender;
  private readonly inbound: InboundRouter;
  private readonly gate: HubGate;
  private readonly session: Session;
  private timers: NodeJS.Timeout[] = [];
  private unsubscribeOutbox: (() => void) | undefined;
  private started = false;
  private readonly live = { liveSent: 0, liveDropped: 0 };

  constructor(options: LinkOptions) {
    this.opts = options;
    const log = options.logger ?? createLogger('link');
    this.log = log;
    this.outbox = options.outbox;
    this.deviceId = options.deviceId;
    topics.deviceRoot(this.deviceId); // throws on an id that cannot be a topic segment
    const guard = (what: string, fn: () => void) => this.guard(what, fn);
    this.sender = new WindowedSender({
      ...options,
      log,
      guard,
      canSend: () => this.canSend(),
      publish: (message, done) => this.session.publish(message, done),
    });
    this.gate = new HubGate({
      waitMs: options.hubWaitMs ?? 3000,
      rewind: (reason) => this.sender.rewind(reason),
      kick: () => this.sender.schedulePump(),
      log,
    });
    this.inbound = new InboundRouter({
      ...options,
      hubStatusTopic: options.hubStatusTopic ?? topics.hubStatus,
      sender: this.sender,
      gate: this.gate,
      publish: (message) => this.session.publish(message),
      publishStatus: () => this.publishStatus(),
      guard,
      lastError: this.lastError,
      log,
    });
    this.status = {
      deviceId: this.deviceId,
      software: options.software,
      connection: () => this.session.connection,
      configRevision: () => this.inbound.configRevision,
      outbox: () => this.outbox.stats(),
      ...(options.cameras ? { cameras: options.cameras } : {}),
      log,
    };
    this.session = this.createSession(guard);
  }

  /** Connects (and keeps reconnecting) in the background; resolves at once. */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    this.session.open();
    this.unsubscribeOutbox = this.outbox.onAppend(() => this.sender.schedulePump());
    const o = this.opts;
    const tickMs = o.tickMs ?? Math.min(1000, Math.max(10, Math.floor(this.sender.ackTimeoutMs / 4)));
    const tick = () => {
      if (this.started) this.sender.tick();
    };
    this.timers.push(setInterval(() => this.guard('tick', tick), tickMs));
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
    this.gate.stop();
    this.unsubscribeOutbox?.();
    this.unsubscribeOutbox = undefined;
    await this.session.close(() => statusMessage(this.status, 'offline'));
  }

  /** Live tracked boxes at QoS 0: dropped (returns false) when offline or the socket is backed up. */
  publishLive(tracks: LiveTracks): boolean {
    const limit = this.opts.liveMaxBufferedBytes ?? 256 * 1024;
    if (!this.session.ready || this.session.buffered > limit) return this.dropLive();
    let message: Outgoing;
    try {
      message = outgoing('live', this.deviceId, tracks, tracks.cameraId);
    } catch (error) {
      this.log.warn({ err: error }, 'live boxes dropped: not a valid live message');
      return this.dropLive();
    }
    if (Buffer.byteLength(message.payload) > MAX_PAYLOAD_BYTES) return this.dropLive();
    this.session.publish(message);
    this.live.liveSent++;
    return true;
  }

  /** One picture of a watched camera at QoS 0: dropped (false) when offline or the socket is backed up. */
  publishVideo(frame: VideoFrame): boolean {
    const limit = this.opts.liveMaxBufferedBytes ?? 256 * 1024;
    if (!this.session.ready || this.session.buffered > limit) return false;
    this.session.publish(outgoing('video', this.deviceId, frame, frame.cameraId));
    return true;
  }

  /** Publishes the retained online status now (e.g. after a camera changed state). */
  publishStatus(): void {
    this.outbox.prune();
    if (!this.session.connected) return;
    this.session.publish(statusMessage(this.status, 'online'));
  }

  /** Try to send now (appends to the outbox do this on their own). */
  kick(): void {
    this.sender.schedulePump();
  }

  state(): LinkState {
    const stats = this.outbox.stats();
    const { session, inbound } = this;
    return {
      started: this.started,
      connected: session.connected,
      hub: this.gate.hub,
      connection: session.connection,
      lastConnectedAt: session.lastConnectedAt,
      lastDisconnectedAt: session.lastDisconnectedAt,
      lastAckAt: inbound.lastAckAt,
      ...this.sender.stats(),
      ...this.live,
      configRevision: inbound.configRevision,
      lastError: this.lastError.message,
      refusedMessages: inbound.checked.refused,
      outbox: { ...stats, lastSeq: this.outbox.lastSeq, highestSent: this.outbox.highestSent },
    };
  }

  private createSession(guard: (what: string, fn: () => void) => void): Session {
    return new Session({
      ...this.opts,
      subscriptions: this.inbound.subscriptions(),
      nextConnection: () => this.outbox.increment('connection'),
      will: () => statusMessage(this.status, 'offline'),
      lastError: this.lastError,
      isRefusal: (message) => message === this.inbound.checked.lastRefusal,
      guard,
      log: this.log,
      onConnected: () => {
        this.gate.connected();
        this.sender.rewind('connected');
      },
      onReady: () => {
        this.gate.ready();
        this.publishStatus();
        this.sender.schedulePump();
      },
      onMessage: (topic, payload) => this.inbound.route(topic, payload),
      onLost: () =>
        this.log.warn(
          {
            connection: this.session.connection,
            inFlight: this.sender.stats().inFlightBatches,
            depth: this.outbox.depth(),
          },
          'lost the hub broker; events wait in the outbox',
        ),
    });
  }

  private canSend(): boolean {
    return this.started && this.session.ready && this.gate.open;
  }

  private dropLive(): false {
    this.live.liveDropped++;
    return false;
  }

  /** Runs an event handler; a throw is logged, never crashes the agent. */
  private guard(what: string, fn: () => void): void {
    try {
      fn();
    } catch (error) {
      this.lastError.message = error instanceof Error ? error.message : String(error);
      this.log.error({ err: error }, `link ${what} handler failed`);
    }
  }
}
