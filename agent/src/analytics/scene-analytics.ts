// Zone analytics for one camera: turns the tracker's confirmed tracks into the typed events of
// `protocol/` (track started/ended, area entered/left, line crossed, visit closed) and keeps live
// numbers (people per area, in/out per line).
import { check, Id, MAX_COORD, type TrackingEvent } from '@oskartrack/protocol';
import { FALLBACK_FPS } from '../timing.ts';
import type { Tracks } from '../types.ts';
import { footX, footY } from './geometry.ts';
import { DEFAULT_LINE_OPTIONS, type LineCount, LineCounter } from './lines.ts';
import {
  checkPartialBoxOptions,
  DEFAULT_PARTIAL_BOX_OPTIONS,
  footYOf,
  RecentHeights,
} from './partial-box.ts';
import { checkPathOptions, DEFAULT_PATH_OPTIONS, PathSampler } from './path.ts';
import { assertScene, type Scene } from './scene.ts';
import { DEFAULT_ZONE_OPTIONS, type ZoneCount, ZoneTracker } from './zones.ts';

export interface AnalyticsOptions {
  /** Frame rate of the source: turns the rules' seconds into frames. The engine passes the real one. */
  fps: number;
  /** Time in a row inside (outside) an area before "entered" ("left") fires; default 3/7 s. */
  zoneInertiaSeconds: number;
  /** Frames instead of `zoneInertiaSeconds`; unset: from the seconds. */
  zoneInertia: number | undefined;
  /** Border band of the areas as a fraction of the box height (see ZoneOptions); default 0.2. */
  zoneBorderBand: number;
  /** The band's largest share of an area's thickness (see ZoneOptions); default 0.25. */
  zoneMaxBandShare: number;
  /** Distance past a counting line that confirms a crossing, in box heights (see LineOptions); default 0.06. */
  lineMinDistanceHeights: number;
  /** Pixels instead of `lineMinDistanceHeights`; unset: from the box heights. */
  lineMinDistance: number | undefined;
  /** Time in a row past a counting line that also confirms a crossing (0: off); default 10/7 s. */
  lineMinSeconds: number;
  /** Frames instead of `lineMinSeconds` (0: off); unset: from the seconds. */
  lineMinFrames: number | undefined;
  /**
   * A track first seen within this long after counting starts was already there (the tracker takes a
   * few frames to confirm a person): it counts as inside its areas from the start. Default 0.5 s,
   * above the tracker's 3/7 s confirmation; the engine passes its own confirmation time.
   */
  startGraceSeconds: number;
  /**
   * A box shorter than this share of the same person's tallest box within `partialBoxSeconds` is a
   * partial view: when its top is where that tall box's top was (head and shoulders found, legs not),
   * the feet are taken at its top plus the tall box's height (see partial-box.ts). 0: off. Default 0.6.
   */
  partialBoxShare: number;
  /** How far back that tallest box is looked for, in seconds. Default 1. */
  partialBoxSeconds: number;
  /** Path sampling: a new point after this many px of movement; default 10. */
  pathMinDistance: number;
  /** Path sampling: a new point after this long standing still (ms); default 5000. */
  pathMaxIntervalMs: number;
  /** At most this many points per visit path (<= protocol MAX_PATH_POINTS, the default). */
  maxPathPoints: number;
}

export const DEFAULT_ANALYTICS_OPTIONS: AnalyticsOptions = Object.freeze({
  fps: FALLBACK_FPS,
  zoneInertiaSeconds: DEFAULT_ZONE_OPTIONS.inertiaSeconds,
  zoneInertia: undefined,
  zoneBorderBand: DEFAULT_ZONE_OPTIONS.borderBand,
  zoneMaxBandShare: DEFAULT_ZONE_OPTIONS.maxBandShare,
  lineMinDistanceHeights: DEFAULT_LINE_OPTIONS.minDistanceHeights,
  lineMinDistance: DEFAULT_LINE_OPTIONS.minDistance,
  lineMinSeconds: DEFAULT_LINE_OPTIONS.minSeconds,
  lineMinFrames: undefined,
  startGraceSeconds: 0.5,
  partialBoxShare: DEFAULT_PARTIAL_BOX_OPTIONS.share,
  partialBoxSeconds: DEFAULT_PARTIAL_BOX_OPTIONS.seconds,
  pathMinDistance: DEFAULT_PATH_OPTIONS.minDistance,
  pathMaxIntervalMs: DEFAULT_PATH_OPTIONS.maxIntervalMs,
  maxPathPoints: DEFAULT_PATH_OPTIONS.maxPoints,
});

