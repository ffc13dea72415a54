// Multi-object tracker of the ByteTrack family (Zhang et al., "ByteTrack: Multi-Object Tracking by
// Associating Every Detection Box", ECCV 2022), written for a box that runs for months:
//
// - a constant-velocity Kalman filter per track (./kalman.ts);
// - two-stage association by IoU with optimal assignment (./assignment.ts): confirmed and lost tracks
//   against high-score detections first (IoU fused with the score), then the tracks still unmatched and
//   not lost against the low-score detections, which recovers people who are partly hidden;
// - tentative tracks against the high-score detections left over; a tentative track must be matched on
//   `minHits` consecutive detection frames before it is confirmed, and only then gets an id, so ids are
//   dense (1, 2, 3, ...) and a one-frame false detection never costs an id;
// - lost tracks are kept `trackBuffer` frames, predicted by the filter, and re-found with their old id;
// - people cut by the frame edge (given the frame's size): a track is compared with detections by its
//   visible part (its box cut at the edge), a detection cut by an edge updates only the track's sides
//   that are in view (the person keeps their size instead of shrinking), boxes are output cut at the
//   edge, and a lost track is ended once its predicted box is wholly outside the frame;
// - every piece of state of an ended track is released: its slot goes back to a small bounded pool, its
//   id is reported once through `ended()` (or `onEnded`), and nothing keyed by id is kept.
//
// Hot path: no allocation per frame once the buffers have grown to the largest scene seen (track slots
// are pooled, cost matrices, index lists and the output are typed arrays reused from frame to frame).

import { framesFor } from '../timing.ts';
import type { Detections, Tracks } from '../types.ts';
import { AssignmentSolver } from './assignment.ts';
import type { BoxFollower } from './box-motion.ts';
import { KalmanFilter, type KalmanOptions } from './kalman.ts';

export interface TrackerOptions {
  /** Detections scoring at least this are "high" (first association, may start tracks). ByteTrack 0.5. */
  highThresh: number;
  /** Detections below this are ignored; between this and `highThresh` they are "low". ByteTrack 0.1. */
  lowThresh: number;
  /** A high detection left unmatched starts a tentative track only from this score. ByteTrack 0.6. */
  newTrackThresh: number;
  /** First association: pairs need `1 - IoU (x score)` below this. ByteTrack 0.8. */
  matchThresh: number;
  /** Second association (low-score detections): pairs need `1 - IoU` below this. ByteTrack 0.5. */
  secondMatchThresh: number;
  /** Tentative tracks: pairs need `1 - IoU (x score)` below this. ByteTrack 0.7. */
  tentativeMatchThresh: number;
  /** Multiply IoU by the detection score in the first and tentative associations. ByteTrack: yes. */
  fuseScore: boolean;
  /**
   * Keep outputting a lost track at its predicted place for this many frames after its last match
   * (bridges single missed detections; each bridged frame is an FP if the person really left). 0 is
   * ByteTrack's behaviour: lost tracks are not output. Such a box has score 0 (nobody was seen there),
   * so the scene analytics do not count it as presence.
   */
  coastFrames: number;
  /**
   * A track matched on this frame is output at its detection's box instead of the filter's estimate
   * (which still predicts the next frame). The constant-velocity filter trails a person who speeds up,
   * stops or turns; with a detector whose boxes are steady (YOLOX) the box it found is the better
   * one. Off: ByteTrack's behaviour, kept for HOG, whose boxes jump between pyramid levels (on the
   * closer made scene it cost HOG 5 points of IDF1).
   */
  detectionBox: boolean;
  /** Consecutive detection frames a new track must be matched on before it gets an id (>= 1). */
  minHits: number;
  /** How many frames a lost track is kept (and can be re-found with its id) after its last match. */
  trackBuffer: number;
  /**
   * Re-finding a lost person whose box drifted too far for IoU: a newly confirmed track takes the id of
   * a lost track that ended before it began, of similar height, whose last centre is within
   * (0.5 + relinkSpeed x seconds lost) box heights of the new track's first centre, and that
   * `relinkCheck` accepts (appearance). A walking person covers about 0.8 of their height per second.
   * 0 turns it off (ByteTrack's behaviour).
   */
  relinkSpeed: number;
  /** Asked before a re-link: does the person in box (x1, y1, x2, y2) now look like lost track `id`? */
  relinkCheck: ((id: number, x1: number, y1: number, x2: number, y2: number) => boolean) | undefined;
  /**
   * A lost track overlapping a tracked one by more than this IoU is a duplicate and the younger of the two
   * is ended (ByteTrack's `remove_duplicate_stracks`, 0.85). Off by default (1): it ends the id of a
   * person hidden behind another, which costs a visitor count every time two people cross.
   */
  duplicateIou: number;
  /**
   * People keep walking the way they were walking: a detection that lies behind a moving track's last
   * sighting (against its direction over the last `directionSeconds` to twice that) costs up to this
   * much more in the association (added to `1 - IoU`, kept inside the gate). When two people pass each
   * other their boxes overlap and IoU alone cannot tell who is who; each then keeps the detection ahead
   * of them. Scaled down for people standing or barely moving (their direction is box jitter). 0: off
   * (ByteTrack's behaviour). Like OC-SORT's direction term (Cao et al., CVPR 2023), on observed centres.
   */
  directionWeight: number;
  /** How far back (seconds) the walking direction is measured: between this and twice this. */
  directionSeconds: number;
  /**
   * Between detections, two boxes that the follower moved onto each other (one match jumped to the
   * other person, whose middle showed in its box) are not both followed: the one whose shift strays
   * further from its filter's velocity is predicted instead. False: every followed box is taken.
   */
  dropConverging: boolean;
  /** Ended ids kept for `ended()` when nobody drains them; the oldest are dropped beyond this. */
  maxPendingEnded: number;
  /** Free track slots kept for reuse. */
  maxSpareSlots: number;
  /** Called once per ended confirmed track instead of queueing its id for `ended()`. */
  onEnded: ((id: number, lastFrameIndex: number) => void) | undefined;
  kalman: Partial<KalmanOptions>;
}

