import { describe, expect, it } from 'vitest';
import { PersonSizes } from '../../src/detect/person-sizes.ts';
import type { Detections } from '../../src/types.ts';

function dets(rows: [number, number, number][]): Detections {
  // [top, bottom, score]
  const d: Detections = {
    count: rows.length,
    boxes: new Float32Array(rows.length * 4),
    scores: new Float32Array(rows.length),
  };
  rows.forEach(([y1, y2, s], i) => {
    d.boxes.set([10, y1, 40, y2], i * 4);
    d.scores[i] = s;
  });
  return d;
}

describe('PersonSizes: rolling statistics of confident detections', () => {
  it('gives quantiles of the heights and scores seen, NaN when nobody was seen', () => {
    const s = new PersonSizes();
    expect(s.heightQuantile(0.5, 0)).toBeNaN();
    for (let h = 1; h <= 101; h++) s.add(0, h, h / 101);
    expect(s.count(0)).toBe(101);
    expect(s.heightQuantile(0, 0)).toBe(1);
    expect(s.heightQuantile(0.5, 0)).toBe(51);
    expect(s.heightQuantile(1, 0)).toBe(101);
    expect(s.scoreQuantile(0.1, 0)).toBeCloseTo(11 / 101, 5);
  });

  it('forgets what is older than the window, in seconds', () => {
    const s = new PersonSizes({ windowSeconds: 10 });
    s.add(0, 50, 0.9);
    s.add(5_000, 200, 0.9);
    expect(s.heightQuantile(0, 9_000)).toBe(50);
    expect(s.heightQuantile(0, 12_000)).toBe(200);
    expect(s.count(12_000)).toBe(1);
    expect(s.count(16_000)).toBe(0);
    expect(s.heightQuantile(0.5, 16_000)).toBeNaN();
  });

  it('keeps only the newest samples past its capacity', () => {
    const s = new PersonSizes({ capacity: 4 });
    for (let i = 1; i <= 10; i++) s.add(i, i * 10, 0.9);
    expect(s.count(10)).toBe(4);
    expect(s.heightQuantile(0, 10)).toBe(70);
    expect(s.heightQuantile(1, 10)).toBe(100);
  });

  it('adds confident detections only, and leaves out boxes cut by the top or bottom edge', () => {
    const s = new PersonSizes();
    const added = s.addDetections(
      dets([
        [100, 200, 0.9],
        [50, 130, 0.3], // not confident
        [0, 60, 0.9], // cut by the top
        [400, 480, 0.9], // cut by the bottom of a 480 px frame
      ]),
      0,
      0.5,
      480,
    );
    expect(added).toBe(1);
    expect(s.heightQuantile(0.5, 0)).toBe(100);
    // Without the frame height, the edges are unknown and every confident box counts.
    expect(s.addDetections(dets([[0, 60, 0.9]]), 0, 0.5)).toBe(1);
  });

  it('ignores heights that are not positive numbers', () => {
    const s = new PersonSizes();
    s.add(0, 0, 0.9);
    s.add(0, Number.NaN, 0.9);
    s.add(0, -5, 0.9);
    expect(s.count(0)).toBe(0);
  });
});
