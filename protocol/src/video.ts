/**
 * Live video between box and hub: only while someone watches a camera on the Live page, its box sends
 * a few small JPEG pictures a second, each with the capture time of its frame (the same clock and
 * frame number as the live boxes, `LiveTracks.at` / `.frame`), so the page draws the boxes of the very
 * picture it shows. Nothing of it is stored, on the box or the hub.
 *
 * Watching is a lease: the hub sends a signed `WatchRequest` at `.../request/watch` when the first
 * dashboard starts watching a camera and again every `VIDEO_RENEW_MS` while one does; the box sends
 * pictures until `leaseMs` after the last one it received (a crashed hub or a closed tab stops the
 * video by itself), or at once on `leaseMs: 0` (the last watcher left). The lease is a duration, not
 * an end time, so the box and hub clocks need not agree.
 *
 * Pictures (`VideoFrame`, `.../video/{cameraId}`, QoS 0, never retained) are JSON with the JPEG in
 * base64, like snapshots: the same channel table, schema check and size limit as every other message,
 * and the page shows one as a `data:` URL without decoding. Base64 costs a third more bytes than the
 * JPEG itself; at `VIDEO_FPS` pictures of at most `VIDEO_MAX_BYTES` that is at most about 1.9 Mbit/s
 * per watched camera, measured lower in docs/benchmarks.md.
 */
import { type Static, Type } from '@sinclair/typebox';
import { Timestamp } from './events.ts';
import { Id } from './geometry.ts';
import { PROTOCOL_VERSION } from './messages.ts';

/** How long a box keeps sending after a watch request, unless it is renewed. */
export const VIDEO_LEASE_MS = 10_000;
/** How often the hub renews the lease of a camera someone watches. */
export const VIDEO_RENEW_MS = 4_000;
/** Pictures per second a box sends at most. */
export const VIDEO_FPS = 3;
/** Pictures wider than this are scaled down first. */
export const VIDEO_MAX_WIDTH = 640;
/** The largest JPEG a box sends; a bigger one is encoded again at a lower quality, or skipped. */
export const VIDEO_MAX_BYTES = 60_000;
/** A picture's base64 text at most. */
export const MAX_VIDEO_BASE64 = Math.ceil(VIDEO_MAX_BYTES / 3) * 4;

const V = Type.Literal(PROTOCOL_VERSION);

/** A hub process's own id (several hubs may share one broker and one database). */
export const HubInstanceId = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' });

/**
 * At `.../request/watch`, signed: keep sending this camera's pictures for `leaseMs` (0: stop now).
 * `hub` names the hub process asking: each hub's lease is its own, so one hub's last watcher leaving
 * does not stop the pictures another hub's watchers still get (absent: one lease for every hub).
 */
export const WatchRequest = Type.Object(
  {
    v: V,
    cameraId: Id,
    leaseMs: Type.Integer({ minimum: 0, maximum: 60_000 }),
    hub: Type.Optional(HubInstanceId),
  },
  { additionalProperties: false },
);
export type WatchRequest = Static<typeof WatchRequest>;

/** At `.../video/{cameraId}`, QoS 0: one picture of a watched camera; never stored. */
export const VideoFrame = Type.Object(
  {
    v: V,
    cameraId: Id,
    /** Capture time of the frame, as `LiveTracks.at`. */
    at: Timestamp,
    frame: Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER }),
    /** The picture's own size (after scaling down). */
    width: Type.Integer({ minimum: 1, maximum: 4096 }),
    height: Type.Integer({ minimum: 1, maximum: 4096 }),
    /** The frame's size as the live boxes measure it (their coordinates are in these pixels). */
    sourceWidth: Type.Integer({ minimum: 1, maximum: 16384 }),
    sourceHeight: Type.Integer({ minimum: 1, maximum: 16384 }),
    jpeg: Type.String({ minLength: 4, maxLength: MAX_VIDEO_BASE64, pattern: '^[A-Za-z0-9+/]+={0,2}$' }),
  },
  { additionalProperties: false },
);
export type VideoFrame = Static<typeof VideoFrame>;
