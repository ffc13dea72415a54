import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Mat } from '../../src/cv.ts';
import { loadOpenCV } from '../../src/cv.ts';
import {
  createDetector,
  type Detector,
  inputSizeFor,
  iou,
  YoloxDetector,
  yoloxAnchorCount,
  yoloxGrid,
} from '../../src/detect/index.ts';
import { groundTruth, matchCount, readFrames, YOLOX_NANO } from './pets.ts';

describe('YOLOX grid', () => {
  it('has 3549 anchors at 416 and 8400 at 640, stride 8 first', () => {
    expect(yoloxAnchorCount(416)).toBe(52 * 52 + 26 * 26 + 13 * 13);
    expect(yoloxAnchorCount(416)).toBe(3549);
    expect(yoloxAnchorCount(640)).toBe(8400);
    const g = yoloxGrid(416);
    expect([g.gx[0], g.gy[0], g.stride[0]]).toEqual([0, 0, 8]);
    expect([g.gx[53], g.gy[53], g.stride[53]]).toEqual([1, 1, 8]);
    expect([g.gx[2704], g.gy[2704], g.stride[2704]]).toEqual([0, 0, 16]);
    expect([g.gx[3548], g.gy[3548], g.stride[3548]]).toEqual([12, 12, 32]);
  });

  it('lays out a rectangular input (416x320) row by row per stride', () => {
    expect(yoloxAnchorCount(416, 320)).toBe(52 * 40 + 26 * 20 + 13 * 10);
    const g = yoloxGrid(416, 320);
    expect(g.gx.length).toBe(2730);
    expect([g.gx[52], g.gy[52], g.stride[52]]).toEqual([0, 1, 8]);
    expect([g.gx[2080], g.gy[2080], g.stride[2080]]).toEqual([0, 0, 16]);
    expect([g.gx[2729], g.gy[2729], g.stride[2729]]).toEqual([12, 9, 32]);
  });

  it('guesses the input size from the release file names', () => {
    expect(inputSizeFor('/x/yolox_nano.onnx')).toBe(416);
    expect(inputSizeFor('/x/yolox_tiny.onnx')).toBe(416);
    expect(inputSizeFor('/x/yolox_s.onnx')).toBe(640);
  });
});

describe('YOLOX nano on vtest.avi', () => {
  const indexes = [99, 199, 399];
  let frames: Mat[] = [];
  let detector: Detector;
  beforeAll(async () => {
    frames = await readFrames(indexes);
    detector = await createDetector({ kind: 'yolox', model: YOLOX_NANO });
  });
  afterAll(() => {
    for (const f of frames) f.release();
    detector?.close();
  });

  it('matches more than 60 % of the ground-truth people at IoU 0.5 (frames 100, 200, 400)', async () => {
    expect(detector.name).toBe('yolox');
    let matched = 0;
    let evaluated = 0;
    for (const [i, index] of indexes.entries()) {
      const det = await detector.detect(frames[i]!);
      const m = matchCount(det, groundTruth(index), 0.5);
      matched += m.matched;
      evaluated += m.evaluated;
      if (index === 199) expect(m.matched / m.evaluated).toBeGreaterThan(0.6);
    }
    expect(matched / evaluated).toBeGreaterThan(0.6);
  });

  it('returns person boxes inside the frame, scores in (0, 1], best first, the same object each call', async () => {
    // A fresh detector: its result arrays must grow mid-decode without losing candidates (frame 100
    // has more candidates above 0.1 than the initial capacity).
    const fresh = await createDetector({ kind: 'yolox', model: YOLOX_NANO });
    for (const frame of frames) {
      const det = await fresh.detect(frame);
      for (let i = 0; i < det.count; i++) {
        expect(det.scores[i]!).toBeGreaterThanOrEqual(0.1);
        expect(det.boxes[i * 4 + 2]! - det.boxes[i * 4]!).toBeGreaterThan(2);
      }
      expect(det.count).toBeLessThan(40);
    }
    fresh.close();
    const a = await detector.detect(frames[1]!);
    expect(a.count).toBeGreaterThan(3);
    for (let i = 0; i < a.count; i++) {
      expect(a.scores[i]!).toBeGreaterThanOrEqual(0.1);
      expect(a.scores[i]!).toBeLessThanOrEqual(1);
      if (i > 0) expect(a.scores[i]!).toBeLessThanOrEqual(a.scores[i - 1]!);
      const [x1, y1, x2, y2] = a.boxes.subarray(i * 4, i * 4 + 4);
      expect(x1! >= 0 && y1! >= 0 && x2! <= 768 && y2! <= 576 && x2! > x1! && y2! > y1!).toBe(true);
    }
    // The result object comes round again after `lanes` calls.
    let b = a;
    for (let i = 0; i < detector.lanes; i++) b = await detector.detect(frames[2]!);
    expect(b).toBe(a);
  });

  it('gives the same boxes for a frame of another size (letterbox maps back to frame pixels)', async () => {
    const cv = await loadOpenCV();
    const det = await detector.detect(frames[1]!);
    const first = Float32Array.from(det.boxes.subarray(0, 4));
    const half = frames[1]!.resize(288, 384);
    const small = await detector.detect(half);
    half.release();
    expect(small.count).toBeGreaterThan(0);
    // The strongest person is found at the same place, in half-size coordinates.
    let best = 0;
    for (let i = 0; i < small.count; i++) {
      const dx =
        Math.abs(small.boxes[i * 4]! * 2 - first[0]!) + Math.abs(small.boxes[i * 4 + 1]! * 2 - first[1]!);
      best = Math.max(best, dx < 20 ? 1 : 0);
    }
    expect(best).toBe(1);
    // And back at full size, the result is the same as before the size change (padding refilled).
    const again = await detector.detect(frames[1]!);
    expect(again.boxes[0]).toBeCloseTo(first[0]!, 3);
    expect(cv).toBeDefined();
  });
});

