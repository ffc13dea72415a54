// Heights (and scores) of the people a detector found with confidence, over the last seconds: the
// statistics the detectors size their search from (HOG's pyramid, YOLOX's input) and the camera check
// reports ("people are about 120 px tall").
import type { Detections } from '../types.ts';

export interface PersonSizesOptions {
  /** Detections older than this many seconds are forgotten. Default 60. */
  windowSeconds: number;
  /**
   * Most detections remembered; past it the oldest go first, so a crowded scene remembers a shorter
   * time. Default 4096 (e.g. 10 people at 7 frames/s for a minute).
   */
  capacity: number;
}

export const DEFAULT_PERSON_SIZES: PersonSizesOptions = Object.freeze({ windowSeconds: 60, capacity: 4096 });

/**
 * Rolling statistics of confident detections, in frame pixels, over a time window (not a frame
 * count, so they mean the same at any frame rate or every-Nth setting). Usage:
 *
 *   const sizes = new PersonSizes();
 *   sizes.addDetections(dets, frame.at, 0.5);   // after each detection
 *   sizes.heightQuantile(0.5, frame.at);       // typical person height in px (NaN: nobody seen)
 *
 * Times are milliseconds on any clock that only moves forward (`Frame.at`, `performance.now()`).
 * No allocation per call once built: samples live in ring buffers, quantiles sort a reused scratch.
 */
export class PersonSizes {
  readonly options: Readonly<PersonSizesOptions>;
  private readonly at: Float64Array;
  private readonly heights: Float32Array;
  private readonly scores: Float32Array;
  private readonly scratch: Float32Array;
  /** Oldest sample and number of samples in the ring. */
  private head = 0;
  private size = 0;

  constructor(options: Partial<PersonSizesOptions> = {}) {
    const o = { ...DEFAULT_PERSON_SIZES, ...options };
    if (!(o.windowSeconds > 0)) throw new RangeError(`windowSeconds must be > 0, got ${o.windowSeconds}`);
    if (!(Number.isInteger(o.capacity) && o.capacity >= 1))
      throw new RangeError(`capacity must be a whole number >= 1, got ${o.capacity}`);
    this.options = o;
    this.at = new Float64Array(o.capacity);
    this.heights = new Float32Array(o.capacity);
    this.scores = new Float32Array(o.capacity);
    this.scratch = new Float32Array(o.capacity);
  }

  /** Records one person of `height` px with detector score `score`, seen at `at` ms. */
  add(at: number, height: number, score: number): void {
    if (!(height > 0) || !Number.isFinite(height)) return;
    const cap = this.at.length;
    const i = (this.head + this.size) % cap;
    this.at[i] = at;
    this.heights[i] = height;
    this.scores[i] = score;
    if (this.size < cap) this.size++;
    else this.head = (this.head + 1) % cap;
  }

  /**
   * Records every detection scoring at least `minScore`; returns how many were added. With the frame's
   * height given, boxes cut by the top or bottom edge are left out (their height is not the person's).
   */
  addDetections(dets: Detections, at: number, minScore: number, frameHeight = 0): number {
    let n = 0;
    const b = dets.boxes;
    for (let d = 0; d < dets.count; d++) {
      const s = dets.scores[d]!;
      const y1 = b[d * 4 + 1]!;
      const y2 = b[d * 4 + 3]!;
      if (s < minScore || (frameHeight > 0 && (y1 < 1 || y2 > frameHeight - 1))) continue;
      this.add(at, y2 - y1, s);
      n++;
    }
    return n;
  }

  /** Number of detections within the window that ends at `now`. */
  count(now: number): number {
    this.expire(now);
    return this.size;
  }

  /** The `q` quantile (0..1) of the heights in the window, in px; NaN when the window is empty. */
  heightQuantile(q: number, now: number): number {
    return this.quantile(this.heights, q, now);
  }

  /** The `q` quantile (0..1) of the scores in the window; NaN when the window is empty. */
  scoreQuantile(q: number, now: number): number {
    return this.quantile(this.scores, q, now);
  }

  /** Forgets everything (a new camera view). */
  clear(): void {
    this.head = 0;
    this.size = 0;
  }

  private expire(now: number): void {
    const oldest = now - this.options.windowSeconds * 1000;
    const cap = this.at.length;
    while (this.size > 0 && this.at[this.head]! < oldest) {
      this.head = (this.head + 1) % cap;
      this.size--;
    }
  }

  private quantile(values: Float32Array, q: number, now: number): number {
    this.expire(now);
    const n = this.size;
    if (n === 0) return Number.NaN;
    const cap = values.length;
    const first = Math.min(n, cap - this.head);
    this.scratch.set(values.subarray(this.head, this.head + first), 0);
    if (first < n) this.scratch.set(values.subarray(0, n - first), first);
    const sorted = this.scratch.subarray(0, n).sort();
    const k = Math.min(n - 1, Math.max(0, Math.round(q * (n - 1))));
    return sorted[k]!;
  }
}
