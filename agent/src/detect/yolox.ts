// YOLOX (Megvii, Apache-2.0) ONNX models through OpenCV's DNN module: letterbox, forward, grid decode.
import { existsSync, statSync } from 'node:fs';
import type { CV, Mat } from '../cv.ts';
import type { Detections } from '../types.ts';
import { emptyDetections } from '../types.ts';
import { type Detector, ensureCapacity } from './detector.ts';
import { NmsScratch, nms } from './nms.ts';

type Net = ReturnType<CV['readNetFromONNX']>;

export interface YoloxOptions {
  /** Square network input size the model was exported with. Default 416 (nano, tiny); 640 for yolox-s. */
  inputSize?: number;
  /** Minimum objectness x class score. Default 0.1 (ByteTrack keeps low-score boxes for its 2nd pass). */
  scoreThreshold?: number;
  /** IoU above which the weaker box is suppressed. Default 0.45. */
  nmsIou?: number;
  /** COCO class to keep. Default 0 (person). */
  classId?: number;
  /** Upper bound on detections per frame after NMS. Default 300. */
  maxDetections?: number;
}

const STRIDES = [8, 16, 32] as const;
const PAD_VALUE = 114;

/** Number of anchor points YOLOX produces for a square input of `size` pixels. */
export function yoloxAnchorCount(size: number): number {
  let n = 0;
  for (const s of STRIDES) n += Math.floor(size / s) ** 2;
  return n;
}

/**
 * Precomputed grid: for anchor i, its cell column and row and its stride, in the order YOLOX
 * concatenates the three heads (stride 8 row-major, then 16, then 32).
 */
export function yoloxGrid(size: number): { gx: Float32Array; gy: Float32Array; stride: Float32Array } {
  const n = yoloxAnchorCount(size);
  const gx = new Float32Array(n);
  const gy = new Float32Array(n);
  const stride = new Float32Array(n);
  let i = 0;
  for (const s of STRIDES) {
    const cells = Math.floor(size / s);
    for (let y = 0; y < cells; y++) {
      for (let x = 0; x < cells; x++) {
        gx[i] = x;
        gy[i] = y;
        stride[i] = s;
        i++;
      }
    }
  }
  return { gx, gy, stride };
}

export class YoloxDetector implements Detector {
  readonly name = 'yolox' as const;
  private readonly size: number;
  private readonly anchors: number;
  private readonly grid: ReturnType<typeof yoloxGrid>;
  private readonly scoreThreshold: number;
  private readonly nmsIou: number;
  private readonly classId: number;
  private readonly maxDetections: number;
  /** Columns copied per anchor: dx, dy, log w, log h, objectness, class scores up to the wanted one. */
  private readonly cols: number;
  private readonly out: Detections = emptyDetections(64);
  private readonly scratch = new NmsScratch();
  /** Letterbox canvas, kept between frames; its padding is refilled only when the frame size changes. */
  private canvas: Mat;
  private lastW = -1;
  private lastH = -1;
  private closed = false;

  private constructor(
    private readonly cv: CV,
    private readonly net: Net,
    options: YoloxOptions,
  ) {
    this.size = options.inputSize ?? 416;
    this.anchors = yoloxAnchorCount(this.size);
    this.grid = yoloxGrid(this.size);
    this.scoreThreshold = options.scoreThreshold ?? 0.1;
    this.nmsIou = options.nmsIou ?? 0.45;
    this.classId = options.classId ?? 0;
    this.maxDetections = options.maxDetections ?? 300;
    this.cols = 6 + this.classId;
    if (this.classId < 0 || this.classId > 79)
      throw new Error(`YOLOX classId must be 0..79, got ${this.classId}`);
    this.canvas = new cv.Mat(this.size, this.size, cv.CV_8UC3, [PAD_VALUE, PAD_VALUE, PAD_VALUE]);
  }