export const DEFAULT_TRACKER_OPTIONS: TrackerOptions = {
  highThresh: 0.5,
  lowThresh: 0.1,
  newTrackThresh: 0.6,
  matchThresh: 0.8,
  secondMatchThresh: 0.5,
  tentativeMatchThresh: 0.7,
  fuseScore: true,
  detectionBox: false,
  minHits: 3,
  coastFrames: 0,
  trackBuffer: 30,
  relinkSpeed: 0,
  relinkCheck: undefined,
  duplicateIou: 1,
  directionWeight: 0.6,
  directionSeconds: 0.6,
  dropConverging: true,
  maxPendingEnded: 10_000,
  maxSpareSlots: 256,
  onEnded: undefined,
  kalman: {},
};

/**
 * The tracker's waits in seconds, so they mean the same at any frame rate; `trackerFrames` turns them
 * into the frame counts of `TrackerOptions`. The defaults equal the frame counts tuned on PETS09 at
 * its 7 frames/s (confirmation 3 frames, coasting 2, lost-track buffer 28).
 */
export interface TrackerTiming {
  /** A new person must be matched for this long before they get an id (`minHits`). */
  confirmSeconds: number;
  /** A lost person is still output at their predicted place for this long (`coastFrames`). */
  coastSeconds: number;
  /** A lost person can be re-found with their id for this long (`trackBuffer`). */
  bufferSeconds: number;
}

export const DEFAULT_TRACKER_TIMING: TrackerTiming = Object.freeze({
  confirmSeconds: 3 / 7,
  coastSeconds: 2 / 7,
  bufferSeconds: 4,
});

/**
 * Frame counts for a source at `fps` with the detector run on every `everyNth` frame: `minHits` counts
 * detector frames, the others count frames.
 */
export function trackerFrames(
  fps: number,
  everyNth = 1,
  timing: TrackerTiming = DEFAULT_TRACKER_TIMING,
): Pick<TrackerOptions, 'minHits' | 'coastFrames' | 'trackBuffer'> {
  return {
    minHits: framesFor(timing.confirmSeconds, fps / Math.max(1, everyNth)),
    coastFrames: framesFor(timing.coastSeconds, fps, 0),
    trackBuffer: framesFor(timing.bufferSeconds, fps),
  };
}

const TENTATIVE = 0;
const TRACKED = 1;
const LOST = 2;
const REMOVED = 3;

class TrackSlot {
  readonly mean = new Float64Array(8);
  readonly cov = new Float64Array(64);
  /** 0 while tentative. */
  id = 0;
  state = TENTATIVE;
  hits = 0;
  startFrame = 0;
  lastFrame = 0;
  /** Centre, height and time of the first and of the last matched detection (for re-linking). */
  firstX = 0;
  firstY = 0;
  firstH = 0;
  firstAt = 0;
  lastX = 0;
  lastY = 0;
  lastH = 0;
  lastAt = 0;
  /**
   * Two earlier sightings (centre, time): `refA` is between `directionSeconds` and twice that before
   * `refB`'s successor; the walking direction is from `refA` to the last sighting.
   */
  refAX = 0;
  refAY = 0;
  refAAt = 0;
  refBX = 0;
  refBY = 0;
  refBAt = 0;
  score = 0;
  /** Set by `Tracker.follow`: the previous box moved as seen in this frame, not yet applied. */
  followed = false;
  fx1 = 0;
  fy1 = 0;
  fx2 = 0;
  fy2 = 0;
  x1 = 0;
  y1 = 0;
  x2 = 0;
  y2 = 0;

  /** Recomputes the corner box from the filter state. */
  syncBox(): void {
    const m = this.mean;
    const h = m[3]!;
    const w = m[2]! * h;
    this.x1 = m[0]! - w / 2;
    this.y1 = m[1]! - h / 2;
    this.x2 = this.x1 + w;
    this.y2 = this.y1 + h;
  }
}

/** A detection side within this many px of the frame edge counts as cut by it. */
const EDGE_PX = 1;
/**
 * Speed (box heights per second) below which a track's direction is not trusted (box jitter over the
 * direction's time span looks like this much)...
 */
