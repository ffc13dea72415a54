// OpenCV's HOG people detector (Dalal-Triggs, default SVM), tuned for people smaller than its window.
import type { CV, Mat } from '../cv.ts';
import type { Detections } from '../types.ts';
import { emptyDetections } from '../types.ts';
import { type CalibrationTurn, CalibrationTurns } from './calibration-turns.ts';
import { type Detector, ensureCapacity, Lanes, laneCount } from './detector.ts';
import { NmsScratch, nms } from './nms.ts';
import { SizeCalibration, type SizeCalibrationOptions } from './size-calibration.ts';

export interface HogOptions {
  /**
   * A fixed factor the frame is enlarged by before detection, searching every larger size too (the
   * old behaviour; turns the calibration off). The HOG window is 64x128 and the person inside it about
   * 48x96, so people shorter than about 96 / upscale pixels are missed. Unset (the default): the sizes
   * searched follow the people seen (`calibration`).
   */
  upscale?: number;
  /** How the sizes searched follow the people seen (when `upscale` is unset). */
  calibration?: Partial<SizeCalibrationOptions>;
  /**
   * Smallest person searched for while calibrating, as a share of the frame height. Default 1/12 (48 px
   * in a 576 px tall frame). The largest is the whole frame height.
   */
  widestSmallPerson?: number;
  /** Most the frame is ever enlarged (blurrier than this, HOG finds nobody anyway). Default 3. */
  maxUpscale?: number;
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
/** Height in px of the person inside the 128 px tall window. */
const WINDOW_PERSON = 128 * BOX_HEIGHT_FRACTION;
/**
 * Windows still fire on people down to about this share of WINDOW_PERSON, so the frame is enlarged
 * only that far for the smallest person: enlarging more added false hits and cost without finding more
 * people (PETS09 and its closer and half-size scenes).
 */
const HOG_REACH = 0.8;
/** OpenCV's default (and largest useful) number of pyramid levels. */
const ALL_LEVELS = 64;

/**
 * The pyramid that finds people `low` .. `high` px tall (clamped to the enlargements allowed): the
 * factor the frame is enlarged by and the number of levels (each `pyramidScale` smaller).
 */
export function hogPyramid<T extends HogPyramid>(
  low: number,
  high: number,
  pyramidScale: number,
  maxUpscale: number,
  into: T,
): T {
  const upscale = Math.min(maxUpscale, (HOG_REACH * WINDOW_PERSON) / low);
  const largest = (high * upscale) / WINDOW_PERSON;
  // One level past the largest so a person at the range's edge still falls between two levels.
  const levels = largest <= 1 ? 1 : Math.ceil(Math.log(largest) / Math.log(pyramidScale)) + 2;
  into.upscale = upscale;
  into.levels = Math.min(ALL_LEVELS, levels);
  return into;
}

export interface HogPyramid {
  /** Factor the frame is resized by before the pyramid (below 1: made smaller). */
  upscale: number;
  /** Pyramid levels searched, each `pyramidScale` smaller than the one before. */
  levels: number;
}

/**
 * Maps an SVM margin to 0..1 with a logistic curve: 0.5 at margin 0.3, where most false positives of
 * the default people SVM end on PETS09; margin 1 gives 0.80, margin 2 gives 0.97. Monotonic, so the
 * tracker's high / low thresholds keep their meaning.
 */
export function hogScore(weight: number): number {
  return 1 / (1 + Math.exp(-2 * (weight - 0.3)));
}

/** What one overlapping detect() call owns, including the pyramid chosen for its frame. */
interface HogLane extends HogPyramid {
  hog: InstanceType<CV['HOGDescriptor']>;
  out: Detections;
  scratch: NmsScratch;
}

export class HogDetector implements Detector {
  readonly name = 'hog' as const;
  private readonly laneState: Lanes<HogLane>;
  private readonly winStride: InstanceType<CV['Size']>;
  private readonly padding: InstanceType<CV['Size']>;
  /** Fixed enlargement; NaN when the calibration chooses it. */
  private readonly upscale: number;
  /** The calibration, in frame order; undefined with a fixed `upscale`. */
  private readonly turns: CalibrationTurns | undefined;
  private readonly widestSmallPerson: number;
  private readonly maxUpscale: number;
  /** Share of the full work allowed by the engine's speed cap (`setWorkLimit`). */
  private workLimit = 1;
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
    this.upscale = options.upscale ?? Number.NaN;
    this.widestSmallPerson = options.widestSmallPerson ?? 1 / 12;
    this.maxUpscale = options.maxUpscale ?? 3;
    this.pyramidScale = options.pyramidScale ?? 1.2;
    this.hitThreshold = options.hitThreshold ?? 0;
    this.groupThreshold = options.groupThreshold ?? 1;
    this.nmsIou = options.nmsIou ?? 0.45;
    this.scoreThreshold = options.scoreThreshold ?? 0;
    this.grayscale = options.grayscale ?? true;
    if (options.upscale !== undefined && !(this.upscale > 0))
      throw new Error(`HOG upscale must be > 0, got ${this.upscale}`);
    if (!(this.widestSmallPerson > 0 && this.widestSmallPerson <= 1))
      throw new Error(`HOG widestSmallPerson must be in (0, 1], got ${this.widestSmallPerson}`);
    if (!(this.pyramidScale > 1)) throw new Error(`HOG pyramidScale must be > 1, got ${this.pyramidScale}`);
    const stride = options.winStride ?? 8;
    const pad = options.padding ?? 8;
    this.winStride = new cv.Size(stride, stride);
    this.padding = new cv.Size(pad, pad);
    const svm = cv.HOGDescriptor.getDefaultPeopleDetector();
    const lanes = Array.from({ length: laneCount(options.lanes, 'HOG') }, () => {
      const hog = new cv.HOGDescriptor();
      hog.setSVMDetector(svm);
      return { hog, out: emptyDetections(32), scratch: new NmsScratch(), upscale: 1, levels: ALL_LEVELS };
    });
    this.laneState = new Lanes(lanes, 'HOG');
    this.turns =
      options.upscale === undefined
        ? new CalibrationTurns(new SizeCalibration({ minScore: 0.6, ...options.calibration }), lanes.length)
        : undefined;
  }

