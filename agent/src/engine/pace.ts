// Chooses every how many frames the detector runs, so the agent keeps up with the camera on the CPU
// it has. The run loop reports, per frame, how long it spent on the detector and on everything else
// (decoding, tracking, analytics, the caller's work); moving averages of both give the time a frame
// costs at every-Nth n:  other + detector time per detected frame / n. Every-Nth rises as soon as
// that exceeds `raiseAt` of the frame interval, and comes down one step only once the lower value
// is predicted to fit within `lowerAt` of it (hysteresis: no flapping between two values). At the
// largest every-Nth and still too slow, it may ask the detector for less work (`workLimit`, off by
// default: see `minWork`).

export interface PaceOptions {
  /** Frame rate to keep up with: the camera's, or a file's nominal rate when processed faster. */
  fps: number;
  /** Bounds of every-Nth. Default 1 and 4. */
  minNth?: number;
  maxNth?: number;
  /** Every-Nth at the start. Default `minNth`. */
  startNth?: number;
  /** Share of the frame interval a frame may cost before every-Nth rises. Default 0.9. */
  raiseAt?: number;
  /** Every-Nth comes down when the lower value is predicted to cost at most this share. Default 0.7. */
  lowerAt?: number;
  /**
   * Least share of its full work the detector may be asked for at the largest every-Nth
   * (`workLimit`). Default 1: never. Measured on PETS09 at 400 frames on one core, HOG asked for half
   * its work at every 4th frame fell to MOTA 17, against 50 at every 4th frame with its full work, for
   * the same speed: a smaller input loses the small people first. Lower it only for a detector that
   * keeps the sizes of the people it sees.
   */
  minWork?: number;
  /** Frames measured before the first change and after each change. Default 30. */
  settleFrames?: number;
  /** First frames left out of the averages (model warm-up, caches). Default 5. */
  warmupFrames?: number;
  /** Weight of each new frame in the moving averages. Default 0.05 (about the last 20 frames). */
  smoothing?: number;
  /**
   * Count the time spent reading frames as work: true for a file read as fast as possible (it is
   * decoding), false for a camera or a recording played at its own pace (there it is mostly waiting
   * for the next frame; decoding then falls within the headroom `raiseAt` leaves). Default true.
   */
  countRead?: boolean;
}

export class PaceController {
  /** Run the detector on every `everyNth` frame. */
  everyNth: number;
  /** Share of its full work the detector should do (1: all; see Detector.setWorkLimit). */
  workLimit = 1;
  /** Changes of every-Nth or of the work limit so far. */
  changes = 0;
  readonly minNth: number;
  readonly maxNth: number;
  private readonly budgetMs: number;
  private readonly raiseAt: number;
  private readonly lowerAt: number;
  private readonly minWork: number;
  private readonly settleFrames: number;
  private readonly alpha: number;
  private readonly countRead: boolean;
  private warmup: number;
  private seen = 0;
  private sinceChange = 0;
  private avgDetectMs = 0;
  private avgOtherMs = 0;
  private avgDetected = 0;

  constructor(opts: PaceOptions) {
    if (!(opts.fps > 0 && Number.isFinite(opts.fps)))
      throw new RangeError(`the frame rate to keep up with must be a positive number, got ${opts.fps}`);
    this.minNth = Math.max(1, Math.floor(opts.minNth ?? 1));
    this.maxNth = Math.max(this.minNth, Math.floor(opts.maxNth ?? 4));
    this.everyNth = Math.min(this.maxNth, Math.max(this.minNth, Math.floor(opts.startNth ?? this.minNth)));
    this.budgetMs = 1000 / opts.fps;
    this.raiseAt = opts.raiseAt ?? 0.9;
    this.lowerAt = Math.min(opts.lowerAt ?? 0.7, this.raiseAt);
    this.minWork = Math.min(1, opts.minWork ?? 1);
    this.settleFrames = opts.settleFrames ?? 30;
    this.warmup = opts.warmupFrames ?? 5;
    this.alpha = opts.smoothing ?? 0.05;
    this.countRead = opts.countRead ?? true;
  }

