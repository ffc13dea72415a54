// Hand-worked cases for CLEAR-MOT, identity metrics, HOTA and the zero-conf rule.
import { describe, expect, it } from 'vitest';
import { evaluate } from '../../src/eval/evaluate.ts';
import { HOTA_ALPHAS } from '../../src/eval/hota.ts';
import { type MotRows, MotRowsBuilder } from '../../src/eval/mot-format.ts';

/** Rows from `[frame, id, left, top, width, height, conf?]` tuples. */
function rows(list: [number, number, number, number, number, number, number?][]): MotRows {
  const b = new MotRowsBuilder();
  for (const [f, id, l, t, w, h, c] of list) b.push(f, id, l, t, w, h, c ?? 1);
  return b.rows();
}

describe('CLEAR-MOT', () => {
  it('keeps a still-valid earlier match over a better new one, and counts a switch when it changes', () => {
    const gt = rows([
      [1, 1, 0, 0, 10, 10],
      [2, 1, 0, 0, 10, 10],
      [3, 1, 0, 0, 10, 10],
      [4, 1, 0, 0, 10, 10],
    ]);
    const pred = rows([
      [1, 1, 0, 0, 10, 10],
      [2, 1, 0, 0, 10, 6], // IoU 0.6: still valid, so id 1 keeps the object
      [2, 2, 0, 0, 10, 10], // perfect, but a false positive
      [3, 2, 0, 0, 10, 10], // id 1 gone: id 2 takes over (switch)
      [4, 1, 0, 0, 10, 10], // id 1 back, but the object now stays with id 2
      [4, 2, 0, 0, 10, 10],
    ]);
    const m = evaluate(gt, pred);
    expect(m.tp).toBe(4);
    expect(m.fp).toBe(2);
    expect(m.fn).toBe(0);
    expect(m.id_switches).toBe(1);
    expect(m.mota).toBeCloseTo(25, 10);
    expect(m.motp).toBeCloseTo(((1 + 0.6 + 1 + 1) / 4) * 100, 10);
    expect(m.precision).toBeCloseTo(400 / 6, 10);
    expect(m.recall).toBe(100);
    // IDs: the best one-to-one pairing is object 1 with id 1 (2 frames) or id 2 (3 frames): IDTP = 3.
    expect(m.idtp).toBe(3);
    expect(m.idf1).toBeCloseTo((2 * 3 * 100) / (4 + 6), 10);
  });

  it('counts IoU exactly 0.5 as a match and just below as a miss', () => {
    const gt = rows([[1, 1, 0, 0, 10, 10]]);
    expect(evaluate(gt, rows([[1, 1, 0, 0, 10, 5]])).tp).toBe(1);
    expect(evaluate(gt, rows([[1, 1, 0, 0, 10, 4.99]])).tp).toBe(0);
  });

  it('counts fragmentations and mostly tracked / partly tracked / mostly lost', () => {
    const gt: [number, number, number, number, number, number][] = [];
    const pred: [number, number, number, number, number, number][] = [];
    for (let f = 1; f <= 10; f++) {
      gt.push([f, 1, 0, 0, 10, 10], [f, 2, 100, 0, 10, 10], [f, 3, 200, 0, 10, 10]);
      if (f <= 3 || (f >= 6 && f <= 8)) pred.push([f, 7, 0, 0, 10, 10]); // 6/10, one fragmentation
      pred.push([f, 8, 100, 0, 10, 10]); // 10/10
      if (f === 5) pred.push([f, 9, 200, 0, 10, 10]); // 1/10
    }
    for (const rules of ['motmetrics', 'devkit'] as const) {
      const m = evaluate(rows(gt), rows(pred), { rules });
      expect(m.fragmentations).toBe(1);
      expect([m.mt, m.pt, m.ml]).toEqual([1, 1, 1]);
      expect(m.fn).toBe(4 + 0 + 9);
      expect(m.gt_ids).toBe(3);
      expect(m.frames).toBe(10);
    }
  });

  it('differs between py-motmetrics and devkit rules only where the devkit looks at the previous frame', () => {
    // Object annotated on frames 1-3 and 6-8 only, tracked whenever annotated.
    const gapGt = rows(
      [1, 2, 3, 6, 7, 8].map((f) => [f, 1, 0, 0, 10, 10] as [number, number, number, number, number, number]),
    );
    const gapPred = rows(
      [1, 2, 3, 6, 7, 8].map((f) => [f, 5, 0, 0, 10, 10] as [number, number, number, number, number, number]),
    );
    expect(evaluate(gapGt, gapPred, { rules: 'motmetrics' }).fragmentations).toBe(0);
    expect(evaluate(gapGt, gapPred, { rules: 'devkit' }).fragmentations).toBe(1);

    // Matched to A, missed for a frame, then A and a closer B both overlap it.
    const gt = rows([
      [1, 1, 0, 0, 10, 10],
      [2, 1, 0, 0, 10, 10],
      [3, 1, 0, 0, 10, 10],
    ]);
    const pred = rows([
      [1, 1, 0, 0, 10, 10],
      [3, 1, 0, 0, 10, 7],
      [3, 2, 0, 0, 10, 9],
    ]);
    expect(evaluate(gt, pred, { rules: 'motmetrics' }).id_switches).toBe(0);
    expect(evaluate(gt, pred, { rules: 'devkit' }).id_switches).toBe(1);
  });

  it('handles empty inputs without dividing by zero', () => {
    const empty = rows([]);
    const one = rows([[1, 1, 0, 0, 10, 10]]);
    const a = evaluate(empty, one);
    expect([a.fp, a.fn, a.mota, a.recall, a.precision, a.idf1]).toEqual([1, 0, 0, 0, 0, 0]);
    const b = evaluate(one, empty);
    expect([b.fp, b.fn, b.mota, b.motp, b.ml]).toEqual([0, 1, 0, 0, 1]);
  });
});

