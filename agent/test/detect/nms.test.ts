import { describe, expect, it } from 'vitest';
import { ensureCapacity } from '../../src/detect/detector.ts';
import { iou, NmsScratch, nms } from '../../src/detect/nms.ts';
import { emptyDetections } from '../../src/types.ts';

describe('iou', () => {
  it.each([
    { a: [0, 0, 10, 10], b: [0, 0, 10, 10], want: 1 },
    { a: [0, 0, 10, 10], b: [5, 0, 15, 10], want: 50 / 150 },
    { a: [0, 0, 10, 10], b: [10, 0, 20, 10], want: 0 },
    { a: [0, 0, 10, 10], b: [20, 20, 30, 30], want: 0 },
    { a: [0, 0, 10, 10], b: [2, 2, 8, 8], want: 36 / 100 },
  ])('$a vs $b = $want', ({ a, b, want }) => {
    expect(iou(a, 0, b, 0)).toBeCloseTo(want, 6);
    expect(iou(b, 0, a, 0)).toBeCloseTo(want, 6);
  });
});

describe('nms', () => {
  it('keeps the best of overlapping boxes, in score order, compacted in place', () => {
    const boxes = new Float32Array([0, 0, 10, 10, 1, 1, 11, 11, 50, 50, 60, 60, 0, 0, 10, 9]);
    const scores = new Float32Array([0.6, 0.9, 0.7, 0.5]);
    const kept = nms(boxes, scores, 4, 0.5, new NmsScratch());
    expect(kept).toBe(2);
    expect([...scores.subarray(0, 2)]).toEqual([expect.closeTo(0.9), expect.closeTo(0.7)]);
    expect([...boxes.subarray(0, 8)]).toEqual([1, 1, 11, 11, 50, 50, 60, 60]);
  });

  it('keeps the same boxes whatever order equal scores come in (a threaded detector hands them back in any)', () => {
    // Two overlapping boxes with the same score: which survives must not depend on which came first.
    const a = [0, 0, 10, 10];
    const b = [1, 0, 11, 10];
    const far = [50, 50, 60, 60];
    const run = (...bs: number[][]) => {
      const boxes = new Float32Array(bs.flat());
      const scores = new Float32Array(bs.length).fill(0.8);
      const kept = nms(boxes, scores, bs.length, 0.5, new NmsScratch());
      return [...boxes.subarray(0, kept * 4)];
    };
    expect(run(b, far, a)).toEqual(run(a, b, far));
    expect(run(far, b, a)).toEqual([...a, ...far]);
  });

  it('respects maxKeep and handles empty input and growth of the scratch space', () => {
    const n = 500;
    const boxes = new Float32Array(n * 4);
    const scores = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      boxes.set([i * 20, 0, i * 20 + 10, 10], i * 4);
      scores[i] = i / n;
    }
    const scratch = new NmsScratch();
    expect(nms(boxes, scores, 0, 0.5, scratch)).toBe(0);
    expect(nms(boxes, scores, n, 0.5, scratch, 10)).toBe(10);
    expect(scores[0]).toBeCloseTo((n - 1) / n);
  });
});

describe('ensureCapacity', () => {
  it('grows the arrays and keeps everything already written, even beyond count', () => {
    const det = emptyDetections(2);
    det.boxes.set([1, 2, 3, 4, 5, 6, 7, 8]);
    det.scores.set([0.5, 0.6]);
    // A detector fills the arrays first and sets count at the end.
    expect(det.count).toBe(0);
    ensureCapacity(det, 3);
    expect(det.scores.length).toBeGreaterThanOrEqual(3);
    expect(det.boxes.length).toBe(det.scores.length * 4);
    expect([...det.boxes.subarray(0, 8)]).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect([...det.scores.subarray(0, 2)]).toEqual([0.5, expect.closeTo(0.6)]);
    const before = det.boxes;
    ensureCapacity(det, 3);
    expect(det.boxes).toBe(before);
  });
});
