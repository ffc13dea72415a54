// Notices from the picture itself that a running camera is covered, moved or in the dark.
//
// About once a second (by capture time) a small blurred grey copy of the frame is measured:
// - dark: even the bright part of the picture (its 98th percentile) is too dim to see people;
// - covered: the edges (Canny) left are a fraction of those the scene usually has, or almost none;
// - moved: the edge map no longer lines up with the one learnt from the still background.
// People walking add or hide a few edges; a turned camera misplaces almost all of them, so the
// correlation of the edge maps tells the two apart; and a turned camera's new view holds still from
// one check to the next where a crowd filling the picture does not (then nothing is decided). The background is learnt slowly, and only while
// the picture is fine, so a problem is never learnt as the new normal. A problem is reported once it
// lasted `reportAfterMs` and cleared after `clearAfterMs` of good picture.
import type { PictureProblem } from '@oskartrack/protocol';
import type { CV, Mat } from '../cv.ts';

export interface PictureWatchOptions {
  /** Capture time between two checks, ms. Default 1000. */
  checkEveryMs?: number;
  /** A problem seen this long without a break is reported, ms. Default 30 000. */
  reportAfterMs?: number;
  /** A reported problem clears after this long of good picture, ms. Default 30 000. */
  clearAfterMs?: number;
  /** Width of the grey copy that is measured. Default 160. */
  width?: number;
  /** Weight of each good check in the learnt background (0..1). Default 0.05. */
  learnRate?: number;
  /** Good checks before the learnt background is trusted for `moved` and relative `covered`. Default 10. */
  learnChecks?: number;
  /** Grey level (0-255) the brightest 2 % of the picture must reach; below it the picture is dark. Default 40. */
  darkLevel?: number;
  /** Covered when the edges fall below this fraction of the learnt scene's. Default 0.5. */
  coveredRatio?: number;
  /** Covered whatever was learnt when fewer than this fraction of pixels are edges. Default 0.01. */
  coveredFloor?: number;
  /** Moved when the edge map's correlation with the learnt one falls below this. Default 0.6. */
  movedBelow?: number;
  /**
   * Moved only while the view holds still: the edge map's correlation with the previous check's stays
   * above this (a crowd changes it from one second to the next, a turned camera's new view does not).
   * Default 0.5.
   */
  steadyAbove?: number;
  /**
   * A camera reported moved this long takes its new view as the scene (someone turned it on purpose
   * and left it), so the report clears. Default 6 hours.
   */
  acceptMovedAfterMs?: number;
}

/** The measures of one check, for logs and tests. */
export interface PictureReading {
  at: number;
  /** 98th percentile of the grey levels, 0-255. */
  bright: number;
  /** Fraction of pixels on an edge. */
  edges: number;
  /** Edge fraction of the learnt scene; 0 until learnt. */
  learntEdges: number;
  /** Correlation of this edge map with the learnt one, -1..1; 1 until learnt. */
  match: number;
  /** Correlation with the previous check's edge map, measured only when `match` is low; else 1. */
  steady: number;
  problem: PictureProblem | undefined;
  /** The scene does not match the learnt one but is too busy to tell: nothing is decided on this check. */
  unsure: boolean;
}

type Verdict = PictureProblem | 'unsure' | undefined;

const BINS = 256;

/** Normalised correlation of two same-size, same-type images (a same-size template match). */
function correlate(image: Mat, template: Mat, cv: CV): number {
  const result = image.matchTemplate(template, cv.TM_CCOEFF_NORMED);
  const value = result.at(0, 0);
  result.release();
  // A flat picture has no defined correlation (OpenCV gives 0 or NaN): nothing lines up.
  return Number.isFinite(value) ? value : 0;
}