  get lanes(): number {
    return this.laneState.count;
  }

  /**
   * `at`: the frame's time in ms, which the calibration counts its seconds in. Without it the frame is
   * searched at every size and teaches the calibration nothing.
   */
  async detect(frame: Mat, at?: number): Promise<Detections> {
    return this.laneState.run(async (lane) => {
      // Sizes chosen from the calls `lag` before this one, whenever they finished (./calibration-turns.ts).
      const turn = at === undefined ? undefined : this.turns?.begin(at);
      const p = this.pyramidFor(lane, frame, turn);
      // The work grows with the enlarged frame's pixels: the speed cap shrinks it (small people first).
      if (this.workLimit < 1) p.upscale *= Math.sqrt(this.workLimit);
      const out = await this.detectIn(p, frame);
      if (turn) this.turns?.end(turn, out, frame.rows);
      return out;
    });
  }

  /**
   * Speed cap (Detector.setWorkLimit): about `fraction` of the full work, by enlarging the frame less
   * (the smallest people are the first missed). 1 lifts it.
   */
  setWorkLimit(fraction: number): void {
    this.workLimit = Math.min(1, Math.max(0.05, fraction));
  }

  /** The enlargement and level count for this frame, from the calibration or the fixed options. */
  private pyramidFor(lane: HogLane, frame: Mat, turn: CalibrationTurn | undefined): HogLane {
    const c = this.turns?.calibration;
    if (!c) {
      lane.upscale = this.upscale;
      lane.levels = ALL_LEVELS;
      return lane;
    }
    const ps = this.pyramidScale;
    if (!turn || turn.wide)
      return hogPyramid(frame.rows * this.widestSmallPerson, frame.rows, ps, this.maxUpscale, lane);
    return hogPyramid(c.low, c.high, ps, this.maxUpscale, lane);
  }

  /** The sizes the calibration searches now (undefined with a fixed `upscale`), for reports and tests. */
  get personSizes(): SizeCalibration | undefined {
    return this.turns?.calibration;
  }

  private async detectIn(lane: HogLane, frame: Mat): Promise<Detections> {
    const cv = this.cv;
    const out = lane.out;
    out.count = 0;
    if (frame.empty) return out;
    const gray = this.grayscale && frame.channels === 3 ? await frame.cvtColorAsync(cv.COLOR_BGR2GRAY) : null;
    const src = gray ?? frame;
    const up = lane.upscale;
    // The typings call nlevels read-only, but the binding has a setter (OpenCV reads it per call).
    (lane.hog as { nlevels: number }).nlevels = lane.levels;
    const scaled =
      up === 1
        ? null
        : await src.resizeAsync(
            Math.round(frame.rows * up),
            Math.round(frame.cols * up),
            0,
            0,
            up < 1 ? cv.INTER_AREA : cv.INTER_LINEAR,
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