  /** Loads an ONNX file; errors name the file and the reason (missing, not a file, not a YOLOX model). */
  static async load(cv: CV, modelPath: string, options: YoloxOptions = {}): Promise<YoloxDetector> {
    if (!existsSync(modelPath)) {
      throw new Error(
        `YOLOX model file not found: ${modelPath}. Run "oskartrack-agent models pull yolox-nano" or pass --model PATH.`,
      );
    }
    if (!statSync(modelPath).isFile()) throw new Error(`YOLOX model path is not a file: ${modelPath}`);
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
    return new YoloxDetector(cv, net, options);
  }

  async detect(frame: Mat): Promise<Detections> {
    if (this.closed) throw new Error('YOLOX detector is closed');
    const cv = this.cv;
    const out = this.out;
    out.count = 0;
    if (frame.empty) return out;

    // Letterbox: resize keeping the aspect ratio into the top-left of the 114-grey canvas.
    const size = this.size;
    const ratio = Math.min(size / frame.rows, size / frame.cols);
    const w = Math.min(size, Math.round(frame.cols * ratio));
    const h = Math.min(size, Math.round(frame.rows * ratio));
    if (w !== this.lastW || h !== this.lastH) {
      this.canvas.setTo(new cv.Vec3(PAD_VALUE, PAD_VALUE, PAD_VALUE));
      this.lastW = w;
      this.lastH = h;
    }
    const resized = await frame.resizeAsync(h, w, 0, 0, cv.INTER_LINEAR);
    const roi = this.canvas.getRegion(new cv.Rect(0, 0, w, h));
    resized.copyTo(roi);
    resized.release();

    // NCHW float blob, BGR, 0-255: no scaling, no mean, no channel swap, no crop.
    const blob = await cv.blobFromImageAsync(
      this.canvas,
      1,
      new cv.Size(size, size),
      new cv.Vec3(0, 0, 0),
      false,
      false,
    );
    let data: Float32Array;
    try {
      this.net.setInput(blob);
      const output = await this.net.forwardAsync();
      data = this.readColumns(output);
      output.release();
    } finally {
      blob.release();
    }
    this.decode(data, ratio, frame.cols, frame.rows);
    return out;
  }

  /**
   * The fastest path found to a Float32Array of the output: `getData()` refuses 3-D Mats and
   * `getDataAsArray()` builds nested JS arrays (slow). `flattenFloat` gives a 2-D view of the same
   * memory (no copy), `colRange(0, 6).copy()` copies only the 6 of 85 columns read for persons (85 KB
   * instead of 1.2 MB), and `getData()` of that returns a Buffer whose bytes are viewed as floats without a copy.
   */
  private readColumns(output: Mat): Float32Array {
    const sizes = output.sizes;
    const anchors = sizes.length === 3 ? sizes[1]! : sizes[0]!;
    const channels = sizes[sizes.length - 1]!;
    if (anchors !== this.anchors || channels < 5 + 80 || output.type !== this.cv.CV_32F) {
      throw new Error(
        `Unexpected YOLOX output shape [${sizes.join(', ')}]: expected [1, ${this.anchors}, 85] for input ${this.size}. ` +
          'Is this a YOLOX model exported without decoding, and is inputSize right (416 for nano/tiny, 640 for s)?',
      );
    }
    const view = output.flattenFloat(anchors, channels);
    const cols = view.colRange(0, this.cols).copy();
    const buf = cols.getData();
    cols.release();
    if (buf.byteOffset % 4 === 0) return new Float32Array(buf.buffer, buf.byteOffset, anchors * this.cols);
    return new Float32Array(Uint8Array.prototype.slice.call(buf).buffer, 0, anchors * this.cols);
  }

  private decode(d: Float32Array, ratio: number, frameW: number, frameH: number): void {
    const out = this.out;
    const { gx, gy, stride } = this.grid;
    const thr = this.scoreThreshold;
    const cols = this.cols;
    let n = 0;
    for (let i = 0; i < this.anchors; i++) {
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
    out.count = nms(out.boxes, out.scores, n, this.nmsIou, this.scratch, this.maxDetections);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.canvas.release();
  }
}