const MOVE_MIN = 0.2;
/** ... and from which it is fully trusted (a walker covers about 0.8 heights a second). */
const MOVE_FULL = 0.4;
/** Distance behind the last sighting (box heights) that costs the whole `directionWeight`. */
const BEHIND_FULL = 0.1;
/** Box heights ahead of or behind a lost walker's last place from which a re-link must walk the matching way. */
const RELINK_ALONG = 0.5;
/** Two followed boxes overlapping this much (IoU) after the shift... */
const CONVERGED_IOU = 0.3;
/** ... and this much more than before it, moved onto the same person. */
const CONVERGED_GAIN = 0.15;
/** A pair inside the gate stays just inside it whatever the direction adds. */
const IN_GATE = 0.999;

function iou(ax1: number, ay1: number, ax2: number, ay2: number, b: Float32Array, k: number): number {
  const bx1 = b[k]!;
  const by1 = b[k + 1]!;
  const bx2 = b[k + 2]!;
  const by2 = b[k + 3]!;
  const iw = Math.min(ax2, bx2) - Math.max(ax1, bx1);
  if (iw <= 0) return 0;
  const ih = Math.min(ay2, by2) - Math.max(ay1, by1);
  if (ih <= 0) return 0;
  const inter = iw * ih;
  const union = (ax2 - ax1) * (ay2 - ay1) + (bx2 - bx1) * (by2 - by1) - inter;
  return union > 0 ? inter / union : 0;
}

function boxIou(
  ax1: number,
  ay1: number,
  ax2: number,
  ay2: number,
  bx1: number,
  by1: number,
  bx2: number,
  by2: number,
): number {
  const iw = Math.min(ax2, bx2) - Math.max(ax1, bx1);
  const ih = Math.min(ay2, by2) - Math.max(ay1, by1);
  if (iw <= 0 || ih <= 0) return 0;
  const inter = iw * ih;
  return inter / ((ax2 - ax1) * (ay2 - ay1) + (bx2 - bx1) * (by2 - by1) - inter);
}

/** How far a followed shift strays from the track's filter velocity (px per frame). */
function stray(t: TrackSlot): number {
  return Math.hypot(
    (t.fx1 + t.fx2 - t.x1 - t.x2) / 2 - t.mean[4]!,
    (t.fy1 + t.fy2 - t.y1 - t.y2) / 2 - t.mean[5]!,
  );
}

function growI32(a: Int32Array<ArrayBuffer>, n: number): Int32Array<ArrayBuffer> {
  return a.length >= n ? a : new Int32Array(Math.max(n, a.length * 2));
}

export class Tracker {
  private opts: Readonly<TrackerOptions>;
  private readonly kf: KalmanFilter;
  private readonly solver = new AssignmentSolver();
  private tracks: TrackSlot[] = [];
  private spare: TrackSlot[] = [];
  private pendingEnded: number[] = [];
  private nextId = 1;
  private lastFrameIndex = Number.NaN;
  private now = 0;
  /** Size of the current frame; 0 while unknown (then edges are not handled: boxes are taken as they are). */
  private frameW = 0;
  private frameH = 0;

  // Reused per-frame buffers.
  private cost = new Float64Array(256);
  private rowToCol = new Int32Array(16);
  private colToRow = new Int32Array(16);
  private rowsIdx = new Int32Array(16);
  private highIdx = new Int32Array(16);
  private lowIdx = new Int32Array(16);
  private colsIdx = new Int32Array(16);
  private detUsed = new Uint8Array(16);
  /** A detection box made whole at the frame edge (`wholeBox`). */
  private readonly whole = new Float64Array(4);
  /** Walking directions (`walking`). */
  private readonly dirA = new Float64Array(2);
  private readonly dirB = new Float64Array(2);
  /** A box's shift from the previous frame (`BoxFollower.follow`). */
  private readonly shift = new Float64Array(2);
  /** Counts of `highIdx` / `lowIdx` filled by `splitByScore`. */
  private nHigh = 0;
  private nLow = 0;
  private readonly out: Tracks = {
    frameIndex: 0,
    at: 0,
    count: 0,
    ids: new Uint32Array(16),
    boxes: new Float32Array(64),
    scores: new Float32Array(16),
  };

  constructor(opts: Partial<TrackerOptions> = {}) {
    const o: TrackerOptions = { ...DEFAULT_TRACKER_OPTIONS, ...opts };
    if (!(o.minHits >= 1)) throw new RangeError('tracker minHits must be at least 1');
    if (!(o.trackBuffer >= 0)) throw new RangeError('tracker trackBuffer must be >= 0');
    if (!(o.lowThresh <= o.highThresh)) throw new RangeError('tracker lowThresh must be <= highThresh');
    this.opts = o;
    this.kf = new KalmanFilter(o.kalman);
  }

  get options(): Readonly<TrackerOptions> {
    return this.opts;
  }

  /** New tracks need `minHits` detection frames from now on (the engine changed its every-Nth). */
  setMinHits(minHits: number): void {
    if (!(minHits >= 1)) throw new RangeError('tracker minHits must be at least 1');
    this.opts = { ...this.opts, minHits };
  }

  /** Tracks alive in any state (tentative, tracked, lost). Returns to 0 once every track has ended. */
  get size(): number {
    return this.tracks.length;
  }

