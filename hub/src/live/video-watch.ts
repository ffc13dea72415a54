/**
 * Who watches which camera's video, and the boxes asked for it (protocol/src/video.ts). A client
 * watches the cameras it sent `watch` for (the Live page, for its camera) until `unwatch` or its
 * socket closes; the Overview's box subscriptions never start a video. The first
 * watcher of a camera sends its box a signed watch request, renewed every `renewMs` while anyone
 * watches; the last one leaving sends `leaseMs: 0`. A hub that dies simply stops renewing and the
 * box stops by itself when the lease runs out. Each request names this hub process (`hub`): with
 * several hubs on one broker the box keeps a lease per hub, so this hub's stop ends only its own.
 */
import { PROTOCOL_VERSION, VIDEO_LEASE_MS, VIDEO_RENEW_MS, type WatchRequest } from '@oskartrack/protocol';
import type { LiveClient } from './client.ts';

export interface VideoWatchOptions {
  /** Publishes a signed watch request to a box. */
  request(deviceId: string, request: WatchRequest): Promise<void>;
  /** The box a camera runs on, or undefined (no such camera, or no box assigned). */
  cameraDevice(cameraId: string): Promise<string | undefined>;
  log: { warn(obj: object, msg?: string): void };
  /** This hub process's id (cluster/instance.ts), sent in every request; absent: not sent. */
  hub?: string;
  leaseMs?: number;
  renewMs?: number;
}

export interface VideoWatchStats {
  /** Watch requests sent (first watcher and renewals). */
  watchRequests: number;
  /** Stop requests sent (last watcher left). */
  stopRequests: number;
}

export class VideoWatch {
  readonly stats: VideoWatchStats = { watchRequests: 0, stopRequests: 0 };
  private readonly byCamera = new Map<string, Set<LiveClient>>();
  private readonly byClient = new Map<LiveClient, Set<string>>();
  /** The box asked for each watched camera's pictures (only its pictures of that camera are relayed). */
  private readonly asked = new Map<string, string>();
  private readonly timer: NodeJS.Timeout;
  private readonly leaseMs: number;

  constructor(private readonly o: VideoWatchOptions) {
    this.leaseMs = o.leaseMs ?? VIDEO_LEASE_MS;
    this.timer = setInterval(() => this.renewAll(), o.renewMs ?? VIDEO_RENEW_MS);
    this.timer.unref();
  }

  /** Whether any camera is watched (pictures are not even parsed otherwise). */
  get watching(): boolean {
    return this.byCamera.size > 0;
  }

  /** The clients watching `cameraId`. */
  watchers(cameraId: string): ReadonlySet<LiveClient> | undefined {
    return this.byCamera.get(cameraId);
  }

  /** The box whose pictures of `cameraId` are wanted, while it is watched. */
  deviceOf(cameraId: string): string | undefined {
    return this.asked.get(cameraId);
  }

  /** Follows a client's `watch` / `unwatch` (and its close: it then watches nothing). */
  sync(client: LiveClient): void {
    const wanted = client.closed ? new Set<string>() : client.video;
    const had = this.byClient.get(client) ?? new Set<string>();
    for (const cameraId of had) if (!wanted.has(cameraId)) this.leave(client, cameraId);
    for (const cameraId of wanted) if (!had.has(cameraId)) this.join(client, cameraId);
    if (wanted.size === 0) this.byClient.delete(client);
    else this.byClient.set(client, new Set(wanted));
  }

  /** A box came (back) online: a watch request sent while it was away was lost, so ask again. */
  deviceOnline(deviceId: string): void {
    for (const [cameraId, asked] of this.asked) if (asked === deviceId) void this.ask(cameraId);
  }

  /** Stops renewing (the hub is shutting down; the boxes stop when their leases run out). */
  close(): void {
    clearInterval(this.timer);
  }

  private join(client: LiveClient, cameraId: string): void {
    let set = this.byCamera.get(cameraId);
    if (!set) {
      set = new Set();
      this.byCamera.set(cameraId, set);
      void this.ask(cameraId);
    }
    set.add(client);
  }

  private leave(client: LiveClient, cameraId: string): void {
    const set = this.byCamera.get(cameraId);
    if (!set?.delete(client) || set.size > 0) return;
    this.byCamera.delete(cameraId);
    const deviceId = this.asked.get(cameraId);
    this.asked.delete(cameraId);
    if (deviceId === undefined) return;
    this.stats.stopRequests++;
    this.send(deviceId, cameraId, 0);
  }

  /** Asks (again) the camera's box for pictures, looking the box up each time (it may have moved). */
  private async ask(cameraId: string): Promise<void> {
    let deviceId: string | undefined;
    try {
      deviceId = await this.o.cameraDevice(cameraId);
    } catch (err) {
      this.o.log.warn({ err, cameraId }, 'live video: looking up the camera’s box failed');
      return;
    }
    if (!this.byCamera.has(cameraId)) return;
    // A box no longer holding the camera (moved, or taken off every box) is told to stop at once.
    const before = this.asked.get(cameraId);
    if (before !== undefined && before !== deviceId) this.send(before, cameraId, 0);
    if (deviceId === undefined) {
      this.asked.delete(cameraId);
      return;
    }
    this.asked.set(cameraId, deviceId);
    this.stats.watchRequests++;
    this.send(deviceId, cameraId, this.leaseMs);
  }

  private renewAll(): void {
    for (const cameraId of this.byCamera.keys()) void this.ask(cameraId);
  }

  private send(deviceId: string, cameraId: string, leaseMs: number): void {
    const hub = this.o.hub === undefined ? {} : { hub: this.o.hub };
    this.o.request(deviceId, { v: PROTOCOL_VERSION, cameraId, leaseMs, ...hub }).catch((err: unknown) => {
      this.o.log.warn({ err, deviceId, cameraId }, 'live video: the watch request could not be sent');
    });
  }
}
