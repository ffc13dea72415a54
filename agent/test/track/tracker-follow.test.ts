// Boxes between detections (every-Nth): a follower that sees where each box went moves the tracks,
// and the filter's velocity learns from it, so the next detection is matched to the same person.
import { describe, expect, it } from 'vitest';
import type { BoxFollower } from '../../src/track/box-motion.ts';
import { Tracker } from '../../src/track/tracker.ts';
import type { Detections } from '../../src/types.ts';

const FRAME = { width: 640, height: 480 };

/** Reports every box as moved by (dx, dy) since the previous frame. */
function steady(dx: number, dy: number): BoxFollower & { calls: number } {
  return {
    calls: 0,
    follow(_x1, _y1, _x2, _y2, out) {
      this.calls++;
      out[0] = dx;
      out[1] = dy;
      return true;
    },
  };
}

function det(x: number): Detections {
  return { count: 1, boxes: Float32Array.of(x, 100, x + 40, 200), scores: Float32Array.of(0.9) };
}

/** One person walking 12 px per frame to the right, detected on every 4th frame. */
function walk(detectionBox: boolean, follower: BoxFollower | undefined) {
  const tracker = new Tracker({ minHits: 1, detectionBox });
  const xs: number[] = [];
  const ids: number[] = [];
  for (let i = 0; i < 24; i++) {
    const t = tracker.update(i % 4 === 0 ? det(100 + 12 * i) : null, i, i * 100, FRAME, follower);
    xs.push(t.count ? t.boxes[0]! : Number.NaN);
    ids.push(t.count ? t.ids[0]! : 0);
  }
  return { xs, ids };
}

describe('Tracker with a box follower', () => {
  it('moves a box between detections by what the follower saw', () => {
    const { xs } = walk(true, steady(12, 0));
    // Frame 1: the detection of frame 0 (x 100) moved 12 px; frame 3: 36 px.
    expect(xs[1]).toBeCloseTo(112, 3);
    expect(xs[3]).toBeCloseTo(136, 3);
    // Without a follower a new track has no velocity yet: its box stays where it was first seen.
    expect(walk(true, undefined).xs[3]).toBeCloseTo(100, 3);
  });

  it('teaches the filter the speed, so the predicted box keeps up with the person', () => {
    const followed = walk(false, steady(12, 0));
    const guessed = walk(false, undefined);
    // The last predicted frame, 3 frames after a detection at x = 100 + 12 * 20.
    const truth = 100 + 12 * 23;
    expect(Math.abs(followed.xs[23]! - truth)).toBeLessThan(Math.abs(guessed.xs[23]! - truth));
    expect(Math.abs(followed.xs[23]! - truth)).toBeLessThan(6);
    expect(new Set(followed.ids).size).toBe(1);
  });

  it('does not ask the follower across skipped frame numbers, nor for lost tracks', () => {
    const tracker = new Tracker({ minHits: 1 });
    const f = steady(5, 0);
    tracker.update(det(100), 0, 0, FRAME, f);
    tracker.update(null, 5, 500, FRAME, f); // frames 1..4 skipped: one shift would not cover them
    expect(f.calls).toBe(0);
    tracker.update(det(100), 6, 600, FRAME, f);
    expect(f.calls).toBe(1);
    tracker.update({ count: 0, boxes: new Float32Array(0), scores: new Float32Array(0) }, 7, 700, FRAME, f);
    expect(f.calls).toBe(2);
    tracker.update(null, 8, 800, FRAME, f); // now lost: nobody was seen there
    expect(f.calls).toBe(2);
  });
});