  /** Internal sizes, to check that nothing grows without bound over a long run. */
  stats(): {
    tracks: number;
    spareSlots: number;
    pendingEnded: number;
    nextId: number;
    bufferFloats: number;
  } {
    return {
      tracks: this.tracks.length,
      spareSlots: this.spare.length,
      pendingEnded: this.pendingEnded.length,
      nextId: this.nextId,
      bufferFloats: this.cost.length + this.out.boxes.length,
    };
  }

  /**
   * Moves ids of confirmed tracks that ended since the last call into `out` (appended) and returns it.
   * With `onEnded` set, ids go to the callback instead and this stays empty.
   */
  ended(out: number[] = []): number[] {
    for (const id of this.pendingEnded) out.push(id);
    this.pendingEnded.length = 0;
    return out;
  }

  /** Ends every track (confirmed ones are reported through `ended()` / `onEnded`); ids keep counting up. */
  reset(): void {
    for (const t of this.tracks) this.release(t, true);
    this.tracks.length = 0;
    this.lastFrameIndex = Number.NaN;
  }

  /**
   * Advances the tracker to `frameIndex`. `dets === null` means no detector ran on this frame: tracks are
   * only predicted, and confirmed tracks are output at their predicted place. Skipped frame indices are
   * predicted through. Only confirmed tracks are output, in no particular order. The returned object and
   * its arrays are owned by the tracker and reused: they are valid until the next `update` (copy what
   * must live longer). `frame`: the picture's size, so people cut by its edges are followed until they
   * have left (see the header); without it boxes are taken as they are. `motion`: where boxes moved
   * since the previous frame, seen in the pictures; each followed box corrects its track's filter
   * before the detections are matched (see `follow`).
   */
  update(
    dets: Detections | null,
    frameIndex: number,
    at: number,
    frame?: { readonly width: number; readonly height: number },
    motion?: BoxFollower,
  ): Tracks {
    if (frame && frame.width > 0 && frame.height > 0) {
      this.frameW = frame.width;
      this.frameH = frame.height;
    }
    const steps = Number.isNaN(this.lastFrameIndex)
      ? 1
      : Math.max(1, Math.min(frameIndex - this.lastFrameIndex, this.options.trackBuffer + 1));
    this.lastFrameIndex = frameIndex;
    this.now = at;
    const followed = motion && steps === 1 ? this.follow(motion) : 0;
    this.predictAll(steps);
    if (followed > 0) this.applyFollowed();
    if (dets !== null) this.associate(dets, frameIndex);
    this.expire(frameIndex);
    return this.emit(frameIndex, at);
  }

  /**
   * Asks `motion` where each tracked or tentative box of the previous frame went (lost ones are not
   * followed: nobody was seen there). Kept in the slot until `applyFollowed`; returns how many.
   */
  private follow(motion: BoxFollower): number {
    let n = 0;
    for (const t of this.tracks) {
      t.followed = false;
      if (t.state !== TRACKED && t.state !== TENTATIVE) continue;
      if (!motion.follow(t.x1, t.y1, t.x2, t.y2, this.shift)) continue;
      t.followed = true;
      t.fx1 = t.x1 + this.shift[0]!;
      t.fy1 = t.y1 + this.shift[1]!;
      t.fx2 = t.x2 + this.shift[0]!;
      t.fy2 = t.y2 + this.shift[1]!;
      n++;
    }
    if (n > 1 && this.options.dropConverging) n -= this.dropConverging();
    return n;
  }

  /**
   * Two followed boxes that moved onto each other: the searched middle of one box showed both people
   * and the match jumped to the other one. The box whose shift strays further from its filter's
   * velocity is not followed (its filter predicts it instead). Returns how many were dropped.
   */
  private dropConverging(): number {
    let dropped = 0;
    const tracks = this.tracks;
    for (let i = 0; i < tracks.length; i++) {
      const a = tracks[i]!;
      if (!a.followed) continue;
      for (let j = i + 1; j < tracks.length && a.followed; j++) {
        const b = tracks[j]!;
        if (!b.followed) continue;
        const after = boxIou(a.fx1, a.fy1, a.fx2, a.fy2, b.fx1, b.fy1, b.fx2, b.fy2);
        if (after < CONVERGED_IOU) continue;
        if (after - boxIou(a.x1, a.y1, a.x2, a.y2, b.x1, b.y1, b.x2, b.y2) < CONVERGED_GAIN) continue;
        const worse = stray(a) > stray(b) ? a : b;
        worse.followed = false;
        dropped++;
      }
    }
    return dropped;
  }

  /**
   * The followed centres as measurements of the predicted tracks (size kept as predicted): the
   * filter's velocity learns from them between detections. A detection on this frame, matched
   * afterwards, still has the last word.
   */
  private applyFollowed(): void {
    for (const t of this.tracks) {
      if (!t.followed) continue;
      t.followed = false;
      const m = t.mean;
      this.kf.update(m, t.cov, (t.fx1 + t.fx2) / 2, (t.fy1 + t.fy2) / 2, m[2]!, m[3]!);
      t.syncBox();
      if (this.options.detectionBox) {
        // Shown as the box of the previous frame moved along with the person.
        t.x1 = t.fx1;
        t.y1 = t.fy1;
        t.x2 = t.fx2;
        t.y2 = t.fy2;
      }
    }
  }

