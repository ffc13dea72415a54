// Identity metrics (Ristani et al. 2016): IDF1, IDP, IDR.
//
// Every ground-truth trajectory is paired with at most one result trajectory (and vice versa) so that the
// number of frames where the paired boxes overlap (IoU >= threshold) is as large as possible: a global
// bipartite assignment over ids. That count is IDTP; IDFN = ground-truth boxes - IDTP, IDFP = result
// boxes - IDTP. This is the same optimum py-motmetrics finds with its (no + nh)-square cost matrix.

import { AssignmentSolver } from '../track/assignment.ts';
import { rowIou, type Sequence } from './sequence.ts';

export interface IdentityCounts {
  idtp: number;
  idfp: number;
  idfn: number;
}

export function identityMetrics(seq: Sequence, iouThreshold: number): IdentityCounts {
  const { gt, pred, frames } = seq;
  const overlap = new Map<number, number>();
  const nH = seq.predIds;
  for (let f = 0; f < frames.length; f++) {
    const g0 = seq.gtStart[f]!;
    const g1 = seq.gtStart[f + 1]!;
    const p0 = seq.predStart[f]!;
    const p1 = seq.predStart[f + 1]!;
    for (let a = g0; a < g1; a++) {
      const gi = seq.gtIdx[a]!;
      for (let b = p0; b < p1; b++) {
        const pi = seq.predIdx[b]!;
        if (rowIou(gt, gi, pred, pi) < iouThreshold) continue;
        const key = seq.gtDense[gi]! * nH + seq.predDense[pi]!;
        overlap.set(key, (overlap.get(key) ?? 0) + 1);
      }
    }
  }
  // Only ids that overlap at all can be usefully paired.
  const rowOf = new Map<number, number>();
  const colOf = new Map<number, number>();
  for (const key of overlap.keys()) {
    const o = Math.floor(key / nH);
    const h = key - o * nH;
    if (!rowOf.has(o)) rowOf.set(o, rowOf.size);
    if (!colOf.has(h)) colOf.set(h, colOf.size);
  }
  const rows = rowOf.size;
  const cols = colOf.size;
  let idtp = 0;
  if (rows > 0 && cols > 0) {
    const w = new Float64Array(rows * cols);
    for (const [key, count] of overlap) {
      const o = Math.floor(key / nH);
      w[rowOf.get(o)! * cols + colOf.get(key - o * nH)!] = count;
    }
    const r2c = new Int32Array(rows);
    const c2r = new Int32Array(cols);
    new AssignmentSolver().solve(w, rows, cols, r2c, c2r, true);
    for (let r = 0; r < rows; r++) {
      const c = r2c[r]!;
      if (c >= 0) idtp += w[r * cols + c]!;
    }
  }
  return { idtp, idfp: seq.predRows - idtp, idfn: seq.gtRows - idtp };
}
