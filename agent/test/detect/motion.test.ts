import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Mat } from '../../src/cv.ts';
import { loadOpenCV } from '../../src/cv.ts';
import { MotionGate } from '../../src/detect/motion.ts';
import { readFrames } from './pets.ts';

describe('motion gate on vtest.avi', () => {
  let frames: Mat[] = [];
  beforeAll(async () => {
    frames = await readFrames([99, 100]);
  });
  afterAll(() => {
    for (const f of frames) f.release();
  });

  it('counts the first frame as moved, the same frame again as still, the next real frame as moved', async () => {
    const gate = new MotionGate(await loadOpenCV());
    expect(gate.moved(frames[0]!)).toBe(true);
    expect(gate.moved(frames[0]!)).toBe(false);
    expect(gate.lastChangedFraction).toBe(0);
    expect(gate.moved(frames[1]!)).toBe(true);
    expect(gate.lastChangedFraction).toBeGreaterThan(0.001);
    gate.close();
  });

  it('forces a refresh after maxStillFrames and forgets the past on reset', async () => {
    const gate = new MotionGate(await loadOpenCV(), { maxStillFrames: 2 });
    expect(gate.moved(frames[0]!)).toBe(true);
    expect(gate.moved(frames[0]!)).toBe(false);
    expect(gate.moved(frames[0]!)).toBe(false);
    expect(gate.moved(frames[0]!)).toBe(true);
    gate.reset();
    expect(gate.moved(frames[0]!)).toBe(true);
    gate.close();
  });

  it('ignores a change below the threshold', async () => {
    const cv = await loadOpenCV();
    const gate = new MotionGate(cv, { minChangedFraction: 0.5 });
    gate.moved(frames[0]!);
    expect(gate.moved(frames[1]!)).toBe(false);
    gate.close();
  });
});