export interface SceneCounts {
  /** Distinct people (track ids) seen so far: the visitors. */
  tracksStarted: number;
  tracksEnded: number;
  /** Tracks alive now. */
  active: number;
  zones: ZoneCount[];
  lines: LineCount[];
}

interface TrackInfo {
  firstAt: number;
  lastAt: number;
  path: PathSampler;
  heights: RecentHeights;
}

/**
 * Feed it every frame's confirmed tracks and the ids the tracker dropped; it returns the events of that
 * frame. Times are the frames' `at` rounded to whole ms. Every piece of per-person state is dropped when
 * the track ends, so it can run for months.
 *
 * An event's `at` is when the thing happened, which can be a few frames before the frame that confirms
 * it (inertia, minimum crossing distance): "entered" carries the time of the first frame inside.
 *
 * Counting starts at the first frame fed (and again after `finish()`): people seen within
 * `startGraceSeconds` of it were already there and are inside their areas from the start. It stops at
 * `finish()`: people still inside leave at their last sighting (see `ZoneOptions` for the full rule).
 */
export class SceneAnalytics {
  readonly cameraId: string;
  readonly #options: AnalyticsOptions;
  readonly #zones: ZoneTracker;
  readonly #lines: LineCounter;
  readonly #tracks = new Map<number, TrackInfo>();
  #scene: Scene;
  #started = 0;
  #ended = 0;
  /** Time of the first frame since counting (re)started; undefined before it. */
  #countingSince: number | undefined;

