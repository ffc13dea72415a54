// HOTA (Luiten et al., "HOTA: A Higher Order Metric for Evaluating Multi-Object Tracking", IJCV 2020),
// computed as TrackEval's `HOTA.eval_sequence` does:
//
// - a global alignment score between every ground-truth id and result id: the sum over frames of their
//   IoU normalised by the frame's row and column sums (a soft count of co-occurrence), divided by
//   `|gt id| + |result id| - that count`;
// - per frame, one assignment maximising `alignment x IoU`; for each alpha in 0.05, 0.10, ... 0.95 the
//   pairs with IoU >= alpha are true positives (TP), the rest of the boxes FN / FP;
// - DetA = TP / (TP + FN + FP); AssA = mean over TPs of the association IoU of their id pair
//   (TPA / (TPA + FNA + FPA)); LocA = mean IoU of TPs; HOTA = sqrt(DetA x AssA); each averaged over alpha.

import { AssignmentSolver } from '../track/assignment.ts';
import { rowIou, type Sequence } from './sequence.ts';

export const HOTA_ALPHAS: readonly number[] = Array.from({ length: 19 }, (_, i) => 0.05 + i * 0.05);

export interface HotaResult {
  /** Averages over alpha, as fractions (0..1). */
  hota: number;
  deta: number;
  assa: number;
  loca: number;
  detre: number;
  detpr: number;
  /** Per-alpha values, same order as `HOTA_ALPHAS`. */
  perAlpha: { hota: number[]; deta: number[]; assa: number[]; loca: number[] };
}

const EPS = 2.220446049250313e-16;

/** Reusable per-frame buffers; grown on demand, never reallocated per element. */
interface HotaScratch {
  sim: Float64Array;
  rowSum: Float64Array;
  colSum: Float64Array;
  score: Float64Array;
  r2c: Int32Array;
  c2r: Int32Array;
  nG: number;
  nP: number;
}

/** Per-alpha accumulators of pass 2. */
interface HotaCounts {
  tp: Float64Array;
  fn: Float64Array;
  fp: Float64Array;
  locSum: Float64Array;
  matches: Map<number, number>[];
}

function newScratch(): HotaScratch {
  return {
    sim: new Float64Array(64),
    rowSum: new Float64Array(8),
    colSum: new Float64Array(8),
    score: new Float64Array(64),
    r2c: new Int32Array(8),
    c2r: new Int32Array(8),
    nG: 0,
    nP: 0,
  };
}

/** Fills `s.sim` with the IoU of frame `f`'s gt x pred boxes and sets `s.nG` / `s.nP`. */
function frameSimilarity(seq: Sequence, f: number, s: HotaScratch): void {
  const g0 = seq.gtStart[f]!;
  const nG = seq.gtStart[f + 1]! - g0;
  const p0 = seq.predStart[f]!;
  const nP = seq.predStart[f + 1]! - p0;
  if (s.sim.length < nG * nP) s.sim = new Float64Array(nG * nP * 2);
  const sim = s.sim;
  for (let a = 0; a < nG; a++) {
    for (let b = 0; b < nP; b++)
      sim[a * nP + b] = rowIou(seq.gt, seq.gtIdx[g0 + a]!, seq.pred, seq.predIdx[p0 + b]!);
  }
  s.nG = nG;
  s.nP = nP;
}

/** Sums `s.sim` by row and by column into `s.rowSum` / `s.colSum`. */
function simMargins(s: HotaScratch): void {
  const { nG, nP } = s;
  if (s.rowSum.length < nG) s.rowSum = new Float64Array(nG * 2);
  if (s.colSum.length < nP) s.colSum = new Float64Array(nP * 2);
  const { sim, rowSum, colSum } = s;
  rowSum.fill(0, 0, nG);
  colSum.fill(0, 0, nP);
  for (let a = 0; a < nG; a++) {
    for (let b = 0; b < nP; b++) {
      const v = sim[a * nP + b]!;
      rowSum[a] = rowSum[a]! + v;
      colSum[b] = colSum[b]! + v;
    }
  }
}

/** Pass 1: id occurrence counts and the soft co-occurrence count (`potential`) of every id pair. */
function alignIds(
  seq: Sequence,
  nT: number,
  s: HotaScratch,
  gtCount: Float64Array,
  trCount: Float64Array,
  potential: Map<number, number>,
): void {
  for (let f = 0; f < seq.frames.length; f++) {
    frameSimilarity(seq, f, s);
    const { nG, nP } = s;
    const g0 = seq.gtStart[f]!;
    const p0 = seq.predStart[f]!;
    for (let a = 0; a < nG; a++) gtCount[seq.gtDense[seq.gtIdx[g0 + a]!]!]!++;
    for (let b = 0; b < nP; b++) trCount[seq.predDense[seq.predIdx[p0 + b]!]!]!++;
    if (nG === 0 || nP === 0) continue;
    simMargins(s);
    const { sim, rowSum, colSum } = s;
    for (let a = 0; a < nG; a++) {
      const o = seq.gtDense[seq.gtIdx[g0 + a]!]!;
      for (let b = 0; b < nP; b++) {
        const v = sim[a * nP + b]!;
        if (v <= 0) continue;
        const denom = rowSum[a]! + colSum[b]! - v;
        if (!(denom > EPS)) continue;
        const key = o * nT + seq.predDense[seq.predIdx[p0 + b]!]!;
        potential.set(key, (potential.get(key) ?? 0) + v / denom);
      }
    }
  }
}

