// Where a person's box moved from the previous frame to this one, looked up in the pictures: the
// middle of the box (head and torso, not the swinging legs) is searched for near its old place in a
// small grey copy of the frame (normalised template matching). With every-Nth detection the tracker
// otherwise only extrapolates between detections, and a constant-velocity guess drifts off a person
// who turns, stops or starts (docs/benchmarks.md, "Speed on a small box"). A few hundred microseconds
// per box on the small copy; the frame is already decoded.
import type { CV, Mat } from '../cv.ts';

export interface BoxMotionOptions {
  /** Frames per second of the source: the search reaches as far as a person moves in one frame. */
  fps: number;
  /** The frame is shrunk to at most this many pixels wide before searching. Default 384. */
  maxWidth?: number;
  /**
   * Fastest movement looked for, in box heights per second (a walking person covers about 0.8,
   * a running one about 2). Default 2.
   */
  heightsPerSecond?: number;
  /** Least normalised correlation (-1..1) of the best place for the shift to be trusted. Default 0.6. */
  minScore?: number;
}

/** What the tracker asks: where did the box (x1, y1, x2, y2) of the previous frame go in this frame? */
export interface BoxFollower {
  /**
   * Writes the shift (dx, dy) in frame pixels into `out[0]`, `out[1]` and returns true; false when
   * it cannot tell (no previous frame, the box is too small or out of view, no place looks alike).
   */
  follow(x1: number, y1: number, x2: number, y2: number, out: Float64Array): boolean;
}

/** The middle of the box that is searched for, as shares of its width and height. */
const PART_X0 = 0.2;
const PART_X1 = 0.8;
const PART_Y0 = 0.05;
const PART_Y1 = 0.65;
/** Smallest searched part, in pixels of the small copy: below this a match means little. */
const MIN_PART_PX = 4;
/** Least spread of grey levels in the searched part: a flat part matches everywhere alike. */
const MIN_PART_STDDEV = 3;

export class BoxMotion implements BoxFollower {
  private prev: Mat | null = null;
  private cur: Mat | null = null;
  private scale = 1;
  private readonly maxWidth: number;
  private readonly reach: number;
  private readonly minScore: number;

  constructor(
    private readonly cv: CV,
    options: BoxMotionOptions,
  ) {
    if (!(options.fps > 0))
      throw new RangeError(`box motion needs a positive frame rate, got ${options.fps}`);
    this.maxWidth = options.maxWidth ?? 384;
    this.reach = (options.heightsPerSecond ?? 2) / options.fps;
    this.minScore = options.minScore ?? 0.6;
  }

  /** The frame the next `follow` calls look in; the one given before becomes the previous frame. */
  setFrame(frame: Mat): void {
    this.prev?.release();
    this.prev = this.cur;
    this.cur = null;
    if (frame.empty) return;
    this.scale = Math.min(1, this.maxWidth / frame.cols);
    const grey = frame.channels === 3 ? frame.cvtColor(this.cv.COLOR_BGR2GRAY) : frame.copy();
    if (this.scale === 1) {
      this.cur = grey;
      return;
    }
    this.cur = grey.resize(
      Math.round(frame.rows * this.scale),
      Math.round(frame.cols * this.scale),
      0,
      0,
      this.cv.INTER_AREA,
    );
    grey.release();
  }

  /** Forgets both frames (after a gap in the video nothing moves from the old one). */
  reset(): void {
    this.prev?.release();
    this.cur?.release();
    this.prev = null;
    this.cur = null;
  }

  follow(x1: number, y1: number, x2: number, y2: number, out: Float64Array): boolean {
    const prev = this.prev;
    const cur = this.cur;
    if (!prev || !cur || prev.cols !== cur.cols || prev.rows !== cur.rows) return false;
    const s = this.scale;
    const w = (x2 - x1) * s;
    const h = (y2 - y1) * s;
    // The searched part, in the small copy, kept inside it.
    const px0 = Math.max(0, Math.round(x1 * s + PART_X0 * w));
    const px1 = Math.min(cur.cols, Math.round(x1 * s + PART_X1 * w));
    const py0 = Math.max(0, Math.round(y1 * s + PART_Y0 * h));
    const py1 = Math.min(cur.rows, Math.round(y1 * s + PART_Y1 * h));
    if (px1 - px0 < MIN_PART_PX || py1 - py0 < MIN_PART_PX) return false;
    const r = Math.max(2, Math.ceil(this.reach * h));
    const sx0 = Math.max(0, px0 - r);
    const sy0 = Math.max(0, py0 - r);
    const sx1 = Math.min(cur.cols, px1 + r);
    const sy1 = Math.min(cur.rows, py1 + r);
    const cv = this.cv;
    // Regions share the frames' pixels: released at once, or each keeps its frame alive until the
    // garbage collector gets to it (V8 does not see Mat memory, see ../cv.ts).
    const part = prev.getRegion(new cv.Rect(px0, py0, px1 - px0, py1 - py0));
    const { mean, stddev } = part.meanStdDev();
    const flat = stddev.at(0, 0) < MIN_PART_STDDEV;
    mean.release();
    stddev.release();
    if (flat) {
      part.release();
      return false;
    }
    const area = cur.getRegion(new cv.Rect(sx0, sy0, sx1 - sx0, sy1 - sy0));
    const scores = area.matchTemplate(part, cv.TM_CCOEFF_NORMED);
    part.release();
    area.release();
    const best = scores.minMaxLoc();
    scores.release();
    if (!(best.maxVal >= this.minScore)) return false;
    out[0] = (sx0 + best.maxLoc.x - px0) / s;
    out[1] = (sy0 + best.maxLoc.y - py0) / s;
    return true;
  }

  /** Frees the frames kept. */
  close(): void {
    this.reset();
  }
}