export class PictureWatch {
  /** The reported problem; undefined while the picture is fine. */
  problem: PictureProblem | undefined;
  /** When the reported problem was first seen (capture time). */
  since: number | undefined;
  last: PictureReading | undefined;
  private readonly o: Required<PictureWatchOptions>;
  private nextCheck = Number.NEGATIVE_INFINITY;
  /** The problem seen now (not yet reported, or different from the reported one), since when. */
  private seen: PictureProblem | undefined;
  private seenSince = 0;
  private goodSince: number | undefined;
  /** Learnt edge map (CV_32F, blurred edges) and edge fraction, and how many checks went into them. */
  private learntMap: Mat | null = null;
  private learntEdges = 0;
  private learnt = 0;
  /** The previous check's edge map (CV_8U), for `steady`. */
  private previousMap: Mat | null = null;
  private readonly blurSize: InstanceType<CV['Size']>;
  private readonly smallBlur: InstanceType<CV['Size']>;

  constructor(
    private readonly cv: CV,
    options: PictureWatchOptions = {},
  ) {
    this.o = {
      checkEveryMs: 1000,
      reportAfterMs: 30_000,
      clearAfterMs: 30_000,
      width: 160,
      learnRate: 0.05,
      learnChecks: 10,
      darkLevel: 40,
      coveredRatio: 0.5,
      coveredFloor: 0.01,
      movedBelow: 0.6,
      steadyAbove: 0.5,
      acceptMovedAfterMs: 6 * 3600_000,
      ...options,
    };
    if (!(this.o.width >= 16)) throw new Error(`picture watch width must be >= 16, got ${this.o.width}`);
    this.smallBlur = new cv.Size(3, 3);
    this.blurSize = new cv.Size(5, 5);
  }

  /**
   * Measures `frame` (BGR or grey) if a check is due at capture time `at`. True when the reported
   * problem changed (appeared, cleared or became another one).
   */
  look(frame: Mat, at: number): boolean {
    // Not due yet; a clock set back by more than a check starts over instead of waiting for it.
    if (at < this.nextCheck && at >= this.nextCheck - this.o.checkEveryMs) return false;
    this.nextCheck = at + this.o.checkEveryMs;
    const reading = this.measure(frame, at);
    this.last = reading;
    return reading.unsure ? false : this.decide(reading.problem, at);
  }

  /** Forgets the learnt scene (a new camera view); the reported problem stays until decided again. */
  relearn(): void {
    this.learntMap?.release();
    this.learntMap = null;
    this.learntEdges = 0;
    this.learnt = 0;
  }

  close(): void {
    this.relearn();
    this.previousMap?.release();
    this.previousMap = null;
  }

  private measure(frame: Mat, at: number): PictureReading {
    const grey = this.greyCopy(frame);
    const bright = this.brightLevel(grey);
    const edgeMat = grey.canny(40, 100);
    grey.release();
    const edges = edgeMat.countNonZero() / (edgeMat.rows * edgeMat.cols);
    // Blurred, so that a shake of a pixel or two still lines up with the learnt map.
    const map = edgeMat.blur(this.blurSize, new this.cv.Point2(-1, -1), this.cv.BORDER_REPLICATE);
    edgeMat.release();
    const trusted = this.learnt >= this.o.learnChecks && this.sameSize(map);
    const match = trusted ? this.correlation(map) : 1;
    const previous = this.previousMap;
    const steady =
      match < this.o.movedBelow && previous?.rows === map.rows && previous.cols === map.cols
        ? correlate(map, previous, this.cv)
        : 1;
    const verdict = this.classify(bright, edges, match, steady, trusted);
    // Learn only from a good picture that matches the scene, so a problem never becomes the normal.
    if (verdict === undefined && !this.seen && match >= this.o.movedBelow) this.learn(map, edges);
    previous?.release();
    this.previousMap = map;
    const problem = verdict === 'unsure' ? undefined : verdict;
    const learntEdges = trusted ? this.learntEdges : 0;
    return { at, bright, edges, learntEdges, match, steady, problem, unsure: verdict === 'unsure' };
  }

