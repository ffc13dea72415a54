// Ground truth and results of one sequence, grouped by frame, with ids mapped to dense indices.

import { AssignmentSolver } from '../track/assignment.ts';
import type { MotRows } from './mot-format.ts';

/** How ground-truth rows with 0 in the conf column are treated. */
export type ZeroConfPolicy = 'ignore' | 'drop' | 'keep';

export interface Sequence {
  gt: MotRows;
  pred: MotRows;
  /** Every frame number that appears in either file, ascending. */
  frames: Int32Array;
  /** Rows of frame `frames[f]` are `gtIdx[gtStart[f] .. gtStart[f + 1])` (row numbers, file order). */
  gtStart: Int32Array;
  gtIdx: Int32Array;
  predStart: Int32Array;
  predIdx: Int32Array;
  /** Dense id index of each row (only meaningful for rows kept). */
  gtDense: Int32Array;
  predDense: Int32Array;
  gtIds: number;
  predIds: number;
  /** Kept row counts. */
  gtRows: number;
  predRows: number;
  /** Result rows removed because they matched an ignored ground-truth row. */
  ignoredPredRows: number;
}

/**
 * IoU of two `left, top, width, height` boxes, computed as py-motmetrics and TrackEval do (corners as
 * `left + width`, no +1 pixel convention; empty or degenerate boxes give 0).
 */
export function iouXywh(
  l1: number,
  t1: number,
  w1: number,
  h1: number,
  l2: number,
  t2: number,
  w2: number,
  h2: number,
): number {
  const iw = Math.min(l1 + w1, l2 + w2) - Math.max(l1, l2);
  const ih = Math.min(t1 + h1, t2 + h2) - Math.max(t1, t2);
  if (iw <= 0 || ih <= 0) return 0;
  const inter = iw * ih;
  const a1 = Math.max(w1, 0) * Math.max(h1, 0);
  const a2 = Math.max(w2, 0) * Math.max(h2, 0);
  const union = a1 + a2 - inter;
  if (a1 <= 0 || a2 <= 0 || union <= Number.EPSILON) return 0;
  return inter / union;
}

export function rowIou(a: MotRows, i: number, b: MotRows, j: number): number {
  return iouXywh(
    a.left[i]!,
    a.top[i]!,
    a.width[i]!,
    a.height[i]!,
    b.left[j]!,
    b.top[j]!,
    b.width[j]!,
    b.height[j]!,
  );
}

function groupByFrame(
  rows: MotRows,
  keep: Uint8Array,
  frames: Int32Array,
  frameOf: Map<number, number>,
): { start: Int32Array; idx: Int32Array } {
  const start = new Int32Array(frames.length + 1);
  for (let i = 0; i < rows.count; i++) if (keep[i]) start[frameOf.get(rows.frame[i]!)! + 1]!++;
  for (let f = 0; f < frames.length; f++) start[f + 1] = start[f + 1]! + start[f]!;
  const fill = start.slice(0, frames.length);
  const idx = new Int32Array(start[frames.length]!);
  for (let i = 0; i < rows.count; i++) {
    if (!keep[i]) continue;
    const f = frameOf.get(rows.frame[i]!)!;
    idx[fill[f]!++] = i;
  }
  return { start, idx };
}

function denseIds(rows: MotRows, keep: Uint8Array): { dense: Int32Array; count: number } {
  const map = new Map<number, number>();
  const dense = new Int32Array(rows.count).fill(-1);
  for (let i = 0; i < rows.count; i++) {
    if (!keep[i]) continue;
    const id = rows.id[i]!;
    let d = map.get(id);
    if (d === undefined) {
      d = map.size;
      map.set(id, d);
    }
    dense[i] = d;
  }
  return { dense, count: map.size };
}

/**
 * Groups both files by frame and applies the zero-conf policy:
 * - `ignore` (default): ground-truth rows with conf 0 are removed, and so is every result box matched to
 *   one of them in its frame (optimal assignment over all ground truth of the frame, IoU >= threshold),
 *   so a tracker is neither rewarded nor punished there: MOTChallenge's treatment of ignored regions
 *   (MOT16/17 devkit and TrackEval remove such results before scoring).
 * - `drop`: ground-truth rows with conf 0 are removed and results are left alone (unmatched results
 *   there count as false positives): TrackEval's rule for the MOT15 benchmark.
 * - `keep`: conf is not looked at (py-motmetrics' loader default, `min_confidence=-1`).
 */
export function buildSequence(
  gt: MotRows,
  pred: MotRows,
  zeroConf: ZeroConfPolicy,
  iouThreshold: number,
): Sequence {
  const all = new Set<number>();
  for (let i = 0; i < gt.count; i++) all.add(gt.frame[i]!);
  for (let i = 0; i < pred.count; i++) all.add(pred.frame[i]!);
  const frames = Int32Array.from(all).sort();
  const frameOf = new Map<number, number>();
  for (let k = 0; k < frames.length; k++) frameOf.set(frames[k]!, k);

  const gtAll = new Uint8Array(gt.count).fill(1);
  const gtKeep = new Uint8Array(gt.count);
  for (let i = 0; i < gt.count; i++) gtKeep[i] = zeroConf === 'keep' || gt.conf[i] !== 0 ? 1 : 0;
  const predKeep = new Uint8Array(pred.count).fill(1);
  let ignoredPredRows = 0;

  if (zeroConf === 'ignore') {
    const g = groupByFrame(gt, gtAll, frames, frameOf);
    const p = groupByFrame(pred, predKeep, frames, frameOf);
    const solver = new AssignmentSolver();
    let sim = new Float64Array(64);
    let r2c = new Int32Array(8);
    let c2r = new Int32Array(8);
    for (let f = 0; f < frames.length; f++) {
      const g0 = g.start[f]!;
      const nG = g.start[f + 1]! - g0;
      const p0 = p.start[f]!;
      const nP = p.start[f + 1]! - p0;
      if (nG === 0 || nP === 0) continue;
      let anyZero = false;
      for (let a = 0; a < nG; a++) if (!gtKeep[g.idx[g0 + a]!]) anyZero = true;
      if (!anyZero) continue;
      if (sim.length < nG * nP) sim = new Float64Array(nG * nP);
      if (r2c.length < nG) r2c = new Int32Array(nG);
      if (c2r.length < nP) c2r = new Int32Array(nP);
      for (let a = 0; a < nG; a++) {
        for (let b = 0; b < nP; b++) {
          const s = rowIou(gt, g.idx[g0 + a]!, pred, p.idx[p0 + b]!);
          sim[a * nP + b] = s >= iouThreshold ? s : 0;
        }
      }
      solver.solve(sim, nG, nP, r2c, c2r, true);
      for (let a = 0; a < nG; a++) {
        const b = r2c[a]!;
        if (b < 0 || sim[a * nP + b]! <= 0) continue;
        if (!gtKeep[g.idx[g0 + a]!]) {
          predKeep[p.idx[p0 + b]!] = 0;
          ignoredPredRows++;
        }
      }
    }
  }

  const g = groupByFrame(gt, gtKeep, frames, frameOf);
  const p = groupByFrame(pred, predKeep, frames, frameOf);
  const gd = denseIds(gt, gtKeep);
  const pd = denseIds(pred, predKeep);
  return {
    gt,
    pred,
    frames,
    gtStart: g.start,
    gtIdx: g.idx,
    predStart: p.start,
    predIdx: p.idx,
    gtDense: gd.dense,
    predDense: pd.dense,
    gtIds: gd.count,
    predIds: pd.count,
    gtRows: g.idx.length,
    predRows: p.idx.length,
    ignoredPredRows,
  };
}
