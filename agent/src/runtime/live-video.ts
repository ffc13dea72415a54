/**
 * Live video on the box: while the hub's watch lease for a camera runs (video-leases.ts), at most
 * `fps` of its frames a second go to the hub as small JPEGs (video-encode.ts) with the frame's capture
 * time and number, the same as the live boxes of that frame. Without a lease a frame costs one map
 * lookup. Nothing is kept: each picture is published at QoS 0 and forgotten.
 */
import {
  PROTOCOL_VERSION,
  VIDEO_FPS,
  VIDEO_MAX_BYTES,
  VIDEO_MAX_WIDTH,
  type VideoFrame,
  type WatchRequest,
} from '@oskartrack/protocol';
import type { Logger } from 'pino';
import type { Frame } from '../types.ts';
import { DEFAULT_QUALITIES, type EncodeLimits, encodeVideoPicture } from './video-encode.ts';
import { VideoLeases } from './video-leases.ts';

export interface LiveVideoOptions {
  /** Publishes one picture; false when it was dropped (offline, socket backed up). */
  publish: (frame: VideoFrame) => boolean;
  /** Whether `cameraId` is one of this box's cameras (requests for others are ignored). */
  hasCamera: (cameraId: string) => boolean;
  log: Logger;
  fps?: number;
  maxWidth?: number;
  maxBytes?: number;
  qualities?: readonly number[];
  /** Clock of the leases and the rate (ms, monotonic). */
  now?: () => number;
}

export interface LiveVideoStats {
  sent: number;
  /** Dropped by the link (offline or backed up). */
  dropped: number;
  /** Skipped because no quality fitted the byte cap. */
  tooBig: number;
}

export class LiveVideo {
  readonly stats: LiveVideoStats = { sent: 0, dropped: 0, tooBig: 0 };
  private readonly leases: VideoLeases;
  /** When each camera's next picture is due (kept on a fixed beat, so a 7 fps camera still gives `fps`). */
  private readonly nextAt = new Map<string, number>();
  private readonly limits: EncodeLimits;
  private readonly intervalMs: number;
  private readonly now: () => number;

  constructor(private readonly o: LiveVideoOptions) {
    this.now = o.now ?? (() => performance.now());
    this.leases = new VideoLeases(this.now);
    this.intervalMs = 1000 / (o.fps ?? VIDEO_FPS);
    this.limits = {
      maxWidth: o.maxWidth ?? VIDEO_MAX_WIDTH,
      maxBytes: o.maxBytes ?? VIDEO_MAX_BYTES,
      qualities: o.qualities ?? DEFAULT_QUALITIES,
    };
  }

  /** A signed watch request from the hub: start, renew or (leaseMs 0) stop a camera's pictures. */
  watch(request: WatchRequest): void {
    if (!this.o.hasCamera(request.cameraId)) {
      this.o.log.debug({ camera: request.cameraId }, 'watch request for a camera not on this box ignored');
      return;
    }
    const was = this.leases.active(request.cameraId);
    this.leases.renew(request.cameraId, request.leaseMs, request.hub);
    if (was !== this.leases.active(request.cameraId))
      this.o.log.info({ camera: request.cameraId }, was ? 'live video stopped' : 'live video started');
  }

  /** Whether a picture of this camera is due now (watched, and the last one is old enough). */
  due(cameraId: string): boolean {
    if (!this.leases.active(cameraId)) return false;
    const next = this.nextAt.get(cameraId);
    return next === undefined || this.now() >= next;
  }

  /** Sends `frame` as a picture (call it when `due`); true when it went out. */
  async send(frame: Frame): Promise<boolean> {
    // On the beat while frames keep coming; after a pause the beat starts again from now.
    const next = this.nextAt.get(frame.cameraId);
    const now = this.now();
    this.nextAt.set(
      frame.cameraId,
      next !== undefined && now - next < this.intervalMs ? next + this.intervalMs : now + this.intervalMs,
    );
    let picture: Awaited<ReturnType<typeof encodeVideoPicture>>;
    try {
      picture = await encodeVideoPicture(frame.mat, this.limits);
    } catch (err) {
      // A picture that fails to encode must never stop the camera's counting.
      this.o.log.warn({ err, camera: frame.cameraId }, 'live video picture skipped: encoding failed');
      return false;
    }
    if (!picture) {
      this.stats.tooBig++;
      return false;
    }
    const sent = this.o.publish({
      v: PROTOCOL_VERSION,
      cameraId: frame.cameraId,
      at: Math.round(frame.at),
      frame: frame.index,
      width: picture.width,
      height: picture.height,
      sourceWidth: frame.width,
      sourceHeight: frame.height,
      jpeg: picture.jpeg.toString('base64'),
    });
    if (sent) this.stats.sent++;
    else this.stats.dropped++;
    return sent;
  }
}