  constructor(cameraId: string, scene: Scene, options: Partial<AnalyticsOptions> = {}) {
    const id = check(Id, cameraId);
    if (!id.ok) throw new Error(`camera id "${cameraId}" is not usable in events: ${id.error}`);
    assertScene(scene, `scene of camera ${cameraId}`);
    const o: AnalyticsOptions = { ...DEFAULT_ANALYTICS_OPTIONS, ...options };
    checkPathOptions({
      minDistance: o.pathMinDistance,
      maxIntervalMs: o.pathMaxIntervalMs,
      maxPoints: o.maxPathPoints,
    });
    this.cameraId = cameraId;
    this.#options = o;
    this.#scene = scene;
    checkPartialBoxOptions({ share: o.partialBoxShare, seconds: o.partialBoxSeconds });
    if (!(o.startGraceSeconds >= 0))
      throw new RangeError(`start grace must be 0 s or more, got ${o.startGraceSeconds}`);
    this.#zones = new ZoneTracker(cameraId, scene.zones, {
      fps: o.fps,
      inertiaSeconds: o.zoneInertiaSeconds,
      inertia: o.zoneInertia,
      borderBand: o.zoneBorderBand,
      maxBandShare: o.zoneMaxBandShare,
    });
    this.#lines = new LineCounter(cameraId, scene.lines, {
      fps: o.fps,
      minDistanceHeights: o.lineMinDistanceHeights,
      minDistance: o.lineMinDistance,
      minSeconds: o.lineMinSeconds,
      minFrames: o.lineMinFrames,
    });
  }

  get scene(): Scene {
    return this.#scene;
  }

  /** Tracks holding state now. */
  get activeTracks(): number {
    return this.#tracks.size;
  }

  /** How many tracks each part holds state for: all 0 once every track has ended (for leak tests). */
  stateSizes(): { tracks: number; zones: number; lines: number } {
    return { tracks: this.#tracks.size, zones: this.#zones.size, lines: this.#lines.size };
  }

  /**
   * One tracker step: `tracks` are the confirmed tracks of this frame, `endedIds` the tracks the tracker
   * dropped (they are closed after this frame's tracks are applied; unknown ids are ignored). A box
   * with score 0 is a lost person the tracker still shows at their predicted place (coasting): it is
   * not a sighting, so it moves nobody into or out of an area, crosses no line and does not extend a
   * stay or a visit (time spent ends at the last sighting).
   */
  update(tracks: Tracks, endedIds: Iterable<number> = []): TrackingEvent[] {
    const out: TrackingEvent[] = [];
    const at = Math.max(0, Math.round(tracks.at));
    this.#countingSince ??= at;
    const since = this.#countingSince;
    const atStart = at - since <= this.#options.startGraceSeconds * 1000;
    const { ids, boxes } = tracks;
    for (let i = 0; i < tracks.count; i++) {
      const id = ids[i]!;
      if (id === 0) throw new RangeError('track id 0 is not allowed: track ids start at 1');
      if (!(tracks.scores[i]! > 0)) continue;
      const x = footX(boxes, i);
      let y = footY(boxes, i);
      if (!Number.isFinite(x) || !Number.isFinite(y) || !Number.isFinite(boxes[4 * i + 1]!)) continue;
      let info = this.#tracks.get(id);
      // A person seen within the start grace was there when counting started: their visit (and the
      // areas they stand in) run from then, so no event of theirs is dated before their track's start.
      const present = info === undefined && atStart ? since : undefined;
      if (info === undefined) {
        const firstAt = present ?? at;
        info = {
          firstAt,
          lastAt: at,
          path: new PathSampler({
            minDistance: this.#options.pathMinDistance,
            maxIntervalMs: this.#options.pathMaxIntervalMs,
            maxPoints: this.#options.maxPathPoints,
          }),
          heights: new RecentHeights(this.#options.partialBoxSeconds),
        };
        this.#tracks.set(id, info);
        this.#started++;
        out.push({
          kind: 'track_started',
          cameraId: this.cameraId,
          at: firstAt,
          trackId: id,
          box: boxOf(boxes, i),
        });
      }
      info.lastAt = at;
      const top = boxes[4 * i + 1]!;
      // The bottom of a partial box (head and shoulders) is not the feet: put them where they were.
      y = footYOf(info.heights, at, top, y, this.#options.partialBoxShare);
      const height = y - top;
      info.path.add(at, x, y);
      this.#zones.update(id, x, y, at, out, height, present);
      this.#lines.update(id, x, y, at, out, height);
    }
    for (const id of endedIds) this.#end(id, out);
    return out;
  }

  /**
   * Counting stops: closes every open track, as at the end of a recording; each ends at its last
   * sighting, and people inside an area leave it then (see `ZoneTracker.end`). The next frame fed
   * starts counting again.
   */
  finish(): TrackingEvent[] {
    const out: TrackingEvent[] = [];
    for (const id of [...this.#tracks.keys()]) this.#end(id, out, true);
    this.#countingSince = undefined;
    return out;
  }

  /**
   * Applies new areas and lines without a restart (see `ZoneTracker.setZones`, `LineCounter.setLines`).
   * Returns the "left" events of people inside areas that were removed. Throws on a bad scene and then
   * keeps the old one.
   */
  setScene(scene: Scene): TrackingEvent[] {
    assertScene(scene, `scene of camera ${this.cameraId}`);
    const out: TrackingEvent[] = [];
    this.#zones.setZones(scene.zones, out);
    this.#lines.setLines(scene.lines);
    this.#scene = scene;
    return out;
  }

  /** People in each area now, by area id. */
  occupancy(): Map<string, number> {
    return this.#zones.occupancy();
  }

  counts(): SceneCounts {
    return {
      tracksStarted: this.#started,
      tracksEnded: this.#ended,
      active: this.#tracks.size,
      zones: this.#zones.counts(),
      lines: this.#lines.counts(),
    };
  }

  /** Time a live track has spent in an area so far (ms), the current stay up to its last sighting included. */
  dwell(trackId: number, zoneId: string): number {
    return this.#zones.dwell(trackId, zoneId);
  }

  /** Ids of the areas a live track is confirmed inside. */
  zonesOf(trackId: number): string[] {
    return this.#zones.insideOf(trackId);
  }

  #end(id: number, out: TrackingEvent[], stopped = false): void {
    const info = this.#tracks.get(id);
    if (info === undefined) return;
    this.#tracks.delete(id);
    this.#ended++;
    const zones = this.#zones.end(id, out, stopped);
    this.#lines.end(id);
    const { firstAt, lastAt } = info;
    const durationMs = Math.max(0, lastAt - firstAt);
    out.push({
      kind: 'visit_closed',
      cameraId: this.cameraId,
      at: lastAt,
      trackId: id,
      startedAt: firstAt,
      durationMs,
      path: info.path.points(),
      zones,
    });
    out.push({
      kind: 'track_ended',
      cameraId: this.cameraId,
      at: lastAt,
      trackId: id,
      firstSeen: firstAt,
      durationMs,
    });
  }
}

/** Box i as protocol `Box`: left, top, width, height. */
function boxOf(boxes: Float32Array, i: number): [number, number, number, number] {
  const x1 = boxes[4 * i]!;
  const y1 = boxes[4 * i + 1]!;
  return [
    round1(x1),
    round1(y1),
    round1(Math.max(0, boxes[4 * i + 2]! - x1)),
    round1(Math.max(0, boxes[4 * i + 3]! - y1)),
  ];
}

/** Rounded to 0.1 px and kept within the protocol's coordinate range. */
function round1(v: number): number {
  return Math.min(MAX_COORD, Math.max(-MAX_COORD, Math.round(v * 10) / 10));
}
