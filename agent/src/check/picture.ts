// Light and movement of the picture, sampled twice per second of video on a small grey copy.
import type { CV, Mat } from '../cv.ts';
import { MotionGate } from '../detect/index.ts';

/** Width of the copy brightness and movement are measured on. */
const SMALL_WIDTH = 160;
/** Moments sampled per second of video. */
const SAMPLES_PER_SECOND = 2;
/**
 * Share of changed pixels between two samples half a second apart above which something moved: a
 * person walking changes far more than this, sensor noise and compression far less.
 */
const MOVED_FRACTION = 0.002;

export class PictureSampler {
  private readonly gate: MotionGate;
  private lastAt = Number.NEGATIVE_INFINITY;
  private samples = 0;
  private moved = 0;
  private brightnessSum = 0;

  constructor(private readonly cv: CV) {
    this.gate = new MotionGate(cv, { width: SMALL_WIDTH, minChangedFraction: MOVED_FRACTION });
  }

  /** Looks at the frame when it is a sampled moment (`at`: its capture time, ms; a live camera drops frames). */
  add(at: number, frame: Mat): void {
    if (at - this.lastAt < 1000 / SAMPLES_PER_SECOND - 1 || frame.empty) return;
    this.lastAt = at;
    const cv = this.cv;
    const w = Math.min(SMALL_WIDTH, frame.cols);
    const h = Math.max(1, Math.round((frame.rows * w) / frame.cols));
    const small = frame.resize(h, w, 0, 0, cv.INTER_AREA);
    const gray = small.channels === 1 ? small : small.cvtColor(cv.COLOR_BGR2GRAY);
    if (gray !== small) small.release();
    this.brightnessSum += gray.mean().w;
    // The first sample has nothing to compare with: only later ones count for movement.
    if (this.gate.moved(gray) && this.samples > 0) this.moved++;
    gray.release();
    this.samples++;
  }

  /** Mean grey level 0..255 (0 before any sample). */
  brightness(): number {
    return this.samples === 0 ? 0 : this.brightnessSum / this.samples;
  }

  /** Share of sampled moments (after the first) in which something moved. */
  motionShare(): number {
    return this.samples <= 1 ? 0 : this.moved / (this.samples - 1);
  }

  close(): void {
    this.gate.close();
  }
}