/** Fills `s.score` with `alignment x IoU` for frame `f` (after `frameSimilarity`). */
function alignmentScores(
  seq: Sequence,
  f: number,
  nT: number,
  s: HotaScratch,
  gtCount: Float64Array,
  trCount: Float64Array,
  potential: Map<number, number>,
): void {
  const { nG, nP } = s;
  const g0 = seq.gtStart[f]!;
  const p0 = seq.predStart[f]!;
  if (s.score.length < nG * nP) s.score = new Float64Array(nG * nP * 2);
  if (s.r2c.length < nG) s.r2c = new Int32Array(nG * 2);
  if (s.c2r.length < nP) s.c2r = new Int32Array(nP * 2);
  const { sim, score } = s;
  for (let a = 0; a < nG; a++) {
    const o = seq.gtDense[seq.gtIdx[g0 + a]!]!;
    for (let b = 0; b < nP; b++) {
      const h = seq.predDense[seq.predIdx[p0 + b]!]!;
      const pm = potential.get(o * nT + h) ?? 0;
      const align = pm / (gtCount[o]! + trCount[h]! - pm);
      score[a * nP + b] = align * sim[a * nP + b]!;
    }
  }
}

/** Counts frame `f`'s TP / FN / FP and matched id pairs for every alpha (after the assignment). */
function countFrame(seq: Sequence, f: number, nT: number, s: HotaScratch, c: HotaCounts): void {
  const { nG, nP, sim, r2c } = s;
  const g0 = seq.gtStart[f]!;
  const p0 = seq.predStart[f]!;
  for (let k = 0; k < HOTA_ALPHAS.length; k++) {
    const alpha = HOTA_ALPHAS[k]!;
    let n = 0;
    for (let a = 0; a < nG; a++) {
      const b = r2c[a]!;
      if (b < 0) continue;
      const v = sim[a * nP + b]!;
      if (v < alpha - EPS) continue;
      n++;
      c.locSum[k] = c.locSum[k]! + v;
      const key = seq.gtDense[seq.gtIdx[g0 + a]!]! * nT + seq.predDense[seq.predIdx[p0 + b]!]!;
      const m = c.matches[k]!;
      m.set(key, (m.get(key) ?? 0) + 1);
    }
    c.tp[k] = c.tp[k]! + n;
    c.fn[k] = c.fn[k]! + nG - n;
    c.fp[k] = c.fp[k]! + nP - n;
  }
}

/** Pass 2: per-frame matching for every alpha. */
function matchFrames(
  seq: Sequence,
  nT: number,
  s: HotaScratch,
  gtCount: Float64Array,
  trCount: Float64Array,
  potential: Map<number, number>,
): HotaCounts {
  const nA = HOTA_ALPHAS.length;
  const c: HotaCounts = {
    tp: new Float64Array(nA),
    fn: new Float64Array(nA),
    fp: new Float64Array(nA),
    locSum: new Float64Array(nA),
    matches: HOTA_ALPHAS.map(() => new Map<number, number>()),
  };
  const solver = new AssignmentSolver();
  for (let f = 0; f < seq.frames.length; f++) {
    frameSimilarity(seq, f, s);
    const { nG, nP } = s;
    if (nG === 0) {
      for (let a = 0; a < nA; a++) c.fp[a] = c.fp[a]! + nP;
      continue;
    }
    if (nP === 0) {
      for (let a = 0; a < nA; a++) c.fn[a] = c.fn[a]! + nG;
      continue;
    }
    alignmentScores(seq, f, nT, s, gtCount, trCount, potential);
    solver.solve(s.score, nG, nP, s.r2c, s.c2r, true);
    countFrame(seq, f, nT, s, c);
  }
  return c;
}

/** Turns the pass-2 counts into per-alpha values and their means. */
function summarise(c: HotaCounts, nT: number, gtCount: Float64Array, trCount: Float64Array): HotaResult {
  const per = { hota: [] as number[], deta: [] as number[], assa: [] as number[], loca: [] as number[] };
  const detre: number[] = [];
  const detpr: number[] = [];
  for (let k = 0; k < HOTA_ALPHAS.length; k++) {
    let assSum = 0;
    for (const [key, mc] of c.matches[k]!) {
      const o = Math.floor(key / nT);
      const h = key - o * nT;
      assSum += (mc * mc) / Math.max(1, gtCount[o]! + trCount[h]! - mc);
    }
    const t = c.tp[k]!;
    const assa = assSum / Math.max(1, t);
    const deta = t / Math.max(1, t + c.fn[k]! + c.fp[k]!);
    per.assa.push(assa);
    per.deta.push(deta);
    per.hota.push(Math.sqrt(deta * assa));
    per.loca.push(Math.max(1e-10, c.locSum[k]!) / Math.max(1e-10, t));
    detre.push(t / Math.max(1, t + c.fn[k]!));
    detpr.push(t / Math.max(1, t + c.fp[k]!));
  }
  const mean = (xs: number[]): number => xs.reduce((acc, x) => acc + x, 0) / xs.length;
  return {
    hota: mean(per.hota),
    deta: mean(per.deta),
    assa: mean(per.assa),
    loca: mean(per.loca),
    detre: mean(detre),
    detpr: mean(detpr),
    perAlpha: per,
  };
}

export function hotaMetrics(seq: Sequence): HotaResult {
  const nT = Math.max(1, seq.predIds);
  const gtCount = new Float64Array(seq.gtIds);
  const trCount = new Float64Array(seq.predIds);
  const potential = new Map<number, number>();
  const s = newScratch();
  alignIds(seq, nT, s, gtCount, trCount, potential);
  const counts = matchFrames(seq, nT, s, gtCount, trCount, potential);
  return summarise(counts, nT, gtCount, trCount);
}
