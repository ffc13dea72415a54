/**
 * The live feed's fan-out: device statuses, live track boxes, every stored event and upload job
 * progress, to the WebSocket clients whose stores they concern.
 *
 * Sources: `deviceStatus` (the status tracker's onStatus), `eventsStored` (the ingest's onStored, after
 * each commit), `jobUpdated` (upload jobs), and the bus (`attach`: validated `LiveTracks` from
 * `oskartrack/v1/devices/+/live/+`). Each item is mapped to its store (device or camera to store through
 * the repositories, cached: see directory.ts), serialized once, and offered to every client that may
 * see that store.
 *
 * A slow client never holds up the others or the ingest: nothing here waits for a socket. Per client:
 * - While the socket has less than `highWaterBytes` waiting (`ws.bufferedAmount`) a message is sent at
 *   once; past that it waits in the client's own queue, bounded by `maxQueueBytes`.
 * - Live boxes are never queued: skipped while anything is queued or more than `liveHighWaterBytes` is
 *   waiting in the socket (the next frame's boxes replace them anyway).
 * - Events, statuses and job progress that do not fit the queue are dropped and counted; where the
 *   stream resumes the client first gets `{"type":"dropped","events":N,...}` (never a silent gap), so
 *   it can fetch what it missed over the REST API.
 * - A hopeless client is closed with 1013: its queue did not move for `stallMs`, or it has missed
 *   more than `closeAfterDroppedEvents` events in all.
 * The queue drains from each send's completion callback, and from a periodic tick as a backstop.
 *
 * Each device's latest status (its cameras' picture state and gaps included) is kept and sent to a
 * client right after `hello`, so a page opened during a camera outage shows it at once.
 *
 * Each client's token is checked again every `recheckMs` (and on `auth` with a new token): a disabled
 * user, an ended session or an expired token closes the socket with 1008; changed store assignments
 * apply from that check on.
 */
import {
  type DeviceStatus,
  LiveTracks,
  parsePayload,
  parseTopic,
  type SequencedEvent,
  topics,
} from '@oskartrack/protocol';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import type { Principal } from '../api/scope.ts';
import type { MessageBus } from '../broker/bus.ts';
import type { Repositories } from '../db/repositories/index.ts';
import { StoreDirectory } from './directory.ts';
import {
  CLOSE_GOING_AWAY,
  CLOSE_POLICY,
  CLOSE_TOO_SLOW,
  ClientMessage,
  type ServerMessage,
  type UploadJob,
} from './messages.ts';

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
}

export const DEFAULT_LIVE_LIMITS: LiveLimits = {
  liveHighWaterBytes: 64 * 1024,
  highWaterBytes: 256 * 1024,
  maxQueueBytes: 4 * 1024 * 1024,
  stallMs: 30_000,
  closeAfterDroppedEvents: 100_000,
  recheckMs: 60_000,
};

export interface FeedLogger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface LiveFeedOptions {
  repos: Pick<Repositories, 'devices' | 'cameras'>;
  log: FeedLogger;
  limits?: Partial<LiveLimits>;
  /** How long a device's or camera's store is trusted before it is looked up again (default 30 s). */
  storeCacheTtlMs?: number;
  /** The backstop tick that drains queues and closes hopeless clients (default 250 ms). */
  tickMs?: number;
  now?: () => number;
}

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

type Kind = 'live' | 'events' | 'other';

const clientMessage = TypeCompiler.Compile(ClientMessage);
const TEXT = { binary: false } as const;

function encode(message: ServerMessage): Buffer {
  return Buffer.from(JSON.stringify(message));
}

/** One connected socket and what it may see. */
export class LiveClient {
  principal: Principal;
  /** Stores this client covers; undefined: all (an administrator). */
  private scope: ReadonlySet<string> | undefined;
  /** Cameras whose live boxes it wants: all, or the ones it subscribed to. */
  live: 'all' | Set<string> = 'all';
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
    private readonly feed: LiveFeed,
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

export class LiveFeed {
  readonly limits: LiveLimits;
  readonly directory: StoreDirectory;
  readonly now: () => number;
  private readonly log: FeedLogger;
  private readonly clients = new Set<LiveClient>();
  /**
   * The latest stored status of each device: one entry per known device (unknown devices' statuses
   * are never stored); a deleted device's entry has no store any more and is not sent.
   */
  private readonly statuses = new Map<string, DeviceStatus>();
  private readonly timer: NodeJS.Timeout;
  private stopped = false;
  /** Counters, shared with the clients. */
  readonly counters: Omit<LiveFeedStats, 'clients'> = {
    sent: 0,
    droppedEvents: 0,
    droppedMessages: 0,
    droppedLive: 0,
    closedSlow: 0,
    rejectedLive: 0,
  };

