// Constant-velocity Kalman filter over a box, as in SORT / DeepSORT / ByteTrack (`KalmanFilterXYAH`).
//
// State (8): centre x, centre y, aspect ratio a = w / h, height h, and their velocities. Measurement
// (4): x, y, a, h. Process and measurement noise scale with the box height, with ByteTrack's weights.
// Everything works in place on caller-owned arrays (a mean of 8 and a row-major 8x8 covariance) and
// on the filter's own scratch buffers: nothing is allocated per call.

export const STATE_DIM = 8;
export const MEASURE_DIM = 4;

export interface KalmanOptions {
  /** Position noise relative to the box height (ByteTrack: 1/20). */
  stdWeightPosition: number;
  /** Velocity noise relative to the box height (ByteTrack: 1/160). */
  stdWeightVelocity: number;
}

export const DEFAULT_KALMAN: KalmanOptions = { stdWeightPosition: 1 / 20, stdWeightVelocity: 1 / 160 };

export class KalmanFilter {
  readonly wp: number;
  readonly wv: number;
  // Scratch: projected covariance S (4x4), its Cholesky factor, P H^T (8x4), gain K (8x4), innovation.
  private readonly s = new Float64Array(16);
  private readonly l = new Float64Array(16);
  private readonly pht = new Float64Array(32);
  private readonly k = new Float64Array(32);
  private readonly y = new Float64Array(4);
  private readonly tmp = new Float64Array(64);

  constructor(opts: Partial<KalmanOptions> = {}) {
    this.wp = opts.stdWeightPosition ?? DEFAULT_KALMAN.stdWeightPosition;
    this.wv = opts.stdWeightVelocity ?? DEFAULT_KALMAN.stdWeightVelocity;
  }

  /** Starts a track from a measurement (x, y, a, h): zero velocity, height-scaled uncertainty. */
  initiate(x: number, y: number, a: number, h: number, mean: Float64Array, cov: Float64Array): void {
    mean[0] = x;
    mean[1] = y;
    mean[2] = a;
    mean[3] = h;
    mean[4] = 0;
    mean[5] = 0;
    mean[6] = 0;
    mean[7] = 0;
    cov.fill(0, 0, 64);
    const p = 2 * this.wp * h;
    const v = 10 * this.wv * h;
    cov[0] = p * p;
    cov[9] = p * p;
    cov[18] = 1e-2 * 1e-2;
    cov[27] = p * p;
    cov[36] = v * v;
    cov[45] = v * v;
    cov[54] = 1e-5 * 1e-5;
    cov[63] = v * v;
  }

  /** One time step: x <- F x, P <- F P F^T + Q, with F = [[I, I], [0, I]]. */
  predict(mean: Float64Array, cov: Float64Array): void {
    const h = mean[3]!;
    for (let i = 0; i < 4; i++) mean[i] = mean[i]! + mean[i + 4]!;
    // T = F P: rows 0..3 gain rows 4..7.
    const t = this.tmp;
    for (let i = 0; i < 8; i++) {
      for (let j = 0; j < 8; j++) {
        t[i * 8 + j] = i < 4 ? cov[i * 8 + j]! + cov[(i + 4) * 8 + j]! : cov[i * 8 + j]!;
      }
    }
    // P = T F^T: columns 0..3 gain columns 4..7.
    for (let i = 0; i < 8; i++) {
      for (let j = 0; j < 8; j++) {
        cov[i * 8 + j] = j < 4 ? t[i * 8 + j]! + t[i * 8 + j + 4]! : t[i * 8 + j]!;
      }
    }
    const p = this.wp * h;
    const v = this.wv * h;
    cov[0] = cov[0]! + p * p;
    cov[9] = cov[9]! + p * p;
    cov[18] = cov[18]! + 1e-4;
    cov[27] = cov[27]! + p * p;
    cov[36] = cov[36]! + v * v;
    cov[45] = cov[45]! + v * v;
    cov[54] = cov[54]! + 1e-10;
    cov[63] = cov[63]! + v * v;
  }

  /** Corrects the state with a measurement (x, y, a, h). */
  update(mean: Float64Array, cov: Float64Array, x: number, y: number, a: number, h: number): void {
    const { s, l, pht, k } = this;
    // S = H P H^T + R, with R scaled by the predicted height (as ByteTrack's `project`).
    const r = this.wp * mean[3]!;
    for (let i = 0; i < 4; i++) {
      for (let j = 0; j < 4; j++) s[i * 4 + j] = cov[i * 8 + j]!;
    }
    s[0] = s[0]! + r * r;
    s[5] = s[5]! + r * r;
    s[10] = s[10]! + 1e-1 * 1e-1;
    s[15] = s[15]! + r * r;
    // Cholesky: S = L L^T.
    l.fill(0);
    for (let i = 0; i < 4; i++) {
      for (let j = 0; j <= i; j++) {
        let sum = s[i * 4 + j]!;
        for (let m = 0; m < j; m++) sum -= l[i * 4 + m]! * l[j * 4 + m]!;
        if (i === j) l[i * 4 + i] = Math.sqrt(Math.max(sum, 1e-12));
        else l[i * 4 + j] = sum / l[j * 4 + j]!;
      }
    }
    // P H^T is the first four columns of P (8x4).
    for (let i = 0; i < 8; i++) {
      for (let j = 0; j < 4; j++) pht[i * 4 + j] = cov[i * 8 + j]!;
    }
    // K = P H^T S^-1: solve K S = P H^T row by row (S symmetric: S K_i^T = (P H^T)_i^T).
    for (let i = 0; i < 8; i++) {
      // Forward: L z = b.
      for (let j = 0; j < 4; j++) {
        let sum = pht[i * 4 + j]!;
        for (let m = 0; m < j; m++) sum -= l[j * 4 + m]! * k[i * 4 + m]!;
        k[i * 4 + j] = sum / l[j * 4 + j]!;
      }
      // Backward: L^T k = z.
      for (let j = 3; j >= 0; j--) {
        let sum = k[i * 4 + j]!;
        for (let m = j + 1; m < 4; m++) sum -= l[m * 4 + j]! * k[i * 4 + m]!;
        k[i * 4 + j] = sum / l[j * 4 + j]!;
      }
    }
    const yv = this.y;
    yv[0] = x - mean[0]!;
    yv[1] = y - mean[1]!;
    yv[2] = a - mean[2]!;
    yv[3] = h - mean[3]!;
    for (let i = 0; i < 8; i++) {
      mean[i] =
        mean[i]! +
        k[i * 4]! * yv[0]! +
        k[i * 4 + 1]! * yv[1]! +
        k[i * 4 + 2]! * yv[2]! +
        k[i * 4 + 3]! * yv[3]!;
    }
    // P <- P - K (H P) = P - K (P H^T)^T, then symmetrise against rounding.
    const t = this.tmp;
    for (let i = 0; i < 8; i++) {
      for (let j = 0; j < 8; j++) {
        let sum = 0;
        for (let m = 0; m < 4; m++) sum += k[i * 4 + m]! * pht[j * 4 + m]!;
        t[i * 8 + j] = cov[i * 8 + j]! - sum;
      }
    }
    for (let i = 0; i < 8; i++) {
      for (let j = 0; j < 8; j++) cov[i * 8 + j] = 0.5 * (t[i * 8 + j]! + t[j * 8 + i]!);
    }
  }
}
