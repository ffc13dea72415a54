import { describe, expect, it } from 'vitest';
import { KalmanFilter } from '../../src/track/kalman.ts';

// A plain dense reference of the same filter (ByteTrack's KalmanFilterXYAH), written the textbook way.
type M = number[][];
const zeros = (r: number, c: number): M => Array.from({ length: r }, () => new Array<number>(c).fill(0));
const mul = (a: M, b: M): M => {
  const out = zeros(a.length, b[0]!.length);
  for (let i = 0; i < a.length; i++)
    for (let j = 0; j < b[0]!.length; j++)
      for (let k = 0; k < b.length; k++) out[i]![j]! += a[i]![k]! * b[k]![j]!;
  return out;
};
const tr = (a: M): M => a[0]!.map((_, j) => a.map((row) => row[j]!));
const add = (a: M, b: M, s = 1): M => a.map((row, i) => row.map((x, j) => x + s * b[i]![j]!));
const diag = (d: number[]): M => d.map((x, i) => d.map((_, j) => (i === j ? x : 0)));
function inv(a: M): M {
  const n = a.length;
  const m = a.map((row, i) => [...row, ...diag(new Array<number>(n).fill(1))[i]!]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r]![c]!) > Math.abs(m[p]![c]!)) p = r;
    [m[c], m[p]] = [m[p]!, m[c]!];
    const piv = m[c]![c]!;
    for (let j = 0; j < 2 * n; j++) m[c]![j]! /= piv;
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = m[r]![c]!;
      for (let j = 0; j < 2 * n; j++) m[r]![j]! -= f * m[c]![j]!;
    }
  }
  return m.map((row) => row.slice(n));
}
const F: M = diag([1, 1, 1, 1, 1, 1, 1, 1]).map((row, i) => row.map((x, j) => (j === i + 4 ? 1 : x)));
const H: M = zeros(4, 8).map((row, i) => row.map((_, j) => (i === j ? 1 : 0)));
const wp = 1 / 20;
const wv = 1 / 160;

function refPredict(x: M, P: M): [M, M] {
  const h = x[3]![0]!;
  const q = diag([wp * h, wp * h, 1e-2, wp * h, wv * h, wv * h, 1e-5, wv * h].map((s) => s * s));
  return [mul(F, x), add(mul(mul(F, P), tr(F)), q)];
}
function refUpdate(x: M, P: M, z: number[]): [M, M] {
  const h = x[3]![0]!;
  const r = diag([wp * h, wp * h, 1e-1, wp * h].map((s) => s * s));
  const S = add(mul(mul(H, P), tr(H)), r);
  const K = mul(mul(P, tr(H)), inv(S));
  const y = add(
    z.map((v) => [v]),
    mul(H, x),
    -1,
  );
  return [add(x, mul(K, y)), add(P, mul(mul(K, S), tr(K)), -1)];
}

const toM = (a: Float64Array, r: number, c: number): M =>
  Array.from({ length: r }, (_, i) => Array.from(a.subarray(i * c, i * c + c)));

function expectClose(a: M, b: M, tol: number): void {
  for (let i = 0; i < a.length; i++)
    for (let j = 0; j < a[0]!.length; j++) expect(Math.abs(a[i]![j]! - b[i]![j]!)).toBeLessThan(tol);
}

describe('Kalman filter (x, y, a, h, constant velocity)', () => {
  it('initiates with zero velocity and height-scaled variances', () => {
    const kf = new KalmanFilter();
    const mean = new Float64Array(8);
    const cov = new Float64Array(64);
    kf.initiate(100, 200, 0.5, 80, mean, cov);
    expect(Array.from(mean)).toEqual([100, 200, 0.5, 80, 0, 0, 0, 0]);
    expect(cov[0]).toBeCloseTo((2 * wp * 80) ** 2, 12);
    expect(cov[36]).toBeCloseTo((10 * wv * 80) ** 2, 12);
    expect(cov[1]).toBe(0);
  });

  it('predict and update agree with a dense textbook implementation over many steps', () => {
    const kf = new KalmanFilter();
    const mean = new Float64Array(8);
    const cov = new Float64Array(64);
    kf.initiate(50, 60, 0.4, 100, mean, cov);
    let x = toM(mean, 8, 1);
    let P = toM(cov, 8, 8);
    for (let t = 1; t <= 40; t++) {
      kf.predict(mean, cov);
      [x, P] = refPredict(x, P);
      expectClose(toM(mean, 8, 1), x, 1e-8);
      expectClose(toM(cov, 8, 8), P, 1e-8);
      if (t % 5 !== 0) {
        const z = [50 + 3 * t + Math.sin(t), 60 + 1.5 * t, 0.4 + 0.01 * Math.cos(t), 100 + 0.5 * t];
        kf.update(mean, cov, z[0]!, z[1]!, z[2]!, z[3]!);
        [x, P] = refUpdate(x, P, z);
        expectClose(toM(mean, 8, 1), x, 1e-7);
        expectClose(toM(cov, 8, 8), P, 1e-7);
      }
    }
  });

  it('learns a constant velocity and extrapolates it', () => {
    const kf = new KalmanFilter();
    const mean = new Float64Array(8);
    const cov = new Float64Array(64);
    kf.initiate(0, 0, 0.5, 100, mean, cov);
    for (let t = 1; t <= 30; t++) {
      kf.predict(mean, cov);
      kf.update(mean, cov, 4 * t, -2 * t, 0.5, 100);
    }
    expect(mean[4]).toBeCloseTo(4, 1);
    expect(mean[5]).toBeCloseTo(-2, 1);
    for (let t = 31; t <= 35; t++) kf.predict(mean, cov);
    expect(mean[0]).toBeGreaterThan(4 * 35 - 3);
    expect(mean[0]).toBeLessThan(4 * 35 + 3);
  });

  it('prediction grows uncertainty and a measurement shrinks it; covariance stays symmetric', () => {
    const kf = new KalmanFilter();
    const mean = new Float64Array(8);
    const cov = new Float64Array(64);
    kf.initiate(10, 10, 0.5, 50, mean, cov);
    const before = cov[0]!;
    kf.predict(mean, cov);
    const predicted = cov[0]!;
    expect(predicted).toBeGreaterThan(before);
    kf.update(mean, cov, 12, 10, 0.5, 50);
    expect(cov[0]!).toBeLessThan(predicted);
    expect(mean[0]!).toBeGreaterThan(10);
    expect(mean[0]!).toBeLessThan(12);
    for (let i = 0; i < 8; i++) for (let j = 0; j < 8; j++) expect(cov[i * 8 + j]).toBe(cov[j * 8 + i]);
  });
});