  /** 'unsure': the scene does not match the learnt one but is too busy to tell whether the camera moved. */
  private classify(bright: number, edges: number, match: number, steady: number, trusted: boolean): Verdict {
    if (bright < this.o.darkLevel) return 'dark';
    if (edges < this.o.coveredFloor || (trusted && edges < this.o.coveredRatio * this.learntEdges)) {
      return 'covered';
    }
    if (trusted && match < this.o.movedBelow) return steady >= this.o.steadyAbove ? 'moved' : 'unsure';
    return undefined;
  }

  /** Hysteresis: a problem is reported after `reportAfterMs`, cleared after `clearAfterMs` of good picture. */
  private decide(problem: PictureProblem | undefined, at: number): boolean {
    const before = this.problem;
    if (problem) {
      this.goodSince = undefined;
      if (problem !== this.seen) {
        this.seen = problem;
        this.seenSince = at;
      }
      if (problem !== this.problem && at - this.seenSince >= this.o.reportAfterMs) {
        this.problem = problem;
        this.since = this.seenSince;
      }
      if (this.problem === 'moved' && at - (this.since ?? at) >= this.o.acceptMovedAfterMs) {
        this.relearn();
        this.seen = undefined;
      }
    } else {
      this.seen = undefined;
      this.goodSince ??= at;
      if (this.problem && at - this.goodSince >= this.o.clearAfterMs) {
        this.problem = undefined;
        this.since = undefined;
      }
    }
    return this.problem !== before;
  }

  private greyCopy(frame: Mat): Mat {
    const cv = this.cv;
    const w = Math.min(this.o.width, frame.cols);
    const h = Math.max(1, Math.round((frame.rows * w) / frame.cols));
    const small = frame.resize(h, w, 0, 0, cv.INTER_AREA);
    const grey = small.channels === 1 ? small : small.cvtColor(cv.COLOR_BGR2GRAY);
    if (grey !== small) small.release();
    // The binding's default border is a constant black one, which would draw edges around the frame.
    const blurred = grey.gaussianBlur(this.smallBlur, 0, 0, cv.BORDER_REPLICATE);
    grey.release();
    return blurred;
  }

  /** The grey level that 98 % of the pixels stay below. */
  private brightLevel(grey: Mat): number {
    const cv = this.cv;
    const hist = cv.calcHist(grey, [new cv.HistAxes({ channel: 0, bins: BINS, ranges: [0, BINS] })]);
    const buffer = hist.getData();
    // calcHist answers in doubles (CV_64F) with this binding; floats are read too.
    const counts =
      hist.type === cv.CV_64F
        ? new Float64Array(buffer.buffer, buffer.byteOffset, BINS)
        : new Float32Array(buffer.buffer, buffer.byteOffset, BINS);
    hist.release();
    const limit = 0.98 * grey.rows * grey.cols;
    let sum = 0;
    for (let level = 0; level < BINS; level++) {
      sum += counts[level]!;
      if (sum >= limit) return level;
    }
    return BINS - 1;
  }

  private sameSize(map: Mat): boolean {
    return this.learntMap !== null && this.learntMap.rows === map.rows && this.learntMap.cols === map.cols;
  }

  /** Correlation of the edge map with the learnt one (kept in floats). */
  private correlation(map: Mat): number {
    const current = map.convertTo(this.cv.CV_32F);
    const value = correlate(current, this.learntMap!, this.cv);
    current.release();
    return value;
  }

  private learn(map: Mat, edges: number): void {
    if (!this.sameSize(map)) {
      this.relearn();
      this.learntMap = map.convertTo(this.cv.CV_32F);
      this.learntEdges = edges;
      this.learnt = 1;
      return;
    }
    // Fast at first, then slowly: the first checks make the scene, later ones follow light and decor.
    const rate = Math.max(this.o.learnRate, 1 / (this.learnt + 1));
    this.cv.accumulateWeighted(map, this.learntMap!, rate);
    this.learntEdges += rate * (edges - this.learntEdges);
    this.learnt++;
  }
}