  constructor(options: LiveFeedOptions) {
    this.limits = { ...DEFAULT_LIVE_LIMITS, ...options.limits };
    this.log = options.log;
    this.now = options.now ?? Date.now;
    this.directory = new StoreDirectory({
      repos: options.repos,
      ...(options.storeCacheTtlMs !== undefined ? { ttlMs: options.storeCacheTtlMs } : {}),
      now: this.now,
    });
    this.timer = setInterval(() => this.tick(), options.tickMs ?? 250);
    this.timer.unref();
  }

  stats(): LiveFeedStats {
    return { clients: this.clients.size, ...this.counters };
  }

  /** Forgets every cached device and camera store (after stores, devices or cameras changed). */
  forgetStores(): void {
    this.directory.forget();
  }

  // ---- sources ----

  /** Subscribes to every device's live boxes on the bus. */
  async attach(bus: MessageBus): Promise<void> {
    await bus.subscribe(topics.all.live, (message) => {
      const t = parseTopic(message.topic);
      if (t?.channel !== 'live' || !t.sub) return;
      if (this.clients.size === 0) return; // nobody watching: not even parsed
      const parsed = parsePayload(LiveTracks, message.payload);
      if (!parsed.ok || parsed.value.cameraId !== t.sub) {
        this.counters.rejectedLive++;
        return;
      }
      this.liveTracks(t.deviceId, parsed.value);
    });
  }

  /** A device's live boxes (validated); sent to clients of its store that want that camera. */
  liveTracks(deviceId: string, tracks: LiveTracks): void {
    this.withStore(deviceId, (storeId) => {
      // The camera must be one of the device's store (a box cannot speak for another store's camera).
      this.withCameraStore(tracks.cameraId, (cameraStore) => {
        if (cameraStore !== storeId) {
          this.counters.rejectedLive++;
          return;
        }
        this.broadcast(
          storeId,
          { type: 'live', storeId, deviceId, cameraId: tracks.cameraId, tracks },
          'live',
          0,
          tracks.cameraId,
        );
      });
    });
  }

  /** A device's status was stored (online, offline, or a new report). */
  deviceStatus(deviceId: string, status: DeviceStatus): void {
    this.statuses.set(deviceId, status);
    this.withStore(deviceId, (storeId) =>
      this.broadcast(storeId, { type: 'status', storeId, deviceId, status }, 'other', 0),
    );
  }

  /** Events stored in one commit (the ingest's onStored), in seq order. */
  eventsStored(deviceId: string, events: readonly SequencedEvent[]): void {
    if (events.length === 0) return;
    this.withStore(deviceId, (storeId) =>
      this.broadcast(
        storeId,
        { type: 'events', storeId, deviceId, events: [...events] },
        'events',
        events.length,
      ),
    );
  }

  /** An upload job changed (queued, progress, done, failed). */
  jobUpdated(job: UploadJob): void {
    this.broadcast(job.storeId, { type: 'job', job }, 'other', 0);
  }

  // ---- clients ----

  /** Adds an authenticated socket; it gets `hello` first. Remove it with `disconnect` on close. */
  connect(socket: LiveSocket, options: LiveConnectOptions): LiveClient {
    const client = new LiveClient(socket, this, options, this.limits, this.now());
    if (this.stopped) {
      socket.close(CLOSE_GOING_AWAY, 'the hub is shutting down');
      client.closed = true;
      return client;
    }
    this.clients.add(client);
    client.reply(hello(options.principal));
    for (const [deviceId, status] of this.statuses) {
      this.withStore(deviceId, (storeId) => {
        if (!client.closed && client.sees(storeId)) {
          client.offer(encode({ type: 'status', storeId, deviceId, status }), 'other', 0, this.now());
        }
      });
    }
    return client;
  }

  disconnect(client: LiveClient): void {
    client.closed = true;
    this.clients.delete(client);
  }

