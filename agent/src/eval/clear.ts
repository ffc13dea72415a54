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

/** Per-id state, reusable per-frame buffers (grown on demand) and the running counts. */
interface ClearState {
  rules: ClearRules;
  maxDist: number;
  solver: AssignmentSolver;
  out: ClearCounts;
  /** Dense pred id last matched, per dense gt id (-1: never). */
  last: Int32Array;
  lastMatchFrame: Float64Array;
  freq: Int32Array;
  tracked: Int32Array;
  gapOpen: Uint8Array;
  everTracked: Uint8Array;
  dist: Float64Array;
  sub: Float64Array;
  r2c: Int32Array;
  c2r: Int32Array;
  gMasked: Uint8Array;
  pMasked: Uint8Array;
  rowMap: Int32Array;
  colMap: Int32Array;
  nG: number;
  nP: number;
}

function newClearState(nIds: number, iouThreshold: number, rules: ClearRules): ClearState {
  return {
    rules,
    maxDist: 1 - iouThreshold,
    solver: new AssignmentSolver(),
    out: {
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
    },
    last: new Int32Array(nIds).fill(-1),
    lastMatchFrame: new Float64Array(nIds).fill(Number.NaN),
    freq: new Int32Array(nIds),
    tracked: new Int32Array(nIds),
    gapOpen: new Uint8Array(nIds),
    everTracked: new Uint8Array(nIds),
    dist: new Float64Array(64),
    sub: new Float64Array(64),
    r2c: new Int32Array(8),
    c2r: new Int32Array(8),
    gMasked: new Uint8Array(8),
    pMasked: new Uint8Array(8),
    rowMap: new Int32Array(8),
    colMap: new Int32Array(8),
    nG: 0,
    nP: 0,
  };
}

function recordMatch(st: ClearState, o: number, h: number, d: number, frame: number): void {
  const out = st.out;
  out.matches++;
  out.iouSum += 1 - d;
  st.tracked[o]!++;
  if (st.rules === 'motmetrics') {
    if (st.gapOpen[o]) out.fragmentations++;
    st.gapOpen[o] = 0;
  } else if (st.everTracked[o] && frame > st.lastMatchFrame[o]! + 1) {
    out.fragmentations++;
  }
  st.everTracked[o] = 1;
  st.last[o] = h;
  st.lastMatchFrame[o] = frame;
}

/** Sets `st.nG` / `st.nP`, clears the masks, counts the objects and fills `st.dist` (`1 - IoU`, NaN past the threshold). */
function frameDistances(seq: Sequence, f: number, st: ClearState): void {
  const g0 = seq.gtStart[f]!;
  const nG = seq.gtStart[f + 1]! - g0;
  const p0 = seq.predStart[f]!;
  const nP = seq.predStart[f + 1]! - p0;
  st.nG = nG;
  st.nP = nP;
  st.out.objects += nG;
  if (st.dist.length < nG * nP) st.dist = new Float64Array(nG * nP * 2);
  if (st.gMasked.length < nG) st.gMasked = new Uint8Array(nG * 2);
  if (st.pMasked.length < nP) st.pMasked = new Uint8Array(nP * 2);
  st.gMasked.fill(0, 0, nG);
  st.pMasked.fill(0, 0, nP);
  const { dist, maxDist } = st;
  for (let a = 0; a < nG; a++) {
    const gi = seq.gtIdx[g0 + a]!;
    st.freq[seq.gtDense[gi]!]!++;
    for (let b = 0; b < nP; b++) {
      const d = 1 - rowIou(seq.gt, gi, seq.pred, seq.predIdx[p0 + b]!);
      dist[a * nP + b] = d <= maxDist ? d : Number.NaN;
    }
  }
}

