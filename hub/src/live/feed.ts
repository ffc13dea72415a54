/**
 * The live feed's fan-out (who gets what): device statuses, live track boxes, every stored event and
 * upload job progress, to the WebSocket clients whose stores they concern. Each client's own queue and
 * drop policy are in client.ts; what a client may ask is in requests.ts; the messages are
 * protocol/src/live.ts.
 *
 * Sources: `deviceStatus` (the status tracker's onStatus), `eventsStored` (the ingest's onStored, after
 * each commit), `jobUpdated` (upload jobs), and the bus (`attach`: validated `LiveTracks` from
 * `oskartrack/v1/devices/+/live/+`, and live video pictures from `.../video/+` for the clients that
 * watch a camera, whose boxes are asked for them by video-watch.ts; never kept). Each item is mapped to its store (device or camera to store through
 * the repositories, cached: see directory.ts), serialized once, and offered to every client that may
 * see that store. A periodic tick drains the clients' queues and closes hopeless ones (1013).
 *
 * Each device's latest status (its cameras' picture state and gaps included) is kept and sent to a
 * client right after `hello`, so a page opened during a camera outage shows it at once.
 *
 * Each client's token is checked again every `recheckMs` (and on `auth` with a new token): a disabled
 * user, an ended session or an expired token closes the socket with 1008; changed store assignments
 * apply from that check on.
 */
import {
  CLOSE_GOING_AWAY,
  CLOSE_POLICY,
  CLOSE_TOO_SLOW,
  type DeviceStatus,
  type LiveTracks,
  type SequencedEvent,
  type ServerMessage,
  type ServerMessageOf,
  type UploadJob,
  type VideoFrame,
} from '@oskartrack/protocol';
import type { MessageBus } from '../broker/bus.ts';
import { on, send } from '../broker/channel-bus.ts';
import type { Repositories } from '../db/repositories/index.ts';
import {
  type ClientHost,
  DEFAULT_LIVE_LIMITS,
  encode,
  type Kind,
  LiveClient,
  type LiveConnectOptions,
  type LiveFeedStats,
  type LiveLimits,
  type LiveSocket,
} from './client.ts';
import { StoreDirectory } from './directory.ts';
import { handleClientMessage, hello, reason } from './requests.ts';
import { VideoWatch, type VideoWatchStats } from './video-watch.ts';

export {
  DEFAULT_LIVE_LIMITS,
  LiveClient,
  type LiveConnectOptions,
  type LiveFeedStats,
  type LiveLimits,
  type LiveSocket,
} from './client.ts';

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
  /** This hub process's id, named in watch requests (several hubs on one broker). */
  instanceId?: string;
}

/** What one hub hands the others through the database (alerts and upload job progress). */
export type RelayedMessage = ServerMessageOf<'alert'> | ServerMessageOf<'job'>;

/** Live video through the feed: requests sent to boxes, pictures relayed and refused. */
export interface LiveVideoStats extends VideoWatchStats {
  /** Pictures handed to clients (once per picture, however many clients got it). */
  relayed: number;
  /** Pictures refused: malformed, camera id not matching the topic, or from a box not asked. */
  rejected: number;
}

export class LiveFeed implements ClientHost {
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
  /** When each device's latest status was stored, on this hub's clock (the unit's may be off). */
  private readonly receivedAt = new Map<string, number>();
  /** Told of every stored status after the clients (the alert engine). */
  private readonly statusListeners = new Set<(deviceId: string, status: DeviceStatus) => void>();
  private readonly timer: NodeJS.Timeout;
  private stopped = false;
  private readonly repos: Pick<Repositories, 'devices' | 'cameras'>;
  private readonly instanceId: string | undefined;
  private relay: ((message: RelayedMessage) => void) | undefined;
  /** Who watches which camera's video; made when the bus is attached. */
  private video: VideoWatch | undefined;
  private readonly videoCounters = { relayed: 0, rejected: 0 };
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
    this.repos = options.repos;
    this.instanceId = options.instanceId;
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

  videoStats(): LiveVideoStats {
    return {
      watchRequests: this.video?.stats.watchRequests ?? 0,
      stopRequests: this.video?.stats.stopRequests ?? 0,
      ...this.videoCounters,
    };
  }

  /** Forgets every cached device and camera store (after stores, devices or cameras changed). */
  forgetStores(): void {
    this.directory.forget();
  }

  // ---- sources ----

  /** Subscribes to every device's live boxes on the bus. */
  async attach(bus: MessageBus): Promise<void> {
    await on(
      bus,
      'live',
      (deviceId, parsed, cameraId) => {
        if (!cameraId) return;
        if (!parsed.ok || parsed.value.cameraId !== cameraId) {
          this.counters.rejectedLive++;
          return;
        }
        this.liveTracks(deviceId, parsed.value);
      },
      { accept: () => this.clients.size > 0 }, // nobody watching: not even parsed
    );
    await this.attachVideo(bus);
  }

