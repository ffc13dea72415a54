// CLEAR-MOT metrics (Bernardin & Stiefelhagen 2008) with the MOTChallenge matching rule.
//
// Per frame, as py-motmetrics' `MOTAccumulator.update` and the devkit's `clearMOT` do:
// 1. a ground-truth object keeps the result id it was last matched to when that result is present and
//    still overlaps it enough (IoU >= threshold);
// 2. the remaining objects and results are paired by a maximum-cardinality, minimum-cost assignment on
//    `1 - IoU` over the pairs with IoU >= threshold;
// 3. an object matched to a result id other than the one it was last matched to is an id switch;
//    unmatched objects are misses (FN), unmatched results false positives (FP).
//
// `rules: 'motmetrics'` (default) follows py-motmetrics: step 1 uses the last match whenever it was, and a
// fragmentation is a tracked -> missed change among the frames where the object is annotated, between
// its first and last tracked frame. `rules: 'devkit'` follows the Matlab devkit: step 1 only carries a
// match over from the immediately preceding frame, and a fragmentation is a tracked -> untracked change
// over consecutive frame numbers (frames where the object is not annotated count as untracked). On the
// MOTChallenge reference sequences both give the published numbers.

import { AssignmentSolver } from '../track/assignment.ts';
import { rowIou, type Sequence } from './sequence.ts';

export type ClearRules = 'motmetrics' | 'devkit';

export interface ClearCounts {
  /** Ground-truth boxes (kept rows). */
  objects: number;
  /** Matched pairs (including those that are id switches). */
  matches: number;
  fp: number;
  fn: number;
  idSwitches: number;
  fragmentations: number;
  /** Sum of IoU over matched pairs. */
  iouSum: number;
  mt: number;
  pt: number;
  ml: number;
  gtIds: number;
}

export function clearMot(seq: Sequence, iouThreshold: number, rules: ClearRules): ClearCounts {
  const { gt, pred, frames } = seq;
  const nIds = seq.gtIds;
  const last = new Int32Array(nIds).fill(-1); // dense pred id last matched
  const lastMatchFrame = new Float64Array(nIds).fill(Number.NaN);
  const freq = new Int32Array(nIds);
  const tracked = new Int32Array(nIds);
  const gapOpen = new Uint8Array(nIds);
  const everTracked = new Uint8Array(nIds);
  const maxDist = 1 - iouThreshold;
  const solver = new AssignmentSolver();
  let dist = new Float64Array(64);
  let sub = new Float64Array(64);
  let r2c = new Int32Array(8);
  let c2r = new Int32Array(8);
  let gMasked = new Uint8Array(8);
  let pMasked = new Uint8Array(8);
  let rowMap = new Int32Array(8);
  let colMap = new Int32Array(8);
  const out: ClearCounts = {
    objects: 0,
    matches: 0,
    fp: 0,
    fn: 0,
    idSwitches: 0,
    fragmentations: 0,
    iouSum: 0,
    mt: 0,
    pt: 0,
    ml: 0,
    gtIds: nIds,
  };

  const onMatch = (o: number, h: number, d: number, frame: number): void => {
    out.matches++;
    out.iouSum += 1 - d;
    tracked[o]!++;
    if (rules === 'motmetrics') {
      if (gapOpen[o]) out.fragmentations++;
      gapOpen[o] = 0;
    } else if (everTracked[o] && frame > lastMatchFrame[o]! + 1) {
      out.fragmentations++;
    }
    everTracked[o] = 1;
    last[o] = h;
    lastMatchFrame[o] = frame;
  };

  for (let f = 0; f < frames.length; f++) {
    const frame = frames[f]!;
    const g0 = seq.gtStart[f]!;
    const nG = seq.gtStart[f + 1]! - g0;
    const p0 = seq.predStart[f]!;
    const nP = seq.predStart[f + 1]! - p0;
    out.objects += nG;
    if (dist.length < nG * nP) dist = new Float64Array(nG * nP * 2);
    if (gMasked.length < nG) gMasked = new Uint8Array(nG * 2);
    if (pMasked.length < nP) pMasked = new Uint8Array(nP * 2);
    gMasked.fill(0, 0, nG);
    pMasked.fill(0, 0, nP);
    for (let a = 0; a < nG; a++) {
      const gi = seq.gtIdx[g0 + a]!;
      freq[seq.gtDense[gi]!]!++;
      for (let b = 0; b < nP; b++) {
        const d = 1 - rowIou(gt, gi, pred, seq.predIdx[p0 + b]!);
        dist[a * nP + b] = d <= maxDist ? d : Number.NaN;
      }
    }
    // 1. Keep earlier correspondences that are still valid.
    for (let a = 0; a < nG; a++) {
      const o = seq.gtDense[seq.gtIdx[g0 + a]!]!;
      const h = last[o]!;
      if (h < 0) continue;
      if (rules === 'devkit' && lastMatchFrame[o] !== frame - 1) continue;
      for (let b = 0; b < nP; b++) {
        if (pMasked[b] || seq.predDense[seq.predIdx[p0 + b]!] !== h) continue;
        const d = dist[a * nP + b]!;
        if (!Number.isNaN(d)) {
          gMasked[a] = 1;
          pMasked[b] = 1;
          onMatch(o, h, d, frame);
        }
        break;
      }
    }
    // 2. Optimal assignment of the rest.
    let nr = 0;
    let nc = 0;
    if (rowMap.length < nG) rowMap = new Int32Array(nG * 2);
    if (colMap.length < nP) colMap = new Int32Array(nP * 2);
    for (let a = 0; a < nG; a++) if (!gMasked[a]) rowMap[nr++] = a;
    for (let b = 0; b < nP; b++) if (!pMasked[b]) colMap[nc++] = b;
    if (nr > 0 && nc > 0) {
      if (sub.length < nr * nc) sub = new Float64Array(nr * nc * 2);
      if (r2c.length < nr) r2c = new Int32Array(nr * 2);
      if (c2r.length < nc) c2r = new Int32Array(nc * 2);
      for (let r = 0; r < nr; r++) {
        for (let c = 0; c < nc; c++) sub[r * nc + c] = dist[rowMap[r]! * nP + colMap[c]!]!;
      }
      solver.solveSparse(sub, nr, nc, r2c, c2r);
      for (let r = 0; r < nr; r++) {
        const c = r2c[r]!;
        if (c < 0) continue;
        const a = rowMap[r]!;
        const b = colMap[c]!;
        const o = seq.gtDense[seq.gtIdx[g0 + a]!]!;
        const h = seq.predDense[seq.predIdx[p0 + b]!]!;
        if (last[o]! >= 0 && last[o] !== h) out.idSwitches++;
        gMasked[a] = 1;
        pMasked[b] = 1;
        onMatch(o, h, dist[a * nP + b]!, frame);
      }
    }
    // 3. Misses; 4. false positives.
    for (let a = 0; a < nG; a++) {
      if (gMasked[a]) continue;
      out.fn++;
      const o = seq.gtDense[seq.gtIdx[g0 + a]!]!;
      if (everTracked[o]) gapOpen[o] = 1;
    }
    for (let b = 0; b < nP; b++) if (!pMasked[b]) out.fp++;
  }

  for (let o = 0; o < nIds; o++) {
    const ratio = freq[o]! > 0 ? tracked[o]! / freq[o]! : 0;
    if (ratio >= 0.8) out.mt++;
    else if (ratio >= 0.2) out.pt++;
    else out.ml++;
  }
  return out;
}
