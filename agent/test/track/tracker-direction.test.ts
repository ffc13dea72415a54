import { describe, expect, it } from 'vitest';
import type { BoxFollower } from '../../src/track/box-motion.ts';
import { Tracker, type TrackerOptions } from '../../src/track/tracker.ts';
import type { Detections, Tracks } from '../../src/types.ts';

/** Detections for this frame: boxes [x1, y1, x2, y2], all with score 0.9. */
function dets(boxes: number[][]): Detections {
  return {
    count: boxes.length,
    boxes: Float32Array.from(boxes.flat()),
    scores: new Float32Array(boxes.length).fill(0.9),
  };
}

/** The id of the output box whose centre is nearest to x. */
function idAt(t: Tracks, x: number): number {
  let best = 0;
  let bestD = Number.POSITIVE_INFINITY;
  for (let k = 0; k < t.count; k++) {
    const d = Math.abs((t.boxes[k * 4]! + t.boxes[k * 4 + 2]!) / 2 - x);
    if (d < bestD) {
      bestD = d;
      best = t.ids[k]!;
    }
  }
  return best;
}

const W = 45;
const H = 145;
const box = (cx: number, foot: number) => [cx - W / 2, foot - H, cx + W / 2, foot];

/**
 * Two people pass each other at 7 frames/s, walking 8 px a frame towards each other, B a little
 * farther away. While B comes close to A the detector places B's box 10 px behind B (pulled towards A),
 * and for the two frames in which they overlap most it sees one box only, a little ahead of B. Returns
 * the ids at A's and B's places before they meet and after they have passed.
 */
function passing(opts: Partial<TrackerOptions>) {
  const tracker = new Tracker({ minHits: 1, ...opts });
  const a = (f: number) => 560 + 8 * f;
  const b = (f: number) => 760 - 8 * f;
  let before = [0, 0];
  let after = [0, 0];
  for (let f = 0; f < 24; f++) {
    const lag = b(f) > a(f) && b(f) - a(f) < 1.5 * W ? 10 : 0;
    let boxes = [box(a(f), 270), box(b(f) + lag, 240)];
    if (f === 12 || f === 13) boxes = [box(b(f) - 10, 255)];
    const t = tracker.update(dets(boxes), f, (f * 1000) / 7);
    if (f === 4) before = [idAt(t, a(f)), idAt(t, b(f))];
    if (f === 23) after = [idAt(t, a(f)), idAt(t, b(f))];
  }
  return { before, after };
}

describe('tracker: walking direction in the association', () => {
  it('keeps the ids of two people who pass each other while their boxes overlap', () => {
    const { before, after } = passing({});
    expect(before[0]).not.toBe(before[1]);
    expect(after).toEqual(before);
  });

  it('without the direction term (ByteTrack), the same two people swap ids', () => {
    const { before, after } = passing({ directionWeight: 0 });
    expect(after).not.toEqual(before);
  });
});

describe('tracker: boxes followed between detections', () => {
  const FRAME = { width: 640, height: 480 };
  const still = (x: number) => [x, 100, x + 40, 200];

  /**
   * Two people standing side by side, detected on frames 0-3; on frame 4 (no detection) the follower
   * finds A where it was and, for B, the match jumps onto A (50 px to the left). Returns B's box x1.
   */
  function jumpOntoNeighbour(opts: Partial<TrackerOptions>): number {
    const tracker = new Tracker({ minHits: 1, ...opts });
    const follower: BoxFollower = {
      follow(x1, _y1, _x2, _y2, out) {
        out[0] = x1 > 125 ? -50 : 0;
        out[1] = 0;
        return true;
      },
    };
    let idB = 0;
    for (let f = 0; f < 4; f++) {
      const t = tracker.update(dets([still(100), still(150)]), f, f * 100, FRAME, follower);
      idB = t.ids[Array.from(t.ids.subarray(0, t.count)).findIndex((_, k) => t.boxes[k * 4]! > 125)]!;
    }
    const t = tracker.update(null, 4, 400, FRAME, follower);
    const k = Array.from(t.ids.subarray(0, t.count)).indexOf(idB);
    return t.boxes[k * 4]!;
  }

  it('does not move a box onto its neighbour when the follower jumps there: it is predicted instead', () => {
    expect(jumpOntoNeighbour({})).toBeCloseTo(150, 0);
  });

  it('with every followed box taken, the same box is pulled onto the neighbour', () => {
    expect(jumpOntoNeighbour({ dropConverging: false })).toBeLessThan(140);
  });
});

describe('tracker: re-linking a lost walker', () => {
  /**
   * A person walks right for 20 frames (25 frames/s, 5 px a frame, 100 px tall), is lost for 25 frames,
   * then someone appears `ahead` px past their last place walking `dx` px a frame. Returns both ids.
   */
  function reappear(opts: Partial<TrackerOptions>, ahead: number, dx: number) {
    const tracker = new Tracker({ trackBuffer: 60, relinkSpeed: 1, ...opts });
    let before = 0;
    let after = 0;
    for (let f = 0; f < 55; f++) {
      const x = f < 20 ? 10 + 5 * f : 105 + ahead + dx * (f - 45);
      const t = tracker.update(dets(f < 20 || f >= 45 ? [[x, 50, x + 40, 150]] : []), f, f * 40);
      if (f === 19) before = t.ids[0]!;
      if (f === 54) after = t.ids[0]!;
    }
    return { before, after };
  }

  it('gives a new id to someone ahead of the lost walker who walks back towards them (two turns)', () => {
    const r = reappear({}, 100, -5);
    expect(r.before).toBeGreaterThan(0);
    expect(r.after).toBeGreaterThan(0);
    expect(r.after).not.toBe(r.before);
    // Without the walking direction the re-link is made.
    const off = reappear({ directionWeight: 0 }, 100, -5);
    expect(off.after).toBe(off.before);
  });

  it('still re-links a walker found ahead walking on, or one who turned back once', () => {
    const on = reappear({}, 100, 5);
    expect(on.after).toBe(on.before);
    const back = reappear({}, -20, -5);
    expect(back.after).toBe(back.before);
  });
});

describe('tracker: walking direction at the frame edge', () => {
  /** The private cost, reached for this check only: (track, boxes, offset) -> extra cost. */
  type WithCost = { directionCost(t: unknown, b: Float32Array, k: number): number; tracks: unknown[] };

  it('adds no cost to a person walking out of the frame on their own, cut detection', () => {
    const frame = { width: 640, height: 480 };
    const tracker = new Tracker({ minHits: 1 });
    const inner = tracker as unknown as WithCost;
    const fps = 25;
    const step = (0.8 * 200) / fps; // 0.8 box heights a second
    let worst = 0;
    for (let f = 0; f < 60; f++) {
      const x1 = 400 + step * f;
      // The detector only sees the part of the box inside the frame.
      const cut = Float32Array.from([Math.min(x1, 639), 140, Math.min(x1 + 80, 640), 340]);
      const track = inner.tracks[0];
      if (track) worst = Math.max(worst, inner.directionCost(track, cut, 0));
      tracker.update(dets([[...cut]]), f, (f * 1000) / fps, frame);
    }
    expect(worst).toBe(0);
  });
});
