import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Mat } from '../../src/cv.ts';
import { createDetector, hogScore } from '../../src/detect/index.ts';
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
