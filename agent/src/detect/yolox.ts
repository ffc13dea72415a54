// YOLOX (Megvii, Apache-2.0) ONNX models through OpenCV's DNN module: letterbox, forward, grid decode.

import { existsSync, statSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import type { CV, Mat } from '../cv.ts';
import type { Detections } from '../types.ts';
import { emptyDetections } from '../types.ts';
import { CalibrationTurns } from './calibration-turns.ts';
import { type Detector, ensureCapacity, Lanes, laneCount } from './detector.ts';
import { modelNameOfFile } from './models.ts';
import { NmsScratch, nms } from './nms.ts';
import { SizeCalibration, type SizeCalibrationOptions } from './size-calibration.ts';

type Net = ReturnType<CV['readNetFromONNX']>;

export interface YoloxOptions {
  /**
   * Network input size the model was exported with. Default 416 (nano, tiny); 640 for yolox-s. With
   * `autoInput` it is the largest input used (while calibrating and for the periodic wide checks).
   */
  inputSize?: number;
  /**
   * Choose the input size from the people seen (`fitInput` only): the smallest multiple of 32 that
   * keeps the smallest people seen `minPersonPixels` tall in the network's picture, never below
   * `minInputSize` nor above `inputSize`. Default true.
   */
  autoInput?: boolean;
  /** Network pixels the smallest person seen must keep with `autoInput`. Default 32. */
  minPersonPixels?: number;
  /**
   * Smallest input size (long side) `autoInput` goes down to. Default 320: smaller inputs found the
   * large people as well but lost them more often while they crossed (fewer ids kept).
   */
  minInputSize?: number;
  /** Least time between two input size or threshold changes that make it smaller or stricter. Default 5 s. */
  holdSeconds?: number;
  /** How the sizes searched follow the people seen. */
  calibration?: Partial<SizeCalibrationOptions>;
  /**
   * Shrink the input's short side to the frame's aspect ratio (rounded up to a multiple of 32)
   * instead of padding to a square. The network sees the same picture with less padding: 416x320
   * instead of 416x416 for a 4:3 camera, about a quarter less work. Default true; set false for a
   * model exported with a fixed input shape.
   */
  fitInput?: boolean;
  /**
   * Minimum objectness x class score, fixed. Unset (the default): a quarter of the score most
   * confident people reach (their 10th percentile), kept within 0.1 .. 0.15, so the tracker's
   * low-score second pass (0.1 .. 0.5) still gets partly hidden people while clutter is dropped in
   * scenes where people score high.
   */
  scoreThreshold?: number;
  /** IoU above which the weaker box is suppressed. Default 0.45. */
  nmsIou?: number;
  /** COCO class to keep. Default 0 (person). */
  classId?: number;
  /** Upper bound on detections per frame after NMS. Default 300. */
  maxDetections?: number;
  /**
   * Networks loaded side by side so consecutive frames can be detected at the same time. One
   * forward pass leaves part of a 2-core CPU idle (single-threaded layers, pre- and post-processing);
   * two overlapping ones used 42 % more frames per second on the 2-core VM. Default 1.
   */
  lanes?: number;
}

const STRIDES = [8, 16, 32] as const;
const PAD_VALUE = 114;

/** Number of anchor points YOLOX produces for an input of `width` x `height` pixels. */
export function yoloxAnchorCount(width: number, height = width): number {
  let n = 0;
  for (const s of STRIDES) n += Math.floor(width / s) * Math.floor(height / s);
  return n;
}

/**
 * Precomputed grid: for anchor i, its cell column and row and its stride, in the order YOLOX
 * concatenates the three heads (stride 8 row-major, then 16, then 32).
 */
export function yoloxGrid(
  width: number,
  height = width,
): { gx: Float32Array; gy: Float32Array; stride: Float32Array } {
  const n = yoloxAnchorCount(width, height);
  const gx = new Float32Array(n);
  const gy = new Float32Array(n);
  const stride = new Float32Array(n);
  let i = 0;
  for (const s of STRIDES) {
    const cols = Math.floor(width / s);
    const rows = Math.floor(height / s);
    for (let y = 0; y < rows; y++) {
      for (let x = 0; x < cols; x++) {
        gx[i] = x;
        gy[i] = y;
        stride[i] = s;
        i++;
      }
    }
  }
  return { gx, gy, stride };
}

/** What one overlapping detect() call owns: a network, its input canvas and grid, its result. */
interface Lane {
  net: Net;
  out: Detections;
  scratch: NmsScratch;
  canvas: Mat | null;
  /** Resized frame size the canvas and grid were made for; rebuilt when it changes. */
  w: number;
  h: number;
  inputW: number;
  inputH: number;
  anchors: number;
  grid: ReturnType<typeof yoloxGrid>;
}

/** Bounds of the chosen score threshold: the tracker's low threshold, and well under its high one. */
const AUTO_SCORE_MIN = 0.1;
const AUTO_SCORE_MAX = 0.15;

export class YoloxDetector implements Detector {
  readonly name = 'yolox' as const;
  /** Largest input (long side): the model's. */
  private readonly maxSize: number;
  private readonly fitInput: boolean;
  private readonly fixedScore: boolean;
  private scoreThreshold: number;
  /** The calibration, in frame order; undefined when nothing is chosen automatically. */
  private readonly turns: CalibrationTurns | undefined;
  private readonly minPersonPixels: number;
  private readonly minSize: number;
  private readonly holdMs: number;
  /** Input size between the wide checks, and when it or the threshold last changed. */
  private narrowSize: number;
  private changedAt = Number.NEGATIVE_INFINITY;
  /** Largest input allowed by the engine's speed cap (`setWorkLimit`). */
  private workCap: number;
  private readonly nmsIou: number;
  private readonly classId: number;
  private readonly maxDetections: number;
  /** Columns copied per anchor: dx, dy, log w, log h, objectness, class scores up to the wanted one. */
  private readonly cols: number;
  private readonly laneState: Lanes<Lane>;
  private closed = false;

  private constructor(
    private readonly cv: CV,
    nets: Net[],
    options: YoloxOptions,
  ) {
    this.maxSize = options.inputSize ?? 416;
    this.narrowSize = this.maxSize;
    this.fitInput = options.fitInput ?? true;
    if (this.maxSize % 32 !== 0 || this.maxSize < 32)
      throw new Error(`YOLOX inputSize must be a multiple of 32, got ${this.maxSize}`);
    this.fixedScore = options.scoreThreshold !== undefined;
    this.scoreThreshold = options.scoreThreshold ?? AUTO_SCORE_MIN;
    const auto = (options.autoInput ?? true) && this.fitInput;
    this.turns =
      auto || !this.fixedScore
        ? new CalibrationTurns(new SizeCalibration({ minScore: 0.5, ...options.calibration }), nets.length)
        : undefined;
    this.minPersonPixels = auto ? (options.minPersonPixels ?? 32) : 0;
    this.minSize = Math.min(this.maxSize, Math.max(32, options.minInputSize ?? 320));
    this.holdMs = (options.holdSeconds ?? 5) * 1000;
    this.workCap = this.maxSize;
    this.nmsIou = options.nmsIou ?? 0.45;
    this.classId = options.classId ?? 0;
    this.maxDetections = options.maxDetections ?? 300;
    this.cols = 6 + this.classId;
    if (this.classId < 0 || this.classId > 79)
      throw new Error(`YOLOX classId must be 0..79, got ${this.classId}`);
    const lanes = nets.map((net) => ({
      net,
      out: emptyDetections(64),
      scratch: new NmsScratch(),
      canvas: null,
      w: -1,
      h: -1,
      inputW: 0,
      inputH: 0,
      anchors: 0,
      grid: yoloxGrid(0),
    }));
    this.laneState = new Lanes(lanes, 'YOLOX');
  }

  get lanes(): number {
    return this.laneState.count;
  }

  /** Loads an ONNX file; errors name the file and the reason (missing, not a file, not a YOLOX model). */
  static async load(cv: CV, modelPath: string, options: YoloxOptions = {}): Promise<YoloxDetector> {
    if (!existsSync(modelPath)) {
      // A pulled model's place is <data dir>/models/: the command names that data dir.
      const dir =
        basename(dirname(modelPath)) === 'models' ? ` --data-dir ${dirname(dirname(modelPath))}` : '';
      const name = modelNameOfFile(basename(modelPath)) ?? 'yolox-nano';
      throw new Error(
        `YOLOX model file not found: ${modelPath}. Run "oskartrack-agent models pull ${name}${dir}" or pass --model PATH.`,
      );
    }
    if (!statSync(modelPath).isFile()) throw new Error(`YOLOX model path is not a file: ${modelPath}`);
    const lanes = laneCount(options.lanes, 'YOLOX');
    const nets: Net[] = [];
    for (let i = 0; i < lanes; i++) {
      let net: Net;
      try {
        net = await cv.readNetFromONNXAsync(modelPath);
      } catch (err) {
        const reason = err instanceof Error ? err.message : String(err);
        throw new Error(
          `Could not load YOLOX model ${modelPath}: not a readable ONNX network (${reason.trim()})`,
        );
      }
      net.setPreferableBackend(cv.DNN_BACKEND_OPENCV);
      net.setPreferableTarget(cv.DNN_TARGET_CPU);
      nets.push(net);
    }
    return new YoloxDetector(cv, nets, options);
  }

  /**
   * `at`: the frame's time in ms, which the calibration counts its seconds in. Without it the frame is
   * searched with the largest input and teaches the calibration nothing.
   */
  async detect(frame: Mat, at?: number): Promise<Detections> {
    if (this.closed) throw new Error('YOLOX detector is closed');
    const turns = at === undefined || frame.empty ? undefined : this.turns;
    return this.laneState.run(async (lane) => {
      // Sizes chosen from the calls `lag` before this one, whenever they finished (./calibration-turns.ts).
      const turn = turns?.begin(at!);
      const chosen =
        turns && turn && !turn.wide ? this.adapt(frame, turn.at, turns.calibration) : this.maxSize;
      const out = await this.detectIn(lane, frame, Math.min(chosen, this.workCap));
      if (turn) turns?.end(turn, out, frame.rows);
      return out;
    });
  }

  /**
   * Speed cap (Detector.setWorkLimit): the input keeps about `fraction` of the largest input's pixels,
   * never under 160 px (a multiple of 32), whatever the people seen need.
   */
  setWorkLimit(fraction: number): void {
    const f = Math.min(1, Math.max(0, fraction));
    this.workCap = Math.max(Math.min(160, this.maxSize), Math.floor((this.maxSize * Math.sqrt(f)) / 32) * 32);
  }

  /** Input size (long side) used between the wide checks now; the largest while calibrating. */
  get inputSize(): number {
    return this.narrowSize;
  }

  /** Minimum score kept now. */
  get threshold(): number {
    return this.scoreThreshold;
  }

  /** The sizes the calibration searches now (undefined when nothing is chosen automatically). */
  get personSizes(): SizeCalibration | undefined {
    return this.turns?.calibration;
  }

  /**
   * Updates the narrow input size and the threshold from the people seen: a larger input at once (small
   * people would be missed), a smaller one or a stricter threshold only `holdSeconds` after the last change.
   */
  private adapt(frame: Mat, at: number, c: SizeCalibration): number {
    const longSide = Math.max(frame.cols, frame.rows);
    let size = this.narrowSize;
    if (this.minPersonPixels > 0) {
      const want = Math.ceil((this.minPersonPixels * longSide) / c.low / 32) * 32;
      size = Math.min(this.maxSize, Math.max(this.minSize, want));
    }
    let thr = this.scoreThreshold;
    if (!this.fixedScore) {
      const q = c.sizes.scoreQuantile(0.1, at);
      if (!Number.isNaN(q)) thr = Math.min(AUTO_SCORE_MAX, Math.max(AUTO_SCORE_MIN, q / 4));
    }
    const settled = at - this.changedAt >= this.holdMs;
    if (size > this.narrowSize || (size < this.narrowSize && settled)) {
      this.narrowSize = size;
      this.changedAt = at;
    }
    if (thr < this.scoreThreshold || (thr > this.scoreThreshold && settled)) {
      this.scoreThreshold = thr;
      this.changedAt = at;
    }
    return this.narrowSize;
  }

  private async detectIn(lane: Lane, frame: Mat, size: number): Promise<Detections> {
    const cv = this.cv;
    lane.out.count = 0;
    if (frame.empty) return lane.out;

    // Letterbox: resize keeping the aspect ratio into the top-left of the 114-grey canvas.
    const ratio = Math.min(size / frame.rows, size / frame.cols);
    const w = Math.min(size, Math.round(frame.cols * ratio));
    const h = Math.min(size, Math.round(frame.rows * ratio));
    const canvas = this.prepareInput(lane, w, h, size);
    const resized = await frame.resizeAsync(h, w, 0, 0, cv.INTER_LINEAR);
    const roi = canvas.getRegion(new cv.Rect(0, 0, w, h));
    resized.copyTo(roi);
    roi.release();
    resized.release();

    // NCHW float blob, BGR, 0-255: no scaling, no mean, no channel swap, no crop.
    const blob = await cv.blobFromImageAsync(
      canvas,
      1,
      new cv.Size(lane.inputW, lane.inputH),
      new cv.Vec3(0, 0, 0),
      false,
      false,
    );
    let data: Float32Array;
    try {
      lane.net.setInput(blob);
      const output = await lane.net.forwardAsync();
      data = this.readColumns(lane, output);
      output.release();
    } finally {
      blob.release();
    }
    this.decode(lane, data, ratio, frame.cols, frame.rows);
    return lane.out;
  }

  /** Sizes the lane's input for a resized frame of w x h and returns its canvas (padding filled once). */
  private prepareInput(lane: Lane, w: number, h: number, size: number): Mat {
    if (lane.canvas && w === lane.w && h === lane.h) return lane.canvas;
    const fit = (v: number) => (this.fitInput ? Math.min(size, Math.ceil(v / 32) * 32) : size);
    lane.w = w;
    lane.h = h;
    lane.inputW = fit(w);
    lane.inputH = fit(h);
    lane.anchors = yoloxAnchorCount(lane.inputW, lane.inputH);
    lane.grid = yoloxGrid(lane.inputW, lane.inputH);
    lane.canvas?.release();
    const pad = [PAD_VALUE, PAD_VALUE, PAD_VALUE];
    lane.canvas = new this.cv.Mat(lane.inputH, lane.inputW, this.cv.CV_8UC3, pad);
    return lane.canvas;
  }

  /**
   * The fastest path found to a Float32Array of the output: `getData()` refuses 3-D Mats and
   * `getDataAsArray()` builds nested JS arrays (slow). `flattenFloat` gives a 2-D view of the same
   * memory (no copy), `colRange(0, 6).copy()` copies only the 6 of 85 columns read for persons (85 KB
   * instead of 1.2 MB), and `getData()` of that returns a Buffer whose bytes are viewed as floats without a copy.
   */
  private readColumns(lane: Lane, output: Mat): Float32Array {
    const sizes = output.sizes;
    const anchors = sizes.length === 3 ? sizes[1]! : sizes[0]!;
    const channels = sizes[sizes.length - 1]!;
    if (anchors !== lane.anchors || channels < 5 + 80 || output.type !== this.cv.CV_32F) {
      throw new Error(
        `Unexpected YOLOX output shape [${sizes.join(', ')}]: expected [1, ${lane.anchors}, 85] for input ${lane.inputW}x${lane.inputH}. ` +
          'Is this a YOLOX model exported without decoding, and is inputSize right (416 for nano/tiny, 640 for s)? ' +
          'A model exported with a fixed input shape needs fitInput: false.',
      );
    }
    // The view and the column range share the output's memory (~1 MB): released at once, or they
    // keep it alive until the garbage collector gets to them (V8 does not see Mat memory, see cv.ts).
    const view = output.flattenFloat(anchors, channels);
    const range = view.colRange(0, this.cols);
    const cols = range.copy();
    range.release();
    view.release();
    const buf = cols.getData();
    cols.release();
    if (buf.byteOffset % 4 === 0) return new Float32Array(buf.buffer, buf.byteOffset, anchors * this.cols);
    return new Float32Array(Uint8Array.prototype.slice.call(buf).buffer, 0, anchors * this.cols);
  }

  private decode(lane: Lane, d: Float32Array, ratio: number, frameW: number, frameH: number): void {
    const out = lane.out;
    const { gx, gy, stride } = lane.grid;
    const thr = this.scoreThreshold;
    const cols = this.cols;
    let n = 0;
    for (let i = 0; i < lane.anchors; i++) {
      const o = i * cols;
      const score = d[o + 4]! * d[o + cols - 1]!;
      if (score < thr) continue;
      const s = stride[i]!;
      const cx = (d[o]! + gx[i]!) * s;
      const cy = (d[o + 1]! + gy[i]!) * s;
      const hw = (Math.exp(d[o + 2]!) * s) / 2;
      const hh = (Math.exp(d[o + 3]!) * s) / 2;
      ensureCapacity(out, n + 1);
      const b = out.boxes;
      b[n * 4] = Math.max(0, (cx - hw) / ratio);
      b[n * 4 + 1] = Math.max(0, (cy - hh) / ratio);
      b[n * 4 + 2] = Math.min(frameW, (cx + hw) / ratio);
      b[n * 4 + 3] = Math.min(frameH, (cy + hh) / ratio);
      out.scores[n] = score;
      n++;
    }
    out.count = nms(out.boxes, out.scores, n, this.nmsIou, lane.scratch, this.maxDetections);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const lane of this.laneState) lane.canvas?.release();
  }
}