/** Step 1: keep earlier correspondences that are still valid. */
function keepCorrespondences(seq: Sequence, f: number, frame: number, st: ClearState): void {
  const { nG, nP, dist, gMasked, pMasked } = st;
  const g0 = seq.gtStart[f]!;
  const p0 = seq.predStart[f]!;
  for (let a = 0; a < nG; a++) {
    const o = seq.gtDense[seq.gtIdx[g0 + a]!]!;
    const h = st.last[o]!;
    if (h < 0) continue;
    if (st.rules === 'devkit' && st.lastMatchFrame[o] !== frame - 1) continue;
    for (let b = 0; b < nP; b++) {
      if (pMasked[b] || seq.predDense[seq.predIdx[p0 + b]!] !== h) continue;
      const d = dist[a * nP + b]!;
      if (!Number.isNaN(d)) {
        gMasked[a] = 1;
        pMasked[b] = 1;
        recordMatch(st, o, h, d, frame);
      }
      break;
    }
  }
}

/** Step 2: optimal assignment of the still-unmatched objects and results. */
function assignRest(seq: Sequence, f: number, frame: number, st: ClearState): void {
  const { nG, nP } = st;
  let nr = 0;
  let nc = 0;
  if (st.rowMap.length < nG) st.rowMap = new Int32Array(nG * 2);
  if (st.colMap.length < nP) st.colMap = new Int32Array(nP * 2);
  const { rowMap, colMap, gMasked, pMasked, dist } = st;
  for (let a = 0; a < nG; a++) if (!gMasked[a]) rowMap[nr++] = a;
  for (let b = 0; b < nP; b++) if (!pMasked[b]) colMap[nc++] = b;
  if (nr === 0 || nc === 0) return;
  if (st.sub.length < nr * nc) st.sub = new Float64Array(nr * nc * 2);
  if (st.r2c.length < nr) st.r2c = new Int32Array(nr * 2);
  if (st.c2r.length < nc) st.c2r = new Int32Array(nc * 2);
  const { sub, r2c } = st;
  for (let r = 0; r < nr; r++) {
    for (let c = 0; c < nc; c++) sub[r * nc + c] = dist[rowMap[r]! * nP + colMap[c]!]!;
  }
  st.solver.solveSparse(sub, nr, nc, r2c, st.c2r);
  const g0 = seq.gtStart[f]!;
  const p0 = seq.predStart[f]!;
  for (let r = 0; r < nr; r++) {
    const c = r2c[r]!;
    if (c < 0) continue;
    const a = rowMap[r]!;
    const b = colMap[c]!;
    const o = seq.gtDense[seq.gtIdx[g0 + a]!]!;
    const h = seq.predDense[seq.predIdx[p0 + b]!]!;
    if (st.last[o]! >= 0 && st.last[o] !== h) st.out.idSwitches++;
    gMasked[a] = 1;
    pMasked[b] = 1;
    recordMatch(st, o, h, dist[a * nP + b]!, frame);
  }
}

/** Steps 3 and 4: misses and false positives. */
function countUnmatched(seq: Sequence, f: number, st: ClearState): void {
  const g0 = seq.gtStart[f]!;
  for (let a = 0; a < st.nG; a++) {
    if (st.gMasked[a]) continue;
    st.out.fn++;
    const o = seq.gtDense[seq.gtIdx[g0 + a]!]!;
    if (st.everTracked[o]) st.gapOpen[o] = 1;
  }
  for (let b = 0; b < st.nP; b++) if (!st.pMasked[b]) st.out.fp++;
}

/** Mostly tracked (>= 80%), partially tracked (>= 20%), mostly lost. */
function classifyTracks(st: ClearState, nIds: number): void {
  const out = st.out;
  for (let o = 0; o < nIds; o++) {
    const ratio = st.freq[o]! > 0 ? st.tracked[o]! / st.freq[o]! : 0;
    if (ratio >= 0.8) out.mt++;
    else if (ratio >= 0.2) out.pt++;
    else out.ml++;
  }
}

export function clearMot(seq: Sequence, iouThreshold: number, rules: ClearRules): ClearCounts {
  const nIds = seq.gtIds;
  const st = newClearState(nIds, iouThreshold, rules);
  for (let f = 0; f < seq.frames.length; f++) {
    const frame = seq.frames[f]!;
    frameDistances(seq, f, st);
    keepCorrespondences(seq, f, frame, st);
    assignRest(seq, f, frame, st);
    countUnmatched(seq, f, st);
  }
  classifyTracks(st, nIds);
  return st.out;
}
