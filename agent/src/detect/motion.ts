// Cheap frame differencing on a small grayscale copy, to skip detection when nothing moved.
import type { CV, Mat } from '../cv.ts';

export interface MotionGateOptions {
  /** Width of the grayscale copy that is compared; the height keeps the aspect ratio. Default 160. */
  width?: number;
  /** Grey-level change (0-255) above which a pixel counts as changed. Default 25. */
  pixelThreshold?: number;
  /** Fraction of changed pixels (0..1) above which the frame counts as moved. Default 0.001. */
  minChangedFraction?: number;
  /**
   * Reports movement anyway after this many still frames in a row, so detections get refreshed now
   * and then even in a still scene (someone standing). 0 = never. Default 0.
   */
  maxStillFrames?: number;
}

/**
 * Compares each frame with the previous one at low resolution. The first frame always counts as moved.
 * The binding has no output-argument variants of resize / cvtColor / absdiff, so intermediates are
 * released as soon as they are used, and the small grey copy of the previous frame is the only Mat
 * kept between calls.
 */
export class MotionGate {
  /** Fraction of changed pixels measured on the last call (1 for the first frame). */
  lastChangedFraction = 1;
  private readonly width: number;
  private readonly pixelThreshold: number;
  private readonly minChangedFraction: number;
  private readonly maxStillFrames: number;
  private previous: Mat | null = null;
  private stillFrames = 0;

  constructor(
    private readonly cv: CV,
    options: MotionGateOptions = {},
  ) {
    this.width = options.width ?? 160;
    this.pixelThreshold = options.pixelThreshold ?? 25;
    this.minChangedFraction = options.minChangedFraction ?? 0.001;
    this.maxStillFrames = options.maxStillFrames ?? 0;
    if (!(this.width >= 8)) throw new Error(`motion gate width must be >= 8, got ${this.width}`);
  }

  /** True when `frame` differs enough from the previous frame given to this gate. */
  moved(frame: Mat): boolean {
    const cv = this.cv;
    const w = Math.min(this.width, frame.cols);
    const h = Math.max(1, Math.round((frame.rows * w) / frame.cols));
    const small = frame.resize(h, w, 0, 0, cv.INTER_AREA);
    const gray = small.channels === 1 ? small : small.cvtColor(cv.COLOR_BGR2GRAY);
    if (gray !== small) small.release();
    const prev = this.previous;
    this.previous = gray;
    if (!prev || prev.rows !== gray.rows || prev.cols !== gray.cols) {
      prev?.release();
      this.lastChangedFraction = 1;
      this.stillFrames = 0;
      return true;
    }
    const diff = gray.absdiff(prev);
    prev.release();
    const mask = diff.threshold(this.pixelThreshold, 255, cv.THRESH_BINARY);
    diff.release();
    const changed = mask.countNonZero();
    mask.release();
    this.lastChangedFraction = changed / (w * h);
    if (this.lastChangedFraction > this.minChangedFraction) {
      this.stillFrames = 0;
      return true;
    }
    this.stillFrames++;
    if (this.maxStillFrames > 0 && this.stillFrames > this.maxStillFrames) {
      this.stillFrames = 0;
      return true;
    }
    return false;
  }

  /** Forgets the previous frame (after a seek or a reconnect). */
  reset(): void {
    this.previous?.release();
    this.previous = null;
    this.stillFrames = 0;
  }

  close(): void {
    this.reset();
  }
}