  /** Handles one text message from a client. */
  async receive(client: LiveClient, raw: string): Promise<void> {
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch {
      client.reply({ type: 'error', message: 'messages must be JSON' });
      return;
    }
    if (!clientMessage.Check(value)) {
      client.reply({
        type: 'error',
        message:
          'unknown message: send {"type":"subscribe"|"unsubscribe","cameraId"?}, {"type":"auth","token"} or {"type":"ping"}',
      });
      return;
    }
    const m = value;
    switch (m.type) {
      case 'ping':
        client.reply({ type: 'pong', ...(m.id !== undefined ? { id: m.id } : {}) });
        return;
      case 'subscribe': {
        if (m.cameraId === undefined) client.live = 'all';
        else {
          const storeId = await this.directory.cameraStore(m.cameraId);
          if (storeId === undefined || !client.sees(storeId)) {
            client.reply({ type: 'error', message: `there is no camera ${m.cameraId} in your stores` });
            return;
          }
          if (client.live === 'all') client.live = new Set();
          client.live.add(m.cameraId);
        }
        client.reply(subscribed(client));
        return;
      }
      case 'unsubscribe':
        if (m.cameraId === undefined) client.live = new Set();
        else if (client.live === 'all') client.live = new Set();
        else client.live.delete(m.cameraId);
        client.reply(subscribed(client));
        return;
      case 'auth': {
        try {
          const p = await client.verify(m.token);
          if (p.userId !== client.principal.userId) {
            this.closeClient(client, CLOSE_POLICY, 'the new token belongs to another user; reconnect');
            return;
          }
          client.token = m.token;
          client.setPrincipal(p);
          client.nextCheckAt = this.now() + this.limits.recheckMs;
          client.reply(hello(p));
        } catch (err) {
          this.closeClient(client, CLOSE_POLICY, reason(err));
        }
        return;
      }
    }
  }

  /** Closes every socket (1001) and stops the tick. */
  close(): void {
    this.stopped = true;
    clearInterval(this.timer);
    for (const c of [...this.clients]) this.closeClient(c, CLOSE_GOING_AWAY, 'the hub is shutting down');
  }

  /** @internal Closes a client that reads too slowly. */
  closeSlow(client: LiveClient, why: string): void {
    if (client.closed) return;
    this.counters.closedSlow++;
    this.log.warn(
      { user: client.principal.name, why, dropped: client.totalDroppedEvents },
      'live feed client closed: it reads too slowly',
    );
    this.closeClient(
      client,
      CLOSE_TOO_SLOW,
      `reading too slowly (${why}): reconnect and catch up over the API`,
    );
  }

  private closeClient(client: LiveClient, code: number, why: string): void {
    this.disconnect(client);
    try {
      client.socket.close(code, why.slice(0, 120));
    } catch {
      client.socket.terminate();
      return;
    }
    // A client that does not read will not read the close frame either.
    setTimeout(() => {
      if (client.socket.readyState !== 3) client.socket.terminate();
    }, 2000).unref();
  }

  private tick(): void {
    const now = this.now();
    for (const c of this.clients) {
      if (c.hasBacklog()) {
        c.drain(now);
        if (c.stalled(now)) {
          this.closeSlow(c, `nothing could be sent for ${Math.round(this.limits.stallMs / 1000)} s`);
          continue;
        }
      }
      if (now >= c.nextCheckAt && !c.checking) {
        c.checking = true;
        c.verify(c.token).then(
          (p) => {
            c.checking = false;
            c.nextCheckAt = this.now() + this.limits.recheckMs;
            if (p.userId !== c.principal.userId) this.closeClient(c, CLOSE_POLICY, 'the session changed');
            else c.setPrincipal(p);
          },
          (err: unknown) => {
            c.checking = false;
            this.closeClient(c, CLOSE_POLICY, reason(err));
          },
        );
      }
    }
  }

  private broadcast(
    storeId: string,
    message: ServerMessage,
    kind: Kind,
    events: number,
    cameraId?: string,
  ): void {
    // Encoded once for every client (ws would otherwise encode a string per send).
    let data: Buffer | undefined;
    const now = this.now();
    for (const c of this.clients) {
      if (!c.sees(storeId)) continue;
      if (cameraId !== undefined && !c.wantsCamera(cameraId)) continue;
      data ??= encode(message);
      c.offer(data, kind, events, now);
    }
  }

  /** Runs `fn` with the device's store (at once when cached); unknown devices are ignored. */
  private withStore(deviceId: string, fn: (storeId: string) => void): void {
    this.resolve(this.directory.deviceStore(deviceId), deviceId, fn);
  }

  private withCameraStore(cameraId: string, fn: (storeId: string) => void): void {
    this.resolve(this.directory.cameraStore(cameraId), cameraId, fn);
  }

  private resolve(
    found: string | undefined | Promise<string | undefined>,
    id: string,
    fn: (storeId: string) => void,
  ): void {
    if (typeof found === 'string') fn(found);
    else if (found instanceof Promise) {
      found.then(
        (storeId) => {
          if (storeId !== undefined) fn(storeId);
        },
        (err: unknown) => this.log.error({ id, err }, 'live feed: looking up a store failed'),
      );
    }
  }
}

function hello(p: Principal): ServerMessage {
  return {
    type: 'hello',
    userId: p.userId,
    role: p.role,
    stores: p.role === 'admin' ? 'all' : [...p.storeIds],
  };
}

function subscribed(c: LiveClient): ServerMessage {
  return { type: 'subscribed', live: c.live === 'all' ? 'all' : [...c.live] };
}

function reason(err: unknown): string {
  return err instanceof Error ? err.message : 'the access token is not valid; sign in again';
}
