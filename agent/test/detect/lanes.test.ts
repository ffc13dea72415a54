// Detector lanes: overlapping detect() calls on consecutive frames give what one-at-a-time calls give.
import { availableParallelism } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Mat } from '../../src/cv.ts';
import { createDetector, type Detector, type DetectorKind } from '../../src/detect/index.ts';
import type { Detections } from '../../src/types.ts';
import { readFrames, YOLOX_NANO } from './pets.ts';

const copy = (d: Detections) => ({
  boxes: Array.from(d.boxes.subarray(0, d.count * 4)),
  scores: Array.from(d.scores.subarray(0, d.count)),
});

describe.each<DetectorKind>(['yolox', 'hog'])('%s detector lanes', (kind) => {
  let frames: Mat[] = [];
  let single: Detector;
  let double: Detector;
  beforeAll(async () => {
    frames = await readFrames([99, 100, 101]);
    single = await createDetector({ kind, model: YOLOX_NANO, lanes: 1 });
    double = await createDetector({ kind, model: YOLOX_NANO, lanes: 2 });
  });
  afterAll(() => {
    for (const f of frames) f.release();
    single?.close();
    double?.close();
  });

  it('defaults to 2 lanes on a machine with 2 or more cores', async () => {
    const auto = await createDetector({ kind, model: YOLOX_NANO });
    expect(auto.lanes).toBe(Math.min(2, availableParallelism()));
    auto.close();
    expect(single.lanes).toBe(1);
    expect(double.lanes).toBe(2);
  });

  it('gives each of two overlapping calls its own result, equal to one-at-a-time detection', async () => {
    const expected = [];
    for (const f of frames.slice(0, 2)) expected.push(copy(await single.detect(f)));
    const [a, b] = await Promise.all([double.detect(frames[0]!), double.detect(frames[1]!)]);
    expect(a).not.toBe(b);
    expect(a!.count).toBeGreaterThan(0);
    expect(copy(a!)).toEqual(expected[0]);
    expect(copy(b!)).toEqual(expected[1]);
  });

  it('refuses more overlapping calls than lanes, and keeps working afterwards', async () => {
    const calls = [double.detect(frames[0]!), double.detect(frames[1]!)];
    await expect(double.detect(frames[2]!)).rejects.toThrow(/More than 2 overlapping/);
    await Promise.all(calls);
    const third = await double.detect(frames[2]!);
    expect(third.count).toBeGreaterThan(0);
  });
});