describe('ground-truth rows with conf 0', () => {
  const gt = rows([
    [1, 1, 0, 0, 10, 10, 1],
    [1, 2, 100, 100, 10, 10, 0],
  ]);
  const pred = rows([
    [1, 11, 0, 0, 10, 10],
    [1, 12, 100, 100, 10, 10],
    [1, 13, 500, 500, 10, 10],
  ]);

  it('ignore (default): the ignored box and the results on it are left out', () => {
    const m = evaluate(gt, pred);
    expect([m.gt_boxes, m.pred_boxes, m.ignored_pred_boxes, m.tp, m.fp, m.fn, m.gt_ids]).toEqual([
      1, 2, 1, 1, 1, 0, 1,
    ]);
  });

  it('drop: the ignored box is left out, results on it are false positives (TrackEval MOT15)', () => {
    const m = evaluate(gt, pred, { zeroConf: 'drop' });
    expect([m.gt_boxes, m.pred_boxes, m.tp, m.fp]).toEqual([1, 3, 1, 2]);
  });

  it('keep: conf is not looked at (py-motmetrics loader default)', () => {
    const m = evaluate(gt, pred, { zeroConf: 'keep' });
    expect([m.gt_boxes, m.tp, m.fp, m.gt_ids]).toEqual([2, 2, 1, 2]);
  });
});