  private predictAll(steps: number): void {
    for (const t of this.tracks) {
      for (let s = 0; s < steps; s++) {
        if (t.state !== TRACKED) t.mean[7] = 0;
        this.kf.predict(t.mean, t.cov);
        if (t.mean[3]! < 1) {
          t.mean[3] = 1;
          t.mean[7] = 0;
        }
        if (t.mean[2]! < 0.01) {
          t.mean[2] = 0.01;
          t.mean[6] = 0;
        }
      }
      t.syncBox();
    }
  }

  private associate(dets: Detections, frame: number): void {
    this.splitByScore(dets);
    this.rowsIdx = growI32(this.rowsIdx, this.tracks.length);
    this.matchConfirmed(dets, frame);
    const nFree = this.matchTentative(dets, frame);
    this.spawnTracks(dets, nFree, frame);
    this.removeDuplicates(frame);
  }

  /** Sorts the valid detections into `highIdx[0..nHigh)` and `lowIdx[0..nLow)` by score; clears `detUsed`. */
  private splitByScore(dets: Detections): void {
    const o = this.options;
    const n = dets.count;
    const boxes = dets.boxes;
    const scores = dets.scores;
    this.highIdx = growI32(this.highIdx, n);
    this.lowIdx = growI32(this.lowIdx, n);
    if (this.detUsed.length < n) this.detUsed = new Uint8Array(Math.max(n, this.detUsed.length * 2));
    this.detUsed.fill(0, 0, n);
    let nHigh = 0;
    let nLow = 0;
    for (let d = 0; d < n; d++) {
      const s = scores[d]!;
      const k = d * 4;
      const w = boxes[k + 2]! - boxes[k]!;
      const h = boxes[k + 3]! - boxes[k + 1]!;
      if (!(w > 0 && h > 0) || !Number.isFinite(w + h + boxes[k]! + boxes[k + 1]!)) continue;
      if (s >= o.highThresh) this.highIdx[nHigh++] = d;
      else if (s >= o.lowThresh) this.lowIdx[nLow++] = d;
    }
    this.nHigh = nHigh;
    this.nLow = nLow;
  }

  /**
   * Stage 1: confirmed tracks (tracked and lost) against high-score detections. Stage 2: tracks still
   * unmatched and not lost, against low-score detections; those left become lost.
   */
  private matchConfirmed(dets: Detections, frame: number): void {
    const o = this.options;
    const nTracks = this.tracks.length;
    const rows = this.rowsIdx;
    let nRows = 0;
    for (let i = 0; i < nTracks; i++) {
      const st = this.tracks[i]!.state;
      if (st === TRACKED || st === LOST) rows[nRows++] = i;
    }
    const unmatched = this.match(
      rows,
      nRows,
      this.highIdx,
      this.nHigh,
      dets,
      o.matchThresh,
      o.fuseScore,
      frame,
    );

    let nRows2 = 0;
    for (let r = 0; r < unmatched; r++) {
      const i = rows[r]!;
      if (this.tracks[i]!.state === TRACKED) rows[nRows2++] = i;
    }
    const stillUnmatched = this.match(
      rows,
      nRows2,
      this.lowIdx,
      this.nLow,
      dets,
      o.secondMatchThresh,
      false,
      frame,
    );
    for (let r = 0; r < stillUnmatched; r++) this.tracks[rows[r]!]!.state = LOST;
  }

  /**
   * Stage 3: tentative tracks against the high-score detections left (compacted to the front of
   * `highIdx`; returns their count); unmatched tentative tracks are removed.
   */
  private matchTentative(dets: Detections, frame: number): number {
    const o = this.options;
    const nTracks = this.tracks.length;
    const rows = this.rowsIdx;
    let nFree = 0;
    for (let h = 0; h < this.nHigh; h++) {
      const d = this.highIdx[h]!;
      if (!this.detUsed[d]) this.highIdx[nFree++] = d;
    }
    let nTent = 0;
    for (let i = 0; i < nTracks; i++) if (this.tracks[i]!.state === TENTATIVE) rows[nTent++] = i;
    const tentLeft = this.match(
      rows,
      nTent,
      this.highIdx,
      nFree,
      dets,
      o.tentativeMatchThresh,
      o.fuseScore,
      frame,
    );
    for (let r = 0; r < tentLeft; r++) this.tracks[rows[r]!]!.state = REMOVED;
    return nFree;
  }

  /** New tentative tracks from confident detections in `highIdx[0..nFree)` nobody claimed. */
  private spawnTracks(dets: Detections, nFree: number, frame: number): void {
    const o = this.options;
    const boxes = dets.boxes;
    const scores = dets.scores;
    for (let h = 0; h < nFree; h++) {
      const d = this.highIdx[h]!;
      if (this.detUsed[d] || scores[d]! < o.newTrackThresh) continue;
      const t = this.spare.pop() ?? new TrackSlot();
      const k = d * 4;
      const x1 = boxes[k]!;
      const y1 = boxes[k + 1]!;
      const w = boxes[k + 2]! - x1;
      const hh = boxes[k + 3]! - y1;
      this.kf.initiate(x1 + w / 2, y1 + hh / 2, w / hh, hh, t.mean, t.cov);
      t.syncBox();
      t.id = 0;
      t.state = TENTATIVE;
      t.hits = 1;
      t.startFrame = frame;
      t.lastFrame = frame;
      t.firstX = t.lastX = x1 + w / 2;
      t.firstY = t.lastY = y1 + hh / 2;
      t.firstH = t.lastH = hh;
      t.firstAt = t.lastAt = this.now;
      t.refAX = t.refBX = t.firstX;
      t.refAY = t.refBY = t.firstY;
      t.refAAt = t.refBAt = this.now;
      t.score = scores[d]!;
      if (o.minHits <= 1) this.confirm(t);
      this.tracks.push(t);
    }
  }

