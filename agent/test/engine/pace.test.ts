// The automatic every-Nth: fed measured durations (here from a cost model of a detector and the rest
// of the frame's work), it settles where the frames fit the camera's interval, without flapping.
import { describe, expect, it } from 'vitest';
import { PaceController, type PaceOptions } from '../../src/engine/pace.ts';

/** What one frame costs, in ms: `detect` only on the frames the detector runs on. */
interface Cost {
  detect: number;
  read: number;
  other: number;
}

/**
 * Runs `frames` frames through the controller the way the engine does (detects one frame, skips
 * `everyNth - 1`), each costing `cost(frame)`. Returns every-Nth after each frame.
 */
function drive(pace: PaceController, frames: number, cost: (i: number) => Cost, from = 0): number[] {
  const nths: number[] = [];
  let skip = 0;
  for (let i = from; i < from + frames; i++) {
    const detected = skip === 0;
    skip = detected ? pace.everyNth - 1 : Math.min(skip - 1, pace.everyNth - 1);
    const c = cost(i);
    pace.frame(detected ? c.detect : 0, c.read, c.other, detected);
    nths.push(pace.everyNth);
  }
  return nths;
}

const steady =
  (detect: number, other: number, read = 0) =>
  (): Cost => ({ detect, read, other });

function controller(opts: Partial<PaceOptions> = {}): PaceController {
  return new PaceController({ fps: 30, ...opts });
}

describe('PaceController', () => {
  it('stays at every frame while the detector keeps up', () => {
    const pace = controller();
    const nths = drive(pace, 600, steady(15, 5));
    expect(new Set(nths)).toEqual(new Set([1]));
    expect(pace.changes).toBe(0);
  });

  it('raises every-Nth to the smallest value that fits the frame interval, once', () => {
    // 33.3 ms per frame at 30 frames/s: 40 + 5 does not fit, 40 / 2 + 5 does.
    const pace = controller();
    const nths = drive(pace, 600, steady(40, 5));
    expect(nths[0]).toBe(1);
    expect(nths.at(-1)).toBe(2);
    expect(pace.changes).toBe(1);
    expect(pace.costAt(2)).toBeCloseTo(25, 5);
  });

  it('jumps straight to the value that fits a much slower detector', () => {
    const pace = controller();
    // 66 + 4 per frame: every 2nd frame would still cost 37 ms, every 3rd 26 ms.
    const nths = drive(pace, 600, steady(66, 4));
    expect(nths.at(-1)).toBe(3);
    expect(pace.changes).toBe(1);
  });

  it('does not flap when the load sits between the two thresholds', () => {
    // Every frame costs 33 ms (over 90 % of 33.3), every 2nd frame 18 ms; going back to 1 would
    // cost 33 ms again, above 70 %: it stays at 2.
    const pace = controller();
    const nths = drive(pace, 3000, steady(30, 3));
    expect(nths.at(-1)).toBe(2);
    expect(pace.changes).toBe(1);
  });

  it('comes back down, one step at a time, when the detector gets faster', () => {
    const pace = controller();
    let detect = 90;
    const cost = () => ({ detect, read: 0, other: 3 });
    drive(pace, 600, cost);
    expect(pace.everyNth).toBe(4);
    detect = 10; // the scene emptied, or another program on the box ended
    const nths = drive(pace, 600, cost, 600);
    expect(nths.at(-1)).toBe(1);
    // 4 -> 3 -> 2 -> 1: one step per change, never a jump down.
    for (let i = 1; i < nths.length; i++) expect(nths[i - 1]! - nths[i]!).toBeLessThanOrEqual(1);
  });

  it('stops at the largest every-Nth and then asks the detector for less work', () => {
    const pace = controller({ maxNth: 4, minWork: 0.25 });
    // The detector's time shrinks with the work limit, as a smaller network input would.
    drive(pace, 900, () => ({ detect: 400 * pace.workLimit, read: 0, other: 3 }));
    expect(pace.everyNth).toBe(4);
    expect(pace.workLimit).toBeLessThan(1);
    expect(pace.workLimit).toBeGreaterThanOrEqual(0.25);
    expect(pace.costAt(4)).toBeLessThanOrEqual(0.9 * pace.frameBudgetMs);
  });

  it('never asks for less work unless allowed to', () => {
    const pace = controller();
    drive(pace, 900, () => ({ detect: 400 * pace.workLimit, read: 0, other: 3 }));
    expect(pace.everyNth).toBe(4);
    expect(pace.workLimit).toBe(1);
  });

  it('gives the detector its full work back before lowering every-Nth', () => {
    const pace = controller({ minWork: 0.25 });
    let full = 400;
    const cost = () => ({ detect: full * pace.workLimit, read: 0, other: 3 });
    drive(pace, 900, cost);
    expect(pace.workLimit).toBeLessThan(1);
    full = 15;
    drive(pace, 1200, cost, 900);
    expect(pace.workLimit).toBe(1);
    expect(pace.everyNth).toBe(1);
  });

  it('leaves the warm-up frames out (the first inference of a model is slow)', () => {
    const pace = controller({ warmupFrames: 5 });
    const nths = drive(pace, 600, (i) => ({ detect: i < 5 ? 3000 : 15, read: 0, other: 5 }));
    expect(new Set(nths)).toEqual(new Set([1]));
  });

  it('counts reading a file as work, but not waiting for a camera', () => {
    // 12 ms in read(): decoding for a file, mostly waiting for a camera's next frame.
    const file = controller({ countRead: true });
    drive(file, 600, steady(20, 2, 12));
    expect(file.everyNth).toBe(2);
    const camera = controller({ countRead: false });
    drive(camera, 600, steady(20, 2, 12));
    expect(camera.everyNth).toBe(1);
  });

  it('keeps every-Nth within its bounds', () => {
    const pace = controller({ minNth: 2, maxNth: 3 });
    expect(pace.everyNth).toBe(2);
    drive(pace, 600, steady(1000, 3));
    expect(pace.everyNth).toBe(3);
    const idle = controller({ minNth: 2, maxNth: 3, startNth: 3 });
    drive(idle, 600, steady(1, 1));
    expect(idle.everyNth).toBe(2);
  });

  it('refuses a frame rate that is not a positive number', () => {
    expect(() => new PaceController({ fps: 0 })).toThrow(/positive/);
    expect(() => new PaceController({ fps: Number.NaN })).toThrow(/positive/);
  });
});