  /** Watch requests to the boxes, and their pictures from the bus to the clients watching. */
  private async attachVideo(bus: MessageBus): Promise<void> {
    this.video = new VideoWatch({
      leaseMs: this.limits.videoLeaseMs,
      renewMs: this.limits.videoRenewMs,
      ...(this.instanceId ? { hub: this.instanceId } : {}),
      request: (deviceId, request) => send(bus, 'request', deviceId, request, 'watch'),
      cameraDevice: async (cameraId) => (await this.repos.cameras.find(cameraId))?.deviceId ?? undefined,
      log: this.log,
    });
    await on(
      bus,
      'video',
      (deviceId, parsed, cameraId) => {
        // Only the pictures asked for: the right camera, from the box it runs on.
        if (!parsed.ok || parsed.value.cameraId !== cameraId || this.video?.deviceOf(cameraId) !== deviceId) {
          this.videoCounters.rejected++;
          return;
        }
        this.videoFrame(deviceId, parsed.value);
      },
      { accept: () => this.video?.watching === true }, // nobody watching: not even parsed
    );
  }

  /** A picture of a watched camera, to the clients watching it that may see its store; never kept. */
  videoFrame(deviceId: string, frame: VideoFrame): void {
    const { cameraId } = frame;
    this.withCameraStore(cameraId, (storeId) => {
      const watchers = this.video?.watchers(cameraId);
      if (!watchers) return;
      let data: Buffer | undefined;
      const now = this.now();
      for (const c of watchers) {
        if (!c.sees(storeId)) continue;
        data ??= encode({ type: 'video', storeId, deviceId, cameraId, frame });
        // Like live boxes: never queued, skipped for a client that reads slowly.
        c.offer(data, 'live', 0, now);
      }
      if (data) this.videoCounters.relayed++;
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
    const wasOnline = this.statuses.get(deviceId)?.state === 'online';
    this.statuses.set(deviceId, status);
    this.receivedAt.set(deviceId, this.now());
    if (status.state === 'online' && !wasOnline) this.video?.deviceOnline(deviceId);
    this.withStore(deviceId, (storeId) =>
      this.broadcast(storeId, { type: 'status', storeId, deviceId, status }, 'other', 0),
    );
    for (const listener of this.statusListeners) listener(deviceId, status);
  }

  /** A device's latest stored status; undefined before its first one since the hub started. */
  latestStatus(deviceId: string): DeviceStatus | undefined {
    return this.statuses.get(deviceId);
  }

  /** When the device's latest status was stored (this hub's clock); undefined before its first one. */
  statusReceivedAt(deviceId: string): number | undefined {
    return this.receivedAt.get(deviceId);
  }

  /** Listens to every stored status; returns the function that stops listening. */
  onStatus(listener: (deviceId: string, status: DeviceStatus) => void): () => void {
    this.statusListeners.add(listener);
    return () => this.statusListeners.delete(listener);
  }

  /** An alert fired or cleared: to the clients that see its store (and the other hubs'). */
  alert(alert: ServerMessageOf<'alert'>['alert']): void {
    const message: RelayedMessage = { type: 'alert', alert };
    this.fromOtherHub(message);
    this.relay?.(message);
  }

  /**
   * Hands the alerts and upload job progress of this hub to the other hubs on the database
   * (cluster/live-bridge.ts); stored events go there from the ingest's transaction instead.
   */
  relayTo(relay: (message: RelayedMessage) => void): void {
    this.relay = relay;
  }

  /** An alert or job progress another hub produced: to this hub's clients only. */
  fromOtherHub(message: RelayedMessage): void {
    const storeId = message.type === 'alert' ? message.alert.storeId : message.job.storeId;
    this.broadcast(storeId, message, 'other', 0);
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

  /** An upload job changed (queued, progress, done, failed); the other hubs' clients are told too. */
  jobUpdated(job: UploadJob): void {
    const message: RelayedMessage = { type: 'job', job };
    this.fromOtherHub(message);
    this.relay?.(message);
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
    this.video?.sync(client);
  }

  /** Handles one text message from a client (requests.ts). */
  async receive(client: LiveClient, raw: string): Promise<void> {
    await handleClientMessage(
      {
        cameraStore: (cameraId) => this.directory.cameraStore(cameraId),
        refuse: (c, why) => this.closeClient(c, CLOSE_POLICY, why),
        nextCheckAt: () => this.now() + this.limits.recheckMs,
      },
      client,
      raw,
    );
    // `watch` / `unwatch` change who watches which camera's video.
    if (!client.closed) this.video?.sync(client);
  }

  /** Closes every socket (1001) and stops the tick. */
  close(): void {
    this.stopped = true;
    clearInterval(this.timer);
    this.video?.close();
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