  /**
   * Assigns the tracks `rows[0..nRows)` to the detections `cols[0..nCols)` that are not yet used,
   * updates the matched tracks, and compacts the unmatched tracks to the front of `rows`. Returns their
   * count.
   */
  private match(
    rows: Int32Array,
    nRows: number,
    cols: Int32Array,
    nColsAll: number,
    dets: Detections,
    limit: number,
    fuse: boolean,
    frame: number,
  ): number {
    if (nRows === 0) return 0;
    // Columns still free.
    this.colsIdx = growI32(this.colsIdx, nColsAll);
    const cIdx = this.colsIdx;
    let nCols = 0;
    for (let c = 0; c < nColsAll; c++) {
      const d = cols[c]!;
      if (!this.detUsed[d]) cIdx[nCols++] = d;
    }
    if (nCols === 0) return nRows;
    const size = nRows * nCols;
    if (this.cost.length < size) this.cost = new Float64Array(Math.max(size, this.cost.length * 2));
    this.rowToCol = growI32(this.rowToCol, nRows);
    this.colToRow = growI32(this.colToRow, nCols);
    const cost = this.cost;
    const boxes = dets.boxes;
    const scores = dets.scores;
    for (let r = 0; r < nRows; r++) {
      const t = this.tracks[rows[r]!]!;
      for (let c = 0; c < nCols; c++) {
        const d = cIdx[c]!;
        let sim = this.visibleIou(t, boxes, d * 4);
        if (fuse) sim *= scores[d]!;
        const base = 1 - sim;
        // The direction only ranks pairs inside the gate; it never gates one out.
        cost[r * nCols + c] =
          base < limit
            ? Math.max(base, Math.min(base + this.directionCost(t, boxes, d * 4), IN_GATE * limit))
            : base;
      }
    }
    this.solver.solveWithLimit(cost, nRows, nCols, limit, this.rowToCol, this.colToRow);
    let left = 0;
    for (let r = 0; r < nRows; r++) {
      const i = rows[r]!;
      const c = this.rowToCol[r]!;
      if (c < 0) {
        rows[left++] = i;
        continue;
      }
      const d = cIdx[c]!;
      this.detUsed[d] = 1;
      this.applyMatch(this.tracks[i]!, dets, d, frame);
    }
    return left;
  }

  /**
   * Detection box `k` as the whole person: a side cut by the frame edge, where the track reaches past
   * it, keeps the track's size and is placed by the side in view, so the filter sees the person, not
   * the cut (a person walking out keeps their size and speed instead of shrinking and slowing).
   */
  private wholeBox(t: TrackSlot, b: Float32Array, k: number): Float64Array {
    const u = this.whole;
    u[0] = b[k]!;
    u[1] = b[k + 1]!;
    u[2] = b[k + 2]!;
    u[3] = b[k + 3]!;
    if (this.frameW === 0) return u;
    const tw = t.x2 - t.x1;
    const th = t.y2 - t.y1;
    if (u[0]! <= EDGE_PX && t.x1 < u[0]!) u[0] = Math.min(u[0]!, u[2]! - tw);
    else if (u[2]! >= this.frameW - EDGE_PX && t.x2 > u[2]!) u[2] = Math.max(u[2]!, u[0]! + tw);
    if (u[1]! <= EDGE_PX && t.y1 < u[1]!) u[1] = Math.min(u[1]!, u[3]! - th);
    else if (u[3]! >= this.frameH - EDGE_PX && t.y2 > u[3]!) u[3] = Math.max(u[3]!, u[1]! + th);
    return u;
  }

  private applyMatch(t: TrackSlot, dets: Detections, d: number, frame: number): void {
    const u = this.wholeBox(t, dets.boxes, d * 4);
    const x1 = u[0]!;
    const y1 = u[1]!;
    const w = u[2]! - x1;
    const h = u[3]! - y1;
    this.kf.update(t.mean, t.cov, x1 + w / 2, y1 + h / 2, w / h, h);
    t.syncBox();
    if (this.options.detectionBox) {
      // Shown where the detector saw the person (made whole at the edge; cut again on output).
      t.x1 = x1;
      t.y1 = y1;
      t.x2 = x1 + w;
      t.y2 = y1 + h;
    }
    t.score = dets.scores[d]!;
    t.lastFrame = frame;
    this.keepDirection(t, x1 + w / 2, y1 + h / 2);
    t.lastX = x1 + w / 2;
    t.lastY = y1 + h / 2;
    t.lastH = h;
    t.lastAt = this.now;
    t.hits++;
    if (t.state === TENTATIVE) {
      if (t.hits >= this.options.minHits) this.confirm(t);
    } else {
      t.state = TRACKED;
    }
  }

