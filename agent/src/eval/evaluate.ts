// One call that scores a result file against ground truth with the MOTChallenge metrics.

import { type ClearRules, clearMot } from './clear.ts';
import { type HotaResult, hotaMetrics } from './hota.ts';
import { identityMetrics } from './identity.ts';
import type { MotRows } from './mot-format.ts';
import { buildSequence, type ZeroConfPolicy } from './sequence.ts';

export interface EvaluateOptions {
  /** A result box can match a ground-truth box when IoU >= this (CLEAR-MOT and ID metrics). 0.5. */
  iouThreshold: number;
  /** Ground-truth rows with conf 0: see `buildSequence`. Default `ignore`. */
  zeroConf: ZeroConfPolicy;
  /** Matching continuity and fragmentation rules: py-motmetrics (default) or the Matlab devkit. */
  rules: ClearRules;
  /** Compute HOTA (two more passes over the data). Default true. */
  hota: boolean;
}

export const DEFAULT_EVALUATE_OPTIONS: EvaluateOptions = {
  iouThreshold: 0.5,
  zeroConf: 'ignore',
  rules: 'motmetrics',
  hota: true,
};

/**
 * Scores. Every ratio is a percentage (0..100; MOTA can be negative); a ratio whose denominator is 0 is
 * reported as 0. MOTP is the devkit's: 100 x mean IoU of the matched pairs (py-motmetrics reports
 * `1 - mean IoU` instead).
 */
export interface MotMetrics {
  mota: number;
  motp: number;
  idf1: number;
  idp: number;
  idr: number;
  hota: number;
  deta: number;
  assa: number;
  loca: number;
  precision: number;
  recall: number;
  id_switches: number;
  fragmentations: number;
  fp: number;
  fn: number;
  /** Matched pairs (true positives of CLEAR-MOT). */
  tp: number;
  mt: number;
  pt: number;
  ml: number;
  /** Distinct ground-truth ids scored. */
  gt_ids: number;
  /** Distinct result ids scored. */
  pred_ids: number;
  /** Ground-truth and result boxes scored (after the zero-conf rule). */
  gt_boxes: number;
  pred_boxes: number;
  /** Result boxes left out because they matched ignored ground truth. */
  ignored_pred_boxes: number;
  idtp: number;
  idfp: number;
  idfn: number;
  /** Frames that appear in either file. */
  frames: number;
}

const pct = (num: number, den: number): number => (den > 0 ? (100 * num) / den : 0);

export function evaluate(gt: MotRows, pred: MotRows, opts: Partial<EvaluateOptions> = {}): MotMetrics {
  const o: EvaluateOptions = { ...DEFAULT_EVALUATE_OPTIONS, ...opts };
  const seq = buildSequence(gt, pred, o.zeroConf, o.iouThreshold);
  const c = clearMot(seq, o.iouThreshold, o.rules);
  const id = identityMetrics(seq, o.iouThreshold);
  const h: HotaResult | undefined = o.hota ? hotaMetrics(seq) : undefined;
  return {
    mota: c.objects > 0 ? 100 * (1 - (c.fn + c.fp + c.idSwitches) / c.objects) : 0,
    motp: pct(c.iouSum, c.matches),
    idf1: pct(2 * id.idtp, seq.gtRows + seq.predRows),
    idp: pct(id.idtp, seq.predRows),
    idr: pct(id.idtp, seq.gtRows),
    hota: h ? 100 * h.hota : 0,
    deta: h ? 100 * h.deta : 0,
    assa: h ? 100 * h.assa : 0,
    loca: h ? 100 * h.loca : 0,
    precision: pct(c.matches, c.matches + c.fp),
    recall: pct(c.matches, c.objects),
    id_switches: c.idSwitches,
    fragmentations: c.fragmentations,
    fp: c.fp,
    fn: c.fn,
    tp: c.matches,
    mt: c.mt,
    pt: c.pt,
    ml: c.ml,
    gt_ids: seq.gtIds,
    pred_ids: seq.predIds,
    gt_boxes: seq.gtRows,
    pred_boxes: seq.predRows,
    ignored_pred_boxes: seq.ignoredPredRows,
    idtp: id.idtp,
    idfp: id.idfp,
    idfn: id.idfn,
    frames: seq.frames.length,
  };
}
