// What each tracked person looks like: a colour signature of the torso (hue x saturation, and
// brightness), averaged over the frames they were seen in. Lets the tracker tell whether a new track
// is a lost person seen again (re-linking) without any face or identity data: only a few dozen
// numbers per person alive, dropped when the track ends.
import type { CV, Mat } from '../cv.ts';
import type { Tracks } from '../types.ts';

const HUE_BINS = 12;
const SAT_BINS = 4;
const VAL_BINS = 8;
const SIZE = HUE_BINS * SAT_BINS + VAL_BINS;
/** Weight of the newest frame in the running signature. */
const NEW_WEIGHT = 0.2;

export interface AppearanceOptions {
  /** Bhattacharyya coefficient (0..1) from which two signatures are the same person. Default 0.8. */
  minSimilarity: number;
}

export class Appearance {
  private readonly signatures = new Map<number, Float32Array>();
  private readonly scratch = new Float32Array(SIZE);
  private frame: Mat | null = null;
  private readonly hueSat: InstanceType<CV['HistAxes']>[];
  private readonly value: InstanceType<CV['HistAxes']>[];
  readonly minSimilarity: number;

  constructor(
    private readonly cv: CV,
    options: Partial<AppearanceOptions> = {},
  ) {
    this.minSimilarity = options.minSimilarity ?? 0.8;
    this.hueSat = [
      new cv.HistAxes({ channel: 0, bins: HUE_BINS, ranges: [0, 180] }),
      new cv.HistAxes({ channel: 1, bins: SAT_BINS, ranges: [0, 256] }),
    ];
    this.value = [new cv.HistAxes({ channel: 2, bins: VAL_BINS, ranges: [0, 256] })];
  }

  /** Number of people with a signature (returns to 0 as tracks end). */
  get size(): number {
    return this.signatures.size;
  }

  /** The frame the next `observe` and `sameLook` calls look at. */
  setFrame(frame: Mat): void {
    this.frame = frame;
  }

  /** Folds this frame's look of every output track into its signature. */
  observe(tracks: Tracks): void {
    for (let i = 0; i < tracks.count; i++) {
      const b = tracks.boxes;
      if (!this.measure(b[i * 4]!, b[i * 4 + 1]!, b[i * 4 + 2]!, b[i * 4 + 3]!)) continue;
      const id = tracks.ids[i]!;
      const sig = this.signatures.get(id);
      if (!sig) {
        this.signatures.set(id, Float32Array.from(this.scratch));
        continue;
      }
      for (let k = 0; k < SIZE; k++) sig[k] = (1 - NEW_WEIGHT) * sig[k]! + NEW_WEIGHT * this.scratch[k]!;
    }
  }

  forget(id: number): void {
    this.signatures.delete(id);
  }

  /** Similarity (0..1) of the person in the box on the current frame to the signature of `id`; 0 if unknown. */
  similarity(id: number, x1: number, y1: number, x2: number, y2: number): number {
    const sig = this.signatures.get(id);
    if (!sig || !this.measure(x1, y1, x2, y2)) return 0;
    // Both halves (hue x saturation, brightness) are normalised to 1: average their coefficients.
    let bc = 0;
    for (let k = 0; k < SIZE; k++) bc += Math.sqrt(sig[k]! * this.scratch[k]!);
    return bc / 2;
  }

  sameLook(id: number, x1: number, y1: number, x2: number, y2: number): boolean {
    return this.similarity(id, x1, y1, x2, y2) >= this.minSimilarity;
  }

  /** Signature of the torso (middle half of the width, 20-60 % of the height) into `scratch`. */
  private measure(x1: number, y1: number, x2: number, y2: number): boolean {
    const frame = this.frame;
    if (!frame) return false;
    const w = x2 - x1;
    const h = y2 - y1;
    const left = Math.max(0, Math.round(x1 + w * 0.25));
    const top = Math.max(0, Math.round(y1 + h * 0.2));
    const right = Math.min(frame.cols, Math.round(x2 - w * 0.25));
    const bottom = Math.min(frame.rows, Math.round(y1 + h * 0.6));
    if (right - left < 4 || bottom - top < 4) return false;
    const cv = this.cv;
    // The region shares the frame's pixels: release it at once, or it keeps the whole frame alive
    // until the garbage collector gets to it (V8 does not see Mat memory here, see cv.ts).
    const roi = frame.getRegion(new cv.Rect(left, top, right - left, bottom - top));
    const hsv = roi.cvtColor(cv.COLOR_BGR2HSV);
    roi.release();
    const hs = cv.calcHist(hsv, this.hueSat);
    const v = cv.calcHist(hsv, this.value);
    hsv.release();
    const pixels = (right - left) * (bottom - top);
    copyNormalised(cv, hs, this.scratch, 0, HUE_BINS * SAT_BINS, pixels);
    copyNormalised(cv, v, this.scratch, HUE_BINS * SAT_BINS, VAL_BINS, pixels);
    hs.release();
    v.release();
    return true;
  }
}

/** Copies a histogram (the addon gives CV_64F; CV_32F accepted too) into `out[at..at+n)`, divided by `total`. */
function copyNormalised(cv: CV, hist: Mat, out: Float32Array, at: number, n: number, total: number): void {
  // A small aligned copy: the addon's buffers are not always aligned for typed-array views.
  const bytes = Uint8Array.prototype.slice.call(hist.getData());
  const values =
    hist.type === cv.CV_64F ? new Float64Array(bytes.buffer, 0, n) : new Float32Array(bytes.buffer, 0, n);
  for (let k = 0; k < n; k++) out[at + k] = values[k]! / total;
}
