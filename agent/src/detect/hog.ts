// OpenCV's HOG people detector (Dalal-Triggs, default SVM), tuned for people smaller than its window.
import type { CV, Mat } from '../cv.ts';
import type { Detections } from '../types.ts';
import { emptyDetections } from '../types.ts';
import { type Detector, ensureCapacity, Lanes, laneCount } from './detector.ts';
import { NmsScratch, nms } from './nms.ts';

export interface HogOptions {
  /**
   * Factor the frame is enlarged by before detection. The HOG window is 64x128 and the person inside
   * it about 48x96, so people shorter than about 96 / upscale pixels are missed. Default 1.5 (finds
   * people from about 64 px tall). 1 disables upscaling.
   */
  upscale?: number;
  /** Step between pyramid levels (OpenCV's `scale`). 1.05 is OpenCV's default; 1.2 is 3x cheaper. */
  pyramidScale?: number;
  /** Window stride in pixels of the (upscaled) image. Default 8. */
  winStride?: number;
  /** Padding around the image so windows may overhang the border. Default 8. */
  padding?: number;
  /** SVM margin a window needs before it counts as a hit (OpenCV's `hitThreshold`). Default 0. */
  hitThreshold?: number;
  /**
   * OpenCV's grouping of overlapping hits (`finalThreshold`): a person needs more than this many
   * overlapping windows. Default 1, which drops most single-window false positives. 0 disables it.
   */
  groupThreshold?: number;
  /** IoU above which the weaker of two boxes is suppressed after grouping. Default 0.45. */
  nmsIou?: number;
  /** Detections scoring below this (after mapping to 0..1) are dropped. Default 0. */
  scoreThreshold?: number;
  /** Runs HOG on a grayscale copy (gradients over one channel instead of three). Default true. */
  grayscale?: boolean;
  /** Frames that may be detected at the same time, each with its own descriptor. Default 1. */
  lanes?: number;
}

/**
 * Fraction of the 64x128 HOG window that the person occupies: the reported box is shrunk around the
 * window centre by these factors so it fits the person (fitted on PETS09-S2L1 ground truth, where
 * the median matched ground-truth / shrunk box ratio is 1.00 in both directions).
 */
const BOX_WIDTH_FRACTION = 0.52;
const BOX_HEIGHT_FRACTION = 0.75;

/**
 * Maps an SVM margin to 0..1 with a logistic curve: 0.5 at margin 0.3, where most false positives of
 * the default people SVM end on PETS09; margin 1 gives 0.80, margin 2 gives 0.97. Monotonic, so the
 * tracker's high / low thresholds keep their meaning.
 */
export function hogScore(weight: number): number {
  return 1 / (1 + Math.exp(-2 * (weight - 0.3)));
}

/** What one overlapping detect() call owns. */
interface HogLane {
  hog: InstanceType<CV['HOGDescriptor']>;
  out: Detections;
  scratch: NmsScratch;
}

export class HogDetector implements Detector {
  readonly name = 'hog' as const;
  private readonly laneState: Lanes<HogLane>;
  private readonly winStride: InstanceType<CV['Size']>;
  private readonly padding: InstanceType<CV['Size']>;
  private readonly upscale: number;
  private readonly pyramidScale: number;
  private readonly hitThreshold: number;
  private readonly groupThreshold: number;
  private readonly nmsIou: number;
  private readonly scoreThreshold: number;
  private readonly grayscale: boolean;

  constructor(
    private readonly cv: CV,
    options: HogOptions = {},
  ) {
    this.upscale = options.upscale ?? 1.5;
    this.pyramidScale = options.pyramidScale ?? 1.2;
    this.hitThreshold = options.hitThreshold ?? 0;
    this.groupThreshold = options.groupThreshold ?? 1;
    this.nmsIou = options.nmsIou ?? 0.45;
    this.scoreThreshold = options.scoreThreshold ?? 0;
    this.grayscale = options.grayscale ?? true;
    if (!(this.upscale > 0)) throw new Error(`HOG upscale must be > 0, got ${this.upscale}`);
    if (!(this.pyramidScale > 1)) throw new Error(`HOG pyramidScale must be > 1, got ${this.pyramidScale}`);
    const stride = options.winStride ?? 8;
    const pad = options.padding ?? 8;
    this.winStride = new cv.Size(stride, stride);
    this.padding = new cv.Size(pad, pad);
    const svm = cv.HOGDescriptor.getDefaultPeopleDetector();
    const lanes = Array.from({ length: laneCount(options.lanes, 'HOG') }, () => {
      const hog = new cv.HOGDescriptor();
      hog.setSVMDetector(svm);
      return { hog, out: emptyDetections(32), scratch: new NmsScratch() };
    });
    this.laneState = new Lanes(lanes, 'HOG');
  }

  get lanes(): number {
    return this.laneState.count;
  }

  detect(frame: Mat): Promise<Detections> {
    return this.laneState.run((lane) => this.detectIn(lane, frame));
  }

  private async detectIn(lane: HogLane, frame: Mat): Promise<Detections> {
    const cv = this.cv;
    const out = lane.out;
    out.count = 0;
    if (frame.empty) return out;
    const gray = this.grayscale && frame.channels === 3 ? await frame.cvtColorAsync(cv.COLOR_BGR2GRAY) : null;
    const src = gray ?? frame;
    const up = this.upscale;
    const scaled =
      up === 1
        ? null
        : await src.resizeAsync(
            Math.round(frame.rows * up),
            Math.round(frame.cols * up),
            0,
            0,
            cv.INTER_LINEAR,
          );
    if (scaled) gray?.release();
    const img = scaled ?? src;
    let found: Awaited<ReturnType<HogLane['hog']['detectMultiScaleAsync']>>;
    try {
      found = await lane.hog.detectMultiScaleAsync(
        img,
        this.hitThreshold,
        this.winStride,
        this.padding,
        this.pyramidScale,
        this.groupThreshold,
        false,
      );
    } finally {
      // img is the upscaled copy, or the grey copy, or the caller's frame (not ours to release).
      if (img !== frame) img.release();
    }
    const rects = found.foundLocations;
    const weights = found.foundWeights;
    ensureCapacity(out, rects.length);
    const boxes = out.boxes;
    const scores = out.scores;
    const sx = frame.cols;
    const sy = frame.rows;
    let n = 0;
    for (let i = 0; i < rects.length; i++) {
      const score = hogScore(weights[i] ?? 0);
      if (score < this.scoreThreshold) continue;
      const r = rects[i]!;
      const cx = (r.x + r.width / 2) / up;
      const cy = (r.y + r.height / 2) / up;
      const hw = (r.width * BOX_WIDTH_FRACTION) / (2 * up);
      const hh = (r.height * BOX_HEIGHT_FRACTION) / (2 * up);
      boxes[n * 4] = Math.max(0, cx - hw);
      boxes[n * 4 + 1] = Math.max(0, cy - hh);
      boxes[n * 4 + 2] = Math.min(sx, cx + hw);
      boxes[n * 4 + 3] = Math.min(sy, cy + hh);
      scores[n] = score;
      n++;
    }
    out.count = nms(boxes, scores, n, this.nmsIou, lane.scratch);
    return out;
  }

  close(): void {
    // HOGDescriptor and Size are freed by the garbage collector; nothing large is held between calls.
  }
}
