import { describe, expect, it } from 'vitest';
import { SizeCalibration } from '../../src/detect/size-calibration.ts';
import type { Detections } from '../../src/types.ts';

/** Detections of people with these heights (px), all confident. */
function people(...heights: number[]): Detections {
  const d: Detections = {
    count: heights.length,
    boxes: new Float32Array(heights.length * 4),
    scores: new Float32Array(heights.length).fill(0.9),
  };
  heights.forEach((h, i) => {
    d.boxes.set([i * 50, 100, i * 50 + h / 2, 100 + h], i * 4);
  });
  return d;
}

const FRAME_H = 1000;

/** Steps the calibration at `fps` from `from` to `to` seconds with `dets` on each frame; counts wide frames. */
function run(c: SizeCalibration, from: number, to: number, fps: number, dets: Detections): number {
  let wide = 0;
  for (let i = Math.round(from * fps); i < Math.round(to * fps); i++) {
    const at = (i * 1000) / fps;
    if (c.wide(at)) wide++;
    c.observe(dets, at, FRAME_H);
  }
  return wide;
}

describe('SizeCalibration: the person heights to search for', () => {
  it('searches every size while calibrating and until anyone is seen', () => {
    const c = new SizeCalibration({ calibrationSeconds: 3 });
    expect(run(c, 0, 3, 10, people())).toBe(30);
    // Nobody yet: still wide after the calibration time.
    expect(run(c, 3, 5, 10, people())).toBe(20);
    expect(c.low).toBeNaN();
  });

  it('narrows to the heights seen, with the margin, then re-checks wide every few seconds', () => {
    const c = new SizeCalibration({ calibrationSeconds: 3, recheckSeconds: 10, margin: 1.25 });
    run(c, 0, 3, 10, people(100, 150, 200));
    expect(c.low).toBeCloseTo(100 / 1.25, 3);
    expect(c.high).toBeCloseTo(200 * 1.25, 3);
    // 20 s more: two wide checks (one every 10 s), the rest narrow.
    expect(run(c, 3, 23, 10, people(100, 150, 200))).toBe(2);
  });

  it('follows the scene: heights older than the window are forgotten', () => {
    const c = new SizeCalibration({ windowSeconds: 5, calibrationSeconds: 1, margin: 1 });
    run(c, 0, 5, 5, people(100));
    expect(c.low).toBeCloseTo(100);
    run(c, 5, 15, 5, people(300));
    expect(c.low).toBeCloseTo(300);
    expect(c.high).toBeCloseTo(300);
  });

  it('keeps the last range while nobody is seen', () => {
    const c = new SizeCalibration({ windowSeconds: 5, calibrationSeconds: 1, recheckSeconds: 10 });
    run(c, 0, 2, 5, people(100));
    const { low, high } = c;
    const wide = run(c, 2, 30, 5, people());
    expect(c.low).toBe(low);
    expect(c.high).toBe(high);
    expect(wide).toBeLessThanOrEqual(3);
  });

  it('calibrates again when a wide check finds someone outside the range', () => {
    const c = new SizeCalibration({ calibrationSeconds: 2, recheckSeconds: 10, margin: 1.2 });
    run(c, 0, 11, 10, people(100));
    expect(c.high).toBeCloseTo(120);
    // Someone much closer shows up; the narrowed search misses them, but the next wide check sees
    // them and the search stays wide for the calibration time (2 s: 20 frames) while they are measured.
    let wide = 0;
    for (let i = 110; i < 250; i++) {
      const at = i * 100;
      const w = c.wide(at);
      if (w) wide++;
      c.observe(w ? people(100, 400) : people(100), at, FRAME_H);
    }
    expect(wide).toBeGreaterThanOrEqual(20);
    expect(c.high).toBeGreaterThanOrEqual(400);
  });

  it('rejects a margin below 1 and unordered quantiles', () => {
    expect(() => new SizeCalibration({ margin: 0.9 })).toThrow(RangeError);
    expect(() => new SizeCalibration({ lowQuantile: 0.9, highQuantile: 0.1 })).toThrow(RangeError);
  });
});