  /** Milliseconds one frame may cost to keep up. */
  get frameBudgetMs(): number {
    return this.budgetMs;
  }

  /** Averages so far: detector time per detected frame, other time per frame (ms). */
  get measured(): { detectMs: number; otherMs: number } {
    return { detectMs: this.detectPerDetection(), otherMs: this.avgOtherMs };
  }

  /** Predicted milliseconds per frame at every-Nth `n`, from the averages. */
  costAt(n: number): number {
    return this.avgOtherMs + this.detectPerDetection() / n;
  }

  /**
   * One frame done: `detectMs` spent starting and awaiting the detector for it, `readMs` reading it,
   * `otherMs` on the rest of its work (tracking, analytics, the caller's). Returns true when
   * `everyNth` or `workLimit` changed.
   */
  frame(detectMs: number, readMs: number, otherMs: number, detected: boolean): boolean {
    if (this.warmup > 0) {
      this.warmup--;
      return false;
    }
    // A plain mean until the window fills, then an exponential moving average.
    const a = Math.max(this.alpha, 1 / ++this.seen);
    this.avgDetectMs += a * (detectMs - this.avgDetectMs);
    this.avgOtherMs += a * ((this.countRead ? readMs + otherMs : otherMs) - this.avgOtherMs);
    this.avgDetected += a * ((detected ? 1 : 0) - this.avgDetected);
    if (++this.sinceChange < this.settleFrames || this.avgDetected === 0) return false;
    const changed = this.decide();
    if (changed) {
      this.sinceChange = 0;
      this.changes++;
    }
    return changed;
  }

  private detectPerDetection(): number {
    return this.avgDetected > 0 ? this.avgDetectMs / this.avgDetected : 0;
  }

  private decide(): boolean {
    const n = this.everyNth;
    const over = this.costAt(n) > this.raiseAt * this.budgetMs;
    if (over && n < this.maxNth) {
      this.everyNth = this.fittingNth(n + 1);
      return true;
    }
    if (over) return this.lessWork();
    if (this.workLimit < 1) return this.moreWork();
    if (n > this.minNth && this.costAt(n - 1) <= this.lowerAt * this.budgetMs) {
      this.everyNth = n - 1;
      return true;
    }
    return false;
  }

  /**
   * What a change aims at: a quarter of the way from `raiseAt` down to `lowerAt` (85 % of the frame
   * interval by default), some headroom without detecting less often than needed.
   */
  private get aimMs(): number {
    return ((3 * this.raiseAt + this.lowerAt) / 4) * this.budgetMs;
  }

  /** The smallest every-Nth from `from` predicted to fit the aim, else the largest. */
  private fittingNth(from: number): number {
    const aim = this.aimMs;
    for (let k = from; k < this.maxNth; k++) if (this.costAt(k) <= aim) return k;
    return this.maxNth;
  }

  /** At the largest every-Nth and still behind: the share of the detector's work that would fit. */
  private lessWork(): boolean {
    const aim = this.aimMs;
    const perDetection = this.detectPerDetection();
    const room = Math.max(0, aim - this.avgOtherMs) * this.everyNth;
    const limit = Math.max(this.minWork, Math.min(1, (this.workLimit * room) / perDetection));
    if (limit >= this.workLimit * 0.95) return false;
    this.workLimit = limit;
    return true;
  }

  /** Caught up with a reduced detector: give it back work as far as it is predicted to fit. */
  private moreWork(): boolean {
    if (this.costAt(this.everyNth) > this.lowerAt * this.budgetMs) return false;
    const aim = this.aimMs;
    const room = Math.max(0, aim - this.avgOtherMs) * this.everyNth;
    const perDetection = this.detectPerDetection();
    const limit = perDetection > 0 ? Math.min(1, (this.workLimit * room) / perDetection) : 1;
    if (limit <= this.workLimit * 1.05) return false;
    this.workLimit = limit;
    return true;
  }
}
