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

export function hotaMetrics(seq: Sequence): HotaResult {
  const { gt, pred, frames } = seq;
  const nT = Math.max(1, seq.predIds);
  const gtCount = new Float64Array(seq.gtIds);
  const trCount = new Float64Array(seq.predIds);
  const potential = new Map<number, number>();
  let sim = new Float64Array(64);
  let rowSum = new Float64Array(8);
  let colSum = new Float64Array(8);

  const similarity = (f: number): { nG: number; nP: number } => {
    const g0 = seq.gtStart[f]!;
    const nG = seq.gtStart[f + 1]! - g0;
    const p0 = seq.predStart[f]!;
    const nP = seq.predStart[f + 1]! - p0;
    if (sim.length < nG * nP) sim = new Float64Array(nG * nP * 2);
    for (let a = 0; a < nG; a++) {
      for (let b = 0; b < nP; b++)
        sim[a * nP + b] = rowIou(gt, seq.gtIdx[g0 + a]!, pred, seq.predIdx[p0 + b]!);
    }
    return { nG, nP };
  };

  // Pass 1: global alignment between ids.
  for (let f = 0; f < frames.length; f++) {
    const { nG, nP } = similarity(f);
    const g0 = seq.gtStart[f]!;
    const p0 = seq.predStart[f]!;
    for (let a = 0; a < nG; a++) gtCount[seq.gtDense[seq.gtIdx[g0 + a]!]!]!++;
    for (let b = 0; b < nP; b++) trCount[seq.predDense[seq.predIdx[p0 + b]!]!]!++;
    if (nG === 0 || nP === 0) continue;
    if (rowSum.length < nG) rowSum = new Float64Array(nG * 2);
    if (colSum.length < nP) colSum = new Float64Array(nP * 2);
    rowSum.fill(0, 0, nG);
    colSum.fill(0, 0, nP);
    for (let a = 0; a < nG; a++) {
      for (let b = 0; b < nP; b++) {
        const s = sim[a * nP + b]!;
        rowSum[a] = rowSum[a]! + s;
        colSum[b] = colSum[b]! + s;
      }
    }
    for (let a = 0; a < nG; a++) {
      const o = seq.gtDense[seq.gtIdx[g0 + a]!]!;
      for (let b = 0; b < nP; b++) {
        const s = sim[a * nP + b]!;
        if (s <= 0) continue;
        const denom = rowSum[a]! + colSum[b]! - s;
        if (!(denom > EPS)) continue;
        const key = o * nT + seq.predDense[seq.predIdx[p0 + b]!]!;
        potential.set(key, (potential.get(key) ?? 0) + s / denom);
      }
    }
  }

  // Pass 2: per-frame matching for every alpha.
  const nA = HOTA_ALPHAS.length;
  const tp = new Float64Array(nA);
  const fn = new Float64Array(nA);
  const fp = new Float64Array(nA);
  const locSum = new Float64Array(nA);
  const matches: Map<number, number>[] = HOTA_ALPHAS.map(() => new Map<number, number>());
  const solver = new AssignmentSolver();
  let score = new Float64Array(64);
  let r2c = new Int32Array(8);
  let c2r = new Int32Array(8);
  for (let f = 0; f < frames.length; f++) {
    const { nG, nP } = similarity(f);
    if (nG === 0) {
      for (let a = 0; a < nA; a++) fp[a] = fp[a]! + nP;
      continue;
    }
    if (nP === 0) {
      for (let a = 0; a < nA; a++) fn[a] = fn[a]! + nG;
      continue;
    }
    const g0 = seq.gtStart[f]!;
    const p0 = seq.predStart[f]!;
    if (score.length < nG * nP) score = new Float64Array(nG * nP * 2);
    if (r2c.length < nG) r2c = new Int32Array(nG * 2);
    if (c2r.length < nP) c2r = new Int32Array(nP * 2);
    for (let a = 0; a < nG; a++) {
      const o = seq.gtDense[seq.gtIdx[g0 + a]!]!;
      for (let b = 0; b < nP; b++) {
        const h = seq.predDense[seq.predIdx[p0 + b]!]!;
        const pm = potential.get(o * nT + h) ?? 0;
        const align = pm / (gtCount[o]! + trCount[h]! - pm);
        score[a * nP + b] = align * sim[a * nP + b]!;
      }
    }
    solver.solve(score, nG, nP, r2c, c2r, true);
    for (let k = 0; k < nA; k++) {
      const alpha = HOTA_ALPHAS[k]!;
      let n = 0;
      for (let a = 0; a < nG; a++) {
        const b = r2c[a]!;
        if (b < 0) continue;
        const s = sim[a * nP + b]!;
        if (s < alpha - EPS) continue;
        n++;
        locSum[k] = locSum[k]! + s;
        const key = seq.gtDense[seq.gtIdx[g0 + a]!]! * nT + seq.predDense[seq.predIdx[p0 + b]!]!;
        const m = matches[k]!;
        m.set(key, (m.get(key) ?? 0) + 1);
      }
      tp[k] = tp[k]! + n;
      fn[k] = fn[k]! + nG - n;
      fp[k] = fp[k]! + nP - n;
    }
  }

  const per = { hota: [] as number[], deta: [] as number[], assa: [] as number[], loca: [] as number[] };
  const detre: number[] = [];
  const detpr: number[] = [];
  for (let k = 0; k < nA; k++) {
    let assSum = 0;
    for (const [key, mc] of matches[k]!) {
      const o = Math.floor(key / nT);
      const h = key - o * nT;
      assSum += (mc * mc) / Math.max(1, gtCount[o]! + trCount[h]! - mc);
    }
    const t = tp[k]!;
    const assa = assSum / Math.max(1, t);
    const deta = t / Math.max(1, t + fn[k]! + fp[k]!);
    per.assa.push(assa);
    per.deta.push(deta);
    per.hota.push(Math.sqrt(deta * assa));
    per.loca.push(Math.max(1e-10, locSum[k]!) / Math.max(1e-10, t));
    detre.push(t / Math.max(1, t + fn[k]!));
    detpr.push(t / Math.max(1, t + fp[k]!));
  }
  const mean = (xs: number[]): number => xs.reduce((s, x) => s + x, 0) / xs.length;
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