describe('YOLOX input fitted to the frame', () => {
  it('finds the same people with a 416x320 input as with the padded 416x416 square', async () => {
    const [frame] = await readFrames([199]);
    const fitted = await createDetector({ kind: 'yolox', model: YOLOX_NANO });
    const square = await createDetector({ kind: 'yolox', model: YOLOX_NANO, yolox: { fitInput: false } });
    const a = await fitted.detect(frame!);
    const strong = (d: typeof a) => Array.from(d.scores.subarray(0, d.count)).filter((s) => s >= 0.5).length;
    const aBoxes = Float32Array.from(a.boxes.subarray(0, a.count * 4));
    const aStrong = strong(a);
    const b = await square.detect(frame!);
    expect(aStrong).toBeGreaterThan(3);
    expect(Math.abs(aStrong - strong(b))).toBeLessThanOrEqual(1);
    // Every confident person of the fitted input has a box of the square input at IoU >= 0.8.
    for (let i = 0; i < aStrong; i++) {
      let best = 0;
      for (let k = 0; k < b.count; k++) best = Math.max(best, iou(aBoxes, i, b.boxes, k));
      expect(best).toBeGreaterThan(0.8);
    }
    fitted.close();
    square.close();
    frame!.release();
  });
});

describe('YOLOX errors', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'oskartrack-yolox-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('tells how to get a model when the file is missing', async () => {
    await expect(createDetector({ kind: 'yolox', model: join(dir, 'nope.onnx') })).rejects.toThrow(
      /not found: .*nope\.onnx.*models pull yolox-nano.*--model/,
    );
    await expect(createDetector({ kind: 'yolox' })).rejects.toThrow(/models pull yolox-nano.*--model/);
    await expect(createDetector({ kind: 'yolox', model: 'yolox-nano', dataDir: dir })).rejects.toThrow(
      /models pull yolox-nano/,
    );
  });

  it('names the file when it is not an ONNX network', async () => {
    const bad = join(dir, 'garbage.onnx');
    writeFileSync(bad, Buffer.from('this is not a protobuf at all'.repeat(20)));
    await expect(YoloxDetector.load(await loadOpenCV(), bad)).rejects.toThrow(/garbage\.onnx/);
  });

  it('rejects an unknown detector kind', async () => {
    // @ts-expect-error: deliberately wrong kind from an untyped config file
    await expect(createDetector({ kind: 'ssd' })).rejects.toThrow(/Unknown detector "ssd"/);
  });
});

describe('YOLOX input size and threshold follow the people seen', () => {
  const idx = [100, 150, 199, 250, 300, 350, 400];
  let close: Mat[] = [];
  beforeAll(async () => {
    const cv = await loadOpenCV();
    // A crop enlarged 3x, as from a lower camera: people about 250 px tall in a 768x576 frame.
    close = (await readFrames(idx)).map((m) => {
      const crop = m.getRegion(new cv.Rect(260, 150, 256, 192)).resize(576, 768);
      m.release();
      return crop;
    });
  });
  afterAll(() => {
    for (const f of close) f.release();
  });

  /** Confident detections (score >= 0.5) in the frames, the first at `fromMs`, one every 0.5 s. */
  async function confident(d: YoloxDetector, fromMs: number): Promise<number> {
    let n = 0;
    for (let i = 0; i < close.length; i++) {
      const det = await d.detect(close[i]!, fromMs + i * 500);
      for (let k = 0; k < det.count; k++) if (det.scores[k]! >= 0.5) n++;
    }
    return n;
  }

  it('uses a smaller input for large people and still finds them', async () => {
    const cv = await loadOpenCV();
    const fixed = await YoloxDetector.load(cv, YOLOX_NANO, { autoInput: false, scoreThreshold: 0.1 });
    const auto = await YoloxDetector.load(cv, YOLOX_NANO);
    try {
      const reference = await confident(fixed, 0);
      expect(auto.inputSize).toBe(416);
      await confident(auto, 0); // calibration
      await confident(auto, 4000);
      // People about 250 px need far less than 416: the floor (320).
      expect(auto.inputSize).toBe(320);
      const narrowed = await confident(auto, 20_000);
      expect(reference).toBeGreaterThan(10);
      expect(narrowed).toBeGreaterThanOrEqual(Math.floor(reference * 0.85));
      // The threshold stays where the tracker's second pass (from 0.1) still gets partly hidden people.
      expect(auto.threshold).toBeGreaterThanOrEqual(0.1);
      expect(auto.threshold).toBeLessThanOrEqual(0.15);
      expect(fixed.threshold).toBe(0.1);
    } finally {
      fixed.close();
      auto.close();
    }
  });

  it('honours the speed cap whatever the people need', async () => {
    const auto = await YoloxDetector.load(await loadOpenCV(), YOLOX_NANO);
    try {
      auto.setWorkLimit(0.25);
      const det = await auto.detect(close[0]!, 0);
      expect(det.count).toBeGreaterThan(0);
      auto.setWorkLimit(0.01);
      await auto.detect(close[1]!, 100);
      auto.setWorkLimit(1);
      await auto.detect(close[2]!, 200);
    } finally {
      auto.close();
    }
  });
});