describe('HOTA, worked by hand', () => {
  const box = (f: number, id: number, h = 10): [number, number, number, number, number, number] => [
    f,
    id,
    0,
    0,
    10,
    h,
  ];

  it('is 100 for perfect tracking', () => {
    const gt = rows([box(1, 1), box(2, 1), box(3, 1)]);
    const m = evaluate(gt, rows([box(1, 4), box(2, 4), box(3, 4)]));
    expect([m.hota, m.deta, m.assa, m.loca]).toEqual([100, 100, 100, 100]);
  });

  it('halves AssA when the result id changes halfway: HOTA = sqrt(1 x 0.5)', () => {
    // TP = 4 at every alpha; id pairs (g, 1) and (g, 2) each have TPA 2 and |g| + |h| - TPA = 4 + 2 - 2,
    // so every TP has association 0.5.
    const gt = rows([box(1, 1), box(2, 1), box(3, 1), box(4, 1)]);
    const m = evaluate(gt, rows([box(1, 1), box(2, 1), box(3, 2), box(4, 2)]));
    expect(m.deta).toBeCloseTo(100, 10);
    expect(m.assa).toBeCloseTo(50, 10);
    expect(m.hota).toBeCloseTo(100 * Math.SQRT1_2, 10);
  });

  it('counts a box of IoU 0.62 as matched for the 12 alphas up to 0.60 only', () => {
    const gt = rows([1, 2, 3, 4, 5].map((f) => box(f, 1)));
    const pred = rows([1, 2, 3, 4, 5].map((f) => box(f, 1, 6.2)));
    const m = evaluate(gt, pred);
    expect(HOTA_ALPHAS.filter((a) => a <= 0.62).length).toBe(12);
    // Per alpha DetA and AssA are both 1 (matched) or both 0: the averages are 12 / 19.
    expect(m.deta).toBeCloseTo((100 * 12) / 19, 10);
    expect(m.assa).toBeCloseTo((100 * 12) / 19, 10);
    expect(m.hota).toBeCloseTo((100 * 12) / 19, 10);
    // LocA: 0.62 where matched; TrackEval takes 1 for alphas without a TP.
    expect(m.loca).toBeCloseTo((100 * (12 * 0.62 + 7)) / 19, 10);
  });

  it('combines misses and false positives: DetA 1/3, AssA 1/2', () => {
    // Frame 1: object matched by id 1, plus a false box (id 2). Frame 2: the object is missed.
    const gt = rows([box(1, 1), box(2, 1)]);
    const pred = rows([box(1, 1), [1, 2, 500, 500, 10, 10]]);
    const m = evaluate(gt, pred);
    expect(m.deta).toBeCloseTo(100 / 3, 10);
    expect(m.assa).toBeCloseTo(50, 10);
    expect(m.hota).toBeCloseTo(100 * Math.sqrt(1 / 6), 10);
  });

  it('prefers the globally aligned id when two boxes compete in one frame', () => {
    // Result 1 follows object 1 for 9 frames; on frame 10 it sits between objects 1 and 2, a little
    // closer to 2. Plain IoU matching would give it to object 2; HOTA's alignment keeps it with 1.
    const gt: [number, number, number, number, number, number][] = [];
    const pred: [number, number, number, number, number, number][] = [];
    for (let f = 1; f <= 10; f++) {
      gt.push([f, 1, 0, 0, 10, 10], [f, 2, 4, 0, 10, 10]);
      pred.push(f < 10 ? [f, 1, 0, 0, 10, 10] : [f, 1, 2.2, 0, 10, 10]);
    }
    const m = evaluate(rows(gt), rows(pred));
    // Frame 10: IoU with object 1 is 7.8 / 12.2 = 0.639, with object 2 8.2 / 11.8 = 0.695. The alignment
    // of (1, result) is about 0.54 against 0.18 for (2, result), so result 1 stays with object 1 up to
    // alpha 0.60 (12 alphas) and is unmatched from 0.65 (7 alphas). Object 2 is never matched.
    // Alphas <= 0.60: TP 10, FN 10, FP 0; pair (1, 1) has TPA 10 of 10 + 10 - 10: association 1.
    // Alphas >= 0.65: TP 9, FN 11, FP 1; pair (1, 1) has TPA 9 of 10 + 10 - 9: association 9 / 11.
    expect(m.deta).toBeCloseTo((100 * (12 * (10 / 20) + 7 * (9 / 21))) / 19, 10);
    expect(m.assa).toBeCloseTo((100 * (12 + 7 * (9 / 11))) / 19, 10);
    // Plain IoU matching would have given frame 10 to object 2: AssA at low alphas would be
    // (9 x 9/11 + 1 x 1/19) / 10 instead of 1.
  });
});
