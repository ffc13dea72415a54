// Which person heights a detector should search for in the next frame: every size while it calibrates
// (the first seconds, and until anyone is seen), then the range of heights actually seen, with a
// margin, re-checked with a wide search every few seconds. Shared by HOG (pyramid levels) and YOLOX
// (input size).
import type { Detections } from '../types.ts';
import { PersonSizes } from './person-sizes.ts';

export interface SizeCalibrationOptions {
  /** Search every size for this long after the first frame. Default 3 s. */
  calibrationSeconds: number;
  /**
   * One frame searched at every size this often, so people outside the range (someone much closer or
   * farther than anyone so far) are noticed; one found starts a new calibration. Default 10 s.
   */
  recheckSeconds: number;
  /** Heights older than this are forgotten, so the range follows the scene. Default 30 s. */
  windowSeconds: number;
  /** The range is the low .. high quantile of the heights seen, widened by `margin` on each side. */
  lowQuantile: number;
  highQuantile: number;
  /** Factor the range is widened by on each side (1.3: 30 % smaller and larger people). Default 1.3. */
  margin: number;
  /** A detection scoring at least this counts as a person seen. */
  minScore: number;
  /** Seconds between recomputations of the range (it sorts the heights seen). Default 1. */
  updateSeconds: number;
}

export const DEFAULT_SIZE_CALIBRATION: SizeCalibrationOptions = Object.freeze({
  calibrationSeconds: 3,
  recheckSeconds: 10,
  windowSeconds: 30,
  lowQuantile: 0.02,
  highQuantile: 0.98,
  margin: 1.3,
  minScore: 0.5,
  updateSeconds: 1,
});

/**
 * Call `wide(at)` before each detection to learn whether to search every size (true) or only
 * `low` .. `high` px tall people, then `observe(dets, at)` with what was found.
 */
export class SizeCalibration {
  readonly options: Readonly<SizeCalibrationOptions>;
  readonly sizes: PersonSizes;
  /** Smallest and largest person height (px) to search for when not wide; NaN until people are seen. */
  low = Number.NaN;
  high = Number.NaN;
  private startAt = Number.NaN;
  private lastWideAt = Number.NEGATIVE_INFINITY;
  private wideUntil = Number.NEGATIVE_INFINITY;
  private updatedAt = Number.NEGATIVE_INFINITY;
  private lastWasWide = true;

  constructor(options: Partial<SizeCalibrationOptions> = {}) {
    const o = { ...DEFAULT_SIZE_CALIBRATION, ...options };
    if (!(o.margin >= 1)) throw new RangeError(`margin must be >= 1, got ${o.margin}`);
    if (!(o.lowQuantile >= 0 && o.lowQuantile <= o.highQuantile && o.highQuantile <= 1))
      throw new RangeError('quantiles must satisfy 0 <= lowQuantile <= highQuantile <= 1');
    this.options = o;
    this.sizes = new PersonSizes({ windowSeconds: o.windowSeconds });
  }

  /** Whether the frame at `at` ms should be searched at every size. */
  wide(at: number): boolean {
    if (Number.isNaN(this.startAt)) this.startAt = at;
    const o = this.options;
    const w =
      at - this.startAt < o.calibrationSeconds * 1000 ||
      Number.isNaN(this.low) ||
      at < this.wideUntil ||
      at - this.lastWideAt >= o.recheckSeconds * 1000;
    if (w) this.lastWideAt = at;
    this.lastWasWide = w;
    return w;
  }

  /**
   * Records the detections of the frame at `at` ms, searched at every size when `wasWide` (default:
   * what the last `wide()` said; ./calibration-turns.ts passes the frame's own). With the frame's
   * height, boxes cut by its top or bottom edge do not count.
   */
  observe(dets: Detections, at: number, frameHeight = 0, wasWide = this.lastWasWide): void {
    const o = this.options;
    if (wasWide && !Number.isNaN(this.low) && this.outsideRange(dets, frameHeight)) {
      // Someone the narrowed search would miss: search wide again until their size is known.
      this.wideUntil = at + o.calibrationSeconds * 1000;
    }
    this.sizes.addDetections(dets, at, o.minScore, frameHeight);
    if (at - this.updatedAt < o.updateSeconds * 1000 && !Number.isNaN(this.low)) return;
    const lo = this.sizes.heightQuantile(o.lowQuantile, at);
    if (Number.isNaN(lo)) return; // nobody seen lately: keep the last range
    this.updatedAt = at;
    this.low = lo / o.margin;
    this.high = this.sizes.heightQuantile(o.highQuantile, at) * o.margin;
  }

  private outsideRange(dets: Detections, frameHeight: number): boolean {
    const b = dets.boxes;
    for (let d = 0; d < dets.count; d++) {
      if (dets.scores[d]! < this.options.minScore) continue;
      const y1 = b[d * 4 + 1]!;
      const y2 = b[d * 4 + 3]!;
      if (frameHeight > 0 && (y1 < 1 || y2 > frameHeight - 1)) continue;
      if (y2 - y1 < this.low || y2 - y1 > this.high) return true;
    }
    return false;
  }
}
