/**
 * One live-feed client's backpressure: what it may see, and its own bounded queue, so a slow reader
 * never holds up the others or the ingest (nothing here waits for a socket).
 *
 * - While the socket has less than `highWaterBytes` waiting (`ws.bufferedAmount`) a message is sent at
 *   once; past that it waits in the client's own queue, bounded by `maxQueueBytes`.
 * - Live boxes are never queued: skipped while anything is queued or more than `liveHighWaterBytes` is
 *   waiting in the socket (the next frame's boxes replace them anyway).
 * - Events, statuses and job progress that do not fit the queue are dropped and counted; where the
 *   stream resumes the client first gets `{"type":"dropped","events":N,...}` (never a silent gap).
 * - A hopeless client is reported to its host (closed with 1013 there): it has missed more than
 *   `closeAfterDroppedEvents` events in all, or (`stalled`) its queue did not move for `stallMs`.
 * The queue drains from each send's completion callback, and from the feed's periodic tick.
 */
import { type ServerMessage, VIDEO_LEASE_MS, VIDEO_RENEW_MS } from '@oskartrack/protocol';
import type { Principal } from '../api/scope.ts';

/** What the feed needs of a WebSocket (the `ws` package's server socket has it). */
export interface LiveSocket {
  readonly bufferedAmount: number;
  readonly readyState: number;
  /** Sends `data` (UTF-8 JSON) as a text frame when `binary` is false. */
  send(data: Buffer, options: { binary: boolean }, cb?: (err?: Error) => void): void;
  close(code?: number, reason?: string): void;
  terminate(): void;
}

export interface LiveLimits {
  /** Live boxes are skipped once this many bytes wait in the socket (default 64 KiB). */
  liveHighWaterBytes: number;
  /** Above this many bytes waiting in the socket, messages wait in the client's queue (default 256 KiB). */
  highWaterBytes: number;
  /** The client's queue; past it events and other messages are dropped with a notice (default 4 MiB). */
  maxQueueBytes: number;
  /** A client whose queue has not moved for this long is closed with 1013 (default 30 s). */
  stallMs: number;
  /** A client that missed more events than this in all is closed with 1013 (default 100,000). */
  closeAfterDroppedEvents: number;
  /** How often each client's token and session are checked again (default 60 s). */
  recheckMs: number;
  /** How long a box sends a watched camera's pictures after each watch request (default 10 s). */
  videoLeaseMs: number;
  /** How often the watch requests are renewed while anyone watches (default 4 s). */
  videoRenewMs: number;
}

export const DEFAULT_LIVE_LIMITS: LiveLimits = {
  liveHighWaterBytes: 64 * 1024,
  highWaterBytes: 256 * 1024,
  maxQueueBytes: 4 * 1024 * 1024,
  stallMs: 30_000,
  closeAfterDroppedEvents: 100_000,
  recheckMs: 60_000,
  videoLeaseMs: VIDEO_LEASE_MS,
  videoRenewMs: VIDEO_RENEW_MS,
};

export interface LiveConnectOptions {
  principal: Principal;
  token: string;
  /** Checks an access token (the app's `auth.verifyAccessToken`). */
  verify: (token: string) => Promise<Principal>;
}

export interface LiveFeedStats {
  clients: number;
  /** Messages handed to sockets. */
  sent: number;
  droppedEvents: number;
  droppedMessages: number;
  droppedLive: number;
  /** Clients closed for reading too slowly. */
  closedSlow: number;
  /** Live payloads refused (malformed, camera id not matching the topic, camera of another store). */
  rejectedLive: number;
}

/** What a message is, for the drop policy. */
export type Kind = 'live' | 'events' | 'other';

/** What a client needs of the feed that holds it. */
export interface ClientHost {
  readonly counters: Omit<LiveFeedStats, 'clients'>;
  now(): number;
  /** Closes a client that reads too slowly. */
  closeSlow(client: LiveClient, why: string): void;
}

const TEXT = { binary: false } as const;

export function encode(message: ServerMessage): Buffer {
  return Buffer.from(JSON.stringify(message));
}

/** One connected socket and what it may see. */
export class LiveClient {
  principal: Principal;
  /** Stores this client covers; undefined: all (an administrator). */
  private scope: ReadonlySet<string> | undefined;
  /** Cameras whose live boxes it wants: all, or the ones it subscribed to. */
  live: 'all' | Set<string> = 'all';
  /** Cameras whose video it watches (video-watch.ts counts them per camera). */
  readonly video = new Set<string>();
  private readonly queue: Buffer[] = [];
  private queueBytes = 0;
  private readonly dropped = { events: 0, messages: 0, live: 0 };
  totalDroppedEvents = 0;
  /** When the queue last moved (or started); undefined while nothing waits. */
  private stalledSince: number | undefined;
  nextCheckAt: number;
  checking = false;
  closed = false;
  token: string;
  readonly verify: (token: string) => Promise<Principal>;
  private readonly onSent: (err?: Error) => void;