  /** Moves the direction's reference sightings along before sighting (x, y) becomes the last one. */
  private keepDirection(t: TrackSlot, x: number, y: number): void {
    if (this.now - t.refBAt < this.options.directionSeconds * 1000) return;
    t.refAX = t.refBX;
    t.refAY = t.refBY;
    t.refAAt = t.refBAt;
    t.refBX = x;
    t.refBY = y;
    t.refBAt = this.now;
  }

  /**
   * Extra cost of giving detection `k` to track `t` when it lies behind the track's last sighting,
   * against the way the person walks: grows with how far behind (full at `BEHIND_FULL` box heights)
   * and with how clearly the track moved (none below `MOVE_MIN` heights, full from `MOVE_FULL`).
   */
  private directionCost(t: TrackSlot, b: Float32Array, k: number): number {
    const weight = this.options.directionWeight;
    if (!(weight > 0)) return 0;
    // A direction over less than `directionSeconds` is mostly the detector's jitter.
    if (t.lastAt - t.refAAt < this.options.directionSeconds * 1000) return 0;
    const trust = this.walking(t, this.dirA);
    if (!(trust > 0)) return 0;
    // Measured on the box made whole at the frame edge, as the last sighting was: a person walking
    // out of the frame is otherwise seen behind their own last sighting.
    const u = this.wholeBox(t, b, k);
    const cx = (u[0]! + u[2]!) / 2;
    const cy = (u[1]! + u[3]!) / 2;
    const behind = -((cx - t.lastX) * this.dirA[0]! + (cy - t.lastY) * this.dirA[1]!) / t.lastH;
    if (!(behind > 0)) return 0;
    return weight * trust * Math.min(1, behind / BEHIND_FULL);
  }

  /**
   * The way `t` walks, as a unit vector into `out`; returns how far it is trusted (0 for a person
   * standing or barely moving, 1 for a clear walk; see `MOVE_MIN`, `MOVE_FULL`).
   */
  private walking(t: TrackSlot, out: Float64Array): number {
    if (!(t.lastH > 0)) return 0;
    const dx = t.lastX - t.refAX;
    const dy = t.lastY - t.refAY;
    const moved = Math.hypot(dx, dy);
    const seconds = (t.lastAt - t.refAAt) / 1000;
    if (!(seconds > 0)) return 0;
    const trust = (moved / t.lastH / seconds - MOVE_MIN) / (MOVE_FULL - MOVE_MIN);
    if (!(trust > 0)) return 0;
    out[0] = dx / moved;
    out[1] = dy / moved;
    return Math.min(1, trust);
  }

  /**
   * Whether re-linking new track `t` to `lost` needs the person to have turned round twice: both walk
   * clearly, and `t` starts well ahead of where `lost` was last seen yet walks back towards it, or
   * starts well behind yet walks on the same way. One turn (a person who went back the way they came)
   * is allowed.
   */
  private twoTurns(lost: TrackSlot, t: TrackSlot): boolean {
    if (!(this.options.directionWeight > 0)) return false;
    if (this.walking(lost, this.dirA) < 1 || this.walking(t, this.dirB) < 1) return false;
    const a = this.dirA;
    const along = ((t.firstX - lost.lastX) * a[0]! + (t.firstY - lost.lastY) * a[1]!) / lost.lastH;
    const sameWay = a[0]! * this.dirB[0]! + a[1]! * this.dirB[1]! > 0;
    if (along > RELINK_ALONG) return !sameWay;
    if (along < -RELINK_ALONG) return sameWay;
    return false;
  }

  private confirm(t: TrackSlot): void {
    t.state = TRACKED;
    const lost = this.relinkCandidate(t);
    if (lost) {
      // The same person seen again: the new track carries on their id; the lost slot goes unreported.
      t.id = lost.id;
      t.startFrame = lost.startFrame;
      lost.id = 0;
      lost.state = REMOVED;
      return;
    }
    t.id = this.nextId++;
    if (this.nextId > 0xffffffff) this.nextId = 1;
  }

  /** The nearest lost track within the re-link gate that `relinkCheck` accepts for the new track `t`. */
  private relinkCandidate(t: TrackSlot): TrackSlot | undefined {
    const { relinkSpeed, relinkCheck } = this.options;
    if (!(relinkSpeed > 0)) return undefined;
    let best: TrackSlot | undefined;
    let bestDistance = Number.POSITIVE_INFINITY;
    for (const lost of this.tracks) {
      if (lost.state !== LOST || lost.id === 0 || lost.lastFrame >= t.startFrame) continue;
      const ratio = lost.lastH / t.firstH;
      if (ratio > 1.5 || ratio < 1 / 1.5) continue;
      const seconds = Math.max(0, t.firstAt - lost.lastAt) / 1000;
      const distance =
        Math.hypot(t.firstX - lost.lastX, t.firstY - lost.lastY) / ((lost.lastH + t.firstH) / 2);
      if (distance > 0.5 + relinkSpeed * seconds || distance >= bestDistance) continue;
      if (this.twoTurns(lost, t)) continue;
      if (relinkCheck && !relinkCheck(lost.id, t.x1, t.y1, t.x2, t.y2)) continue;
      best = lost;
      bestDistance = distance;
    }
    return best;
  }

