import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Mat } from '../../src/cv.ts';
import { loadOpenCV } from '../../src/cv.ts';
import { createDetector, HogDetector, hogPyramid, hogScore } from '../../src/detect/index.ts';
import { groundTruth, matchCount, readFrames } from './pets.ts';

describe('HOG people detector on vtest.avi (proves the addon loads and runs HOG)', () => {
  let frames: Mat[] = [];
  beforeAll(async () => {
    frames = await readFrames([199]);
  });
  afterAll(() => {
    for (const f of frames) f.release();
  });

  it('finds people that overlap the ground truth at frame 200', async () => {
    const detector = await createDetector({ kind: 'hog' });
    expect(detector.name).toBe('hog');
    const det = await detector.detect(frames[0]!);
    const gt = groundTruth(199);
    const { matched, evaluated } = matchCount(det, gt, 0.5);
    // Measured: 4 of the 5 evaluated people at the default settings; demand a clear majority.
    expect(evaluated).toBe(5);
    expect(matched).toBeGreaterThanOrEqual(3);
    expect(det.count).toBeLessThanOrEqual(gt.count + 3);
    for (let i = 0; i < det.count; i++) {
      const s = det.scores[i]!;
      expect(s).toBeGreaterThan(0);
      expect(s).toBeLessThan(1);
      const [x1, y1, x2, y2] = det.boxes.subarray(i * 4, i * 4 + 4);
      expect(x1).toBeGreaterThanOrEqual(0);
      expect(y1).toBeGreaterThanOrEqual(0);
      expect(x2).toBeLessThanOrEqual(768);
      expect(y2).toBeLessThanOrEqual(576);
      expect(x2! - x1!).toBeGreaterThan(10);
      expect(y2! - y1!).toBeGreaterThan(x2! - x1!);
    }
    // Scores are sorted best first after NMS.
    for (let i = 1; i < det.count; i++) expect(det.scores[i]!).toBeLessThanOrEqual(det.scores[i - 1]!);
    detector.close();
  });

  it('needs the upscaling to find the small people', async () => {
    const plain = await createDetector({ kind: 'hog', hog: { upscale: 1, pyramidScale: 1.05 } });
    const tuned = await createDetector({ kind: 'hog' });
    const gt = groundTruth(199);
    const a = matchCount(await plain.detect(frames[0]!), gt).matched;
    const b = matchCount(await tuned.detect(frames[0]!), gt).matched;
    expect(b).toBeGreaterThan(a);
  });

  it('maps SVM margins monotonically into 0..1', () => {
    const xs = [-1, 0, 0.3, 1, 2, 5];
    const ys = xs.map(hogScore);
    expect(ys[2]).toBeCloseTo(0.5);
    for (let i = 1; i < ys.length; i++) expect(ys[i]!).toBeGreaterThan(ys[i - 1]!);
    for (const y of ys) expect(y > 0 && y < 1).toBe(true);
  });

  it('returns no detections for an empty or blank frame', async () => {
    const detector = await createDetector({ kind: 'hog', scoreThreshold: 0.5 });
    const cv = (await import('../../src/cv.ts')).loadOpenCV;
    const blank = new (await cv()).Mat(576, 768, (await cv()).CV_8UC3, [90, 90, 90]);
    expect((await detector.detect(blank)).count).toBe(0);
    blank.release();
  });
});

describe('HOG sizes searched follow the people seen', () => {
  const idx = [100, 150, 199, 250, 300, 350, 400];
  let small: Mat[] = [];
  beforeAll(async () => {
    // Half the resolution: people about 42 px tall, under what a 1.5x enlargement finds.
    small = (await readFrames(idx)).map((m) => {
      const r = m.resize(288, 384);
      m.release();
      return r;
    });
  });
  afterAll(() => {
    for (const f of small) f.release();
  });

  /** Evaluated people found in the half-size frames at `fromMs` (one frame every 0.5 s). */
  async function found(d: HogDetector, fromMs: number): Promise<{ matched: number; evaluated: number }> {
    let matched = 0;
    let evaluated = 0;
    for (let i = 0; i < small.length; i++) {
      const det = await d.detect(small[i]!, fromMs + i * 500);
      const gt = groundTruth(idx[i]!);
      for (let k = 0; k < gt.boxes.length; k++) gt.boxes[k]! /= 2;
      const c = matchCount(det, gt, 0.4);
      matched += c.matched;
      evaluated += c.evaluated;
    }
    return { matched, evaluated };
  }

  it('finds small far people a fixed 1.5x enlargement misses, and keeps finding them once narrowed', async () => {
    const cv = await loadOpenCV();
    const fixed = await found(new HogDetector(cv, { upscale: 1.5 }), 0);
    const auto = new HogDetector(cv);
    await found(auto, 0); // calibration (the first 3 s)
    const sizes = auto.personSizes!;
    // Narrowed to about the heights of the people (42 px), with margin.
    expect(sizes.low).toBeGreaterThan(15);
    expect(sizes.low).toBeLessThan(42);
    expect(sizes.high).toBeGreaterThan(42);
    expect(sizes.high).toBeLessThan(150);
    const narrowed = await found(auto, 5000);
    // Measured: 2 of 39 at 1.5x, 32 of 39 calibrated.
    expect(narrowed.evaluated).toBe(39);
    expect(narrowed.matched).toBeGreaterThanOrEqual(25);
    expect(fixed.matched).toBeLessThan(narrowed.matched / 2);
  });

  it('enlarges the frame only as far as the smallest person needs, and stops at the largest', () => {
    const p = { upscale: 0, levels: 0 };
    // People 48..96 px: enlarged so that 48 px is 80 % of the window's person (its reach).
    hogPyramid(48, 96, 1.2, 3, p);
    expect(p.upscale).toBeCloseTo((0.8 * 96) / 48);
    expect(1.2 ** (p.levels - 1)).toBeGreaterThanOrEqual(2);
    expect(p.levels).toBeLessThan(8);
    // People 200..400 px: the frame is made smaller instead (less work), no level wasted on small ones.
    hogPyramid(200, 400, 1.2, 3, p);
    expect(p.upscale).toBeCloseTo((0.8 * 96) / 200);
    expect(1.2 ** (p.levels - 1)).toBeGreaterThanOrEqual(2);
    // Tiny people: no more than the largest enlargement.
    hogPyramid(10, 40, 1.2, 3, p);
    expect(p.upscale).toBe(3);
  });
});