  constructor(
    readonly socket: LiveSocket,
    private readonly feed: ClientHost,
    options: LiveConnectOptions,
    private readonly limits: LiveLimits,
    now: number,
  ) {
    this.principal = options.principal;
    this.scope = scopeOf(options.principal);
    this.token = options.token;
    this.verify = options.verify;
    this.nextCheckAt = now + limits.recheckMs;
    this.onSent = (err) => {
      if (err) return; // the socket is closing; its close event removes the client
      if (this.queue.length > 0 || this.noticePending()) this.drain(this.feed.now());
    };
  }

  setPrincipal(p: Principal): void {
    this.principal = p;
    this.scope = scopeOf(p);
  }

  sees(storeId: string): boolean {
    return this.scope === undefined || this.scope.has(storeId);
  }

  wantsCamera(cameraId: string): boolean {
    return this.live === 'all' || this.live.has(cameraId);
  }

  /** Bytes waiting in this client's own queue (not counting the socket's buffer). */
  get queuedBytes(): number {
    return this.queueBytes;
  }

  private noticePending(): boolean {
    return this.dropped.events > 0 || this.dropped.messages > 0;
  }

  private write(data: Buffer): void {
    this.feed.counters.sent++;
    this.socket.send(data, TEXT, this.onSent);
  }

  private notice(): Buffer {
    const n = encode({ type: 'dropped', ...this.dropped });
    this.dropped.events = 0;
    this.dropped.messages = 0;
    this.dropped.live = 0;
    return n;
  }

  /** Sends or queues one serialized message; never waits. */
  offer(data: Buffer, kind: Kind, events: number, now: number): void {
    if (this.closed || this.socket.readyState !== 1) return;
    const buffered = this.socket.bufferedAmount;
    if (kind === 'live') {
      if (this.queue.length > 0 || buffered > this.limits.liveHighWaterBytes) {
        this.dropped.live++;
        this.feed.counters.droppedLive++;
        return;
      }
      this.write(data);
      return;
    }
    if (this.queue.length === 0 && buffered < this.limits.highWaterBytes) {
      if (this.noticePending()) this.write(this.notice());
      this.write(data);
      return;
    }
    if (this.queueBytes + data.length > this.limits.maxQueueBytes) {
      if (kind === 'events') {
        this.dropped.events += events;
        this.totalDroppedEvents += events;
        this.feed.counters.droppedEvents += events;
      } else {
        this.dropped.messages++;
        this.feed.counters.droppedMessages++;
      }
      this.stalledSince ??= now;
      if (this.totalDroppedEvents > this.limits.closeAfterDroppedEvents) {
        this.feed.closeSlow(this, `missed more than ${this.limits.closeAfterDroppedEvents} events`);
      }
      return;
    }
    if (this.noticePending()) this.push(this.notice());
    this.push(data);
    this.stalledSince ??= now;
  }

  private push(data: Buffer): void {
    this.queue.push(data);
    this.queueBytes += data.length;
  }

  /** Moves queued messages into the socket while it has room; sends a pending drop notice at the end. */
  drain(now: number): void {
    if (this.closed) return;
    let moved = false;
    while (this.queue.length > 0 && this.socket.bufferedAmount < this.limits.highWaterBytes) {
      const data = this.queue.shift()!;
      this.queueBytes -= data.length;
      this.write(data);
      moved = true;
    }
    if (this.queue.length === 0) {
      if (this.noticePending() && this.socket.bufferedAmount < this.limits.highWaterBytes) {
        this.write(this.notice());
      }
      this.stalledSince = this.noticePending() ? (this.stalledSince ?? now) : undefined;
    } else if (moved) this.stalledSince = now;
  }

  /** Whether its queue has not moved for longer than allowed. */
  stalled(now: number): boolean {
    return this.stalledSince !== undefined && now - this.stalledSince > this.limits.stallMs;
  }

  hasBacklog(): boolean {
    return this.queue.length > 0 || this.noticePending();
  }

  /** Sends a control message (hello, pong, errors) through the same queue as events. */
  reply(message: ServerMessage): void {
    this.offer(encode(message), 'other', 0, this.feed.now());
  }
}

function scopeOf(p: Principal): ReadonlySet<string> | undefined {
  return p.role === 'admin' ? undefined : new Set(p.storeIds);
}