  /** ByteTrack's `remove_duplicate_stracks`: a lost track sitting on a tracked one; the younger goes. */
  private removeDuplicates(frame: number): void {
    const limit = this.options.duplicateIou;
    if (limit >= 1) return;
    const tracks = this.tracks;
    for (const lost of tracks) {
      if (lost.state !== LOST) continue;
      for (const tr of tracks) {
        if (tr.state !== TRACKED || tr.id === 0) continue;
        const w = lost.x2 - lost.x1;
        const h = lost.y2 - lost.y1;
        const ix = Math.min(lost.x2, tr.x2) - Math.max(lost.x1, tr.x1);
        const iy = Math.min(lost.y2, tr.y2) - Math.max(lost.y1, tr.y1);
        if (ix <= 0 || iy <= 0) continue;
        const inter = ix * iy;
        const overlap = inter / (w * h + (tr.x2 - tr.x1) * (tr.y2 - tr.y1) - inter);
        if (overlap <= limit) continue;
        if (lost.lastFrame - lost.startFrame > frame - tr.startFrame) tr.state = REMOVED;
        else {
          lost.state = REMOVED;
          break;
        }
      }
    }
  }

  /** Ends lost tracks past the buffer and frees every removed slot. */
  private expire(frame: number): void {
    const tracks = this.tracks;
    const buffer = this.options.trackBuffer;
    let w = 0;
    for (let i = 0; i < tracks.length; i++) {
      const t = tracks[i]!;
      if ((t.state === LOST || t.state === TENTATIVE) && frame - t.lastFrame > buffer) t.state = REMOVED;
      if (t.state === LOST && this.outside(t)) t.state = REMOVED; // walked out of the picture
      if (t.state === REMOVED) this.release(t, true);
      else tracks[w++] = t;
    }
    tracks.length = w;
  }

  /**
   * IoU of the track's visible part (its box cut at the frame edge: a person walking out is detected
   * only as far as the edge) with detection box `k`; the whole box when none of it is in the frame.
   */
  private visibleIou(t: TrackSlot, b: Float32Array, k: number): number {
    const x1 = Math.max(0, t.x1);
    const y1 = Math.max(0, t.y1);
    const x2 = Math.min(this.frameW, t.x2);
    const y2 = Math.min(this.frameH, t.y2);
    if (this.frameW > 0 && x2 > x1 && y2 > y1) return iou(x1, y1, x2, y2, b, k);
    return iou(t.x1, t.y1, t.x2, t.y2, b, k);
  }

  /** Writes the track's box cut at the frame edge (what is in view), or whole when none of it is. */
  private writeVisible(t: TrackSlot, out: Float32Array, k: number): void {
    const x1 = Math.max(0, t.x1);
    const y1 = Math.max(0, t.y1);
    const x2 = Math.min(this.frameW, t.x2);
    const y2 = Math.min(this.frameH, t.y2);
    const inView = this.frameW > 0 && x2 > x1 && y2 > y1;
    out[k] = inView ? x1 : t.x1;
    out[k + 1] = inView ? y1 : t.y1;
    out[k + 2] = inView ? x2 : t.x2;
    out[k + 3] = inView ? y2 : t.y2;
  }

  /** Whether the track's box lies wholly outside the frame. */
  private outside(t: TrackSlot): boolean {
    if (this.frameW === 0) return false;
    return t.x2 <= 0 || t.y2 <= 0 || t.x1 >= this.frameW || t.y1 >= this.frameH;
  }

  private release(t: TrackSlot, report: boolean): void {
    if (report && t.id !== 0) {
      const cb = this.options.onEnded;
      if (cb) cb(t.id, t.lastFrame);
      else {
        this.pendingEnded.push(t.id);
        if (this.pendingEnded.length > this.options.maxPendingEnded) this.pendingEnded.shift();
      }
    }
    t.id = 0;
    t.state = REMOVED;
    t.hits = 0;
    if (this.spare.length < this.options.maxSpareSlots) this.spare.push(t);
  }

  private visible(t: TrackSlot, frame: number): boolean {
    if (t.id === 0) return false;
    return t.state === TRACKED || (t.state === LOST && frame - t.lastFrame <= this.options.coastFrames);
  }

  private emit(frame: number, at: number): Tracks {
    const out = this.out;
    let n = 0;
    for (const t of this.tracks) if (this.visible(t, frame)) n++;
    if (out.ids.length < n) {
      const cap = Math.max(n, out.ids.length * 2);
      out.ids = new Uint32Array(cap);
      out.boxes = new Float32Array(cap * 4);
      out.scores = new Float32Array(cap);
    }
    let k = 0;
    for (const t of this.tracks) {
      if (!this.visible(t, frame)) continue;
      out.ids[k] = t.id;
      // Score 0: a lost person shown at their predicted place, not seen on this frame (`coastFrames`).
      out.scores[k] = t.state === TRACKED ? t.score : 0;
      this.writeVisible(t, out.boxes, k * 4);
      k++;
    }
    out.count = n;
    out.frameIndex = frame;
    out.at = at;
    return out;
  }
}
