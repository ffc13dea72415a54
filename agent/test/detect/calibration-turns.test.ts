import { describe, expect, it } from 'vitest';
import { CalibrationTurns } from '../../src/detect/calibration-turns.ts';
import { SizeCalibration } from '../../src/detect/size-calibration.ts';
import type { Detections } from '../../src/types.ts';

/** One confident person `height` px tall. */
function person(height: number): Detections {
  return {
    count: 1,
    boxes: new Float32Array([10, 100, 10 + height / 2, 100 + height]),
    scores: new Float32Array([0.9]),
  };
}

const FPS = 7;
/** Heights that change every frame, so any change in what the calibration has seen shows. */
const HEIGHTS = Array.from({ length: 40 }, (_, i) => 60 + ((i * 37) % 90));

/**
 * Runs 40 frames through a calibration with `lanes` overlapping calls; `finishOrder` says which calls
 * in flight end before the next starts. Returns what each frame was searched at.
 */
function run(lanes: number, finishOrder: 'oldest' | 'newest' | 'each-before-next'): string[] {
  const turns = new CalibrationTurns(
    new SizeCalibration({ calibrationSeconds: 0.5, updateSeconds: 0, windowSeconds: 1, margin: 1 }),
    lanes,
  );
  const seen: string[] = [];
  const inFlight: { turn: ReturnType<CalibrationTurns['begin']>; h: number }[] = [];
  const finish = (i: number) => {
    const [f] = inFlight.splice(i, 1);
    turns.end(f!.turn, person(f!.h), 1000);
  };
  HEIGHTS.forEach((h, i) => {
    // The call `lanes` before this one has ended (its lane is this one's); 'newest': the calls after it
    // ended first.
    if (inFlight.length === lanes) {
      if (finishOrder === 'newest') while (inFlight.length) finish(inFlight.length - 1);
      else finish(0);
    }
    const turn = turns.begin((i * 1000) / FPS);
    const c = turns.calibration;
    seen.push(turn.wide ? 'wide' : `${c.low.toFixed(1)}..${c.high.toFixed(1)}`);
    inFlight.push({ turn, h });
    if (finishOrder === 'each-before-next') finish(0);
  });
  return seen;
}

describe('CalibrationTurns: sizes chosen the same whatever the order calls end in', () => {
  it('gives the same searches when each call ends before the next starts (a quiet machine) as when they overlap (a busy one)', () => {
    const quiet = run(2, 'each-before-next');
    expect(run(2, 'oldest')).toEqual(quiet);
    expect(run(2, 'newest')).toEqual(quiet);
    // The heights seen do move the range (the test would not notice a calibration that learns nothing).
    expect(new Set(quiet.filter((s) => s !== 'wide')).size).toBeGreaterThan(5);
  });

  it('waits for the same calls with one lane as with two (a 1-core machine counts like a larger one)', () => {
    expect(run(1, 'each-before-next')).toEqual(run(2, 'oldest'));
  });

  it('waits as many calls as there are lanes, and skips a call that failed', () => {
    const turns = new CalibrationTurns(new SizeCalibration({ calibrationSeconds: 0, updateSeconds: 0 }), 3);
    expect(turns.lag).toBe(3);
    const a = turns.begin(0);
    turns.begin(100); // fails: never ends
    turns.end(a, person(100), 1000);
    turns.begin(200);
    expect(Number.isNaN(turns.calibration.low)).toBe(true); // the first call's people still wait
    turns.begin(300);
    expect(turns.calibration.low).toBeCloseTo(100 / 1.3);
    turns.begin(400); // the failed call's turn: nothing to learn, nothing thrown
    expect(turns.calibration.low).toBeCloseTo(100 / 1.3);
  });
});
