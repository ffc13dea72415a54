// People walking out of the picture: their boxes are cut by the frame edge, shrink and shift, and the
// detector loses them before they are gone. The tracker must keep their id until they have left and
// end it then (not a whole lost-track buffer later).
import { describe, expect, it } from 'vitest';
import { Tracker } from '../../src/track/tracker.ts';
import type { Detections } from '../../src/types.ts';

const FRAME = { width: 320, height: 240 };
const W = 40;
const H = 100;

interface Walk {
  /** Full (uncut) box of the person at step i. */
  at(i: number): { x1: number; y1: number; x2: number; y2: number };
  steps: number;
}

function iou(a: ArrayLike<number>, b: { x1: number; y1: number; x2: number; y2: number }): number {
  const iw = Math.min(a[2]!, b.x2) - Math.max(a[0]!, b.x1);
  const ih = Math.min(a[3]!, b.y2) - Math.max(a[1]!, b.y1);
  if (iw <= 0 || ih <= 0) return 0;
  const inter = iw * ih;
  return inter / ((a[2]! - a[0]!) * (a[3]! - a[1]!) + (b.x2 - b.x1) * (b.y2 - b.y1) - inter);
}

/** The box cut at the frame edge; null when nothing is left. */
function visible(b: { x1: number; y1: number; x2: number; y2: number }) {
  const v = {
    x1: Math.max(0, b.x1),
    y1: Math.max(0, b.y1),
    x2: Math.min(FRAME.width, b.x2),
    y2: Math.min(FRAME.height, b.y2),
  };
  return v.x2 > v.x1 && v.y2 > v.y1 ? v : null;
}

/**
 * Runs the walk: the detector finds the visible part while at least `minShare` of the person is in
 * view, scoring lower the less is visible (as detectors do). Checks every frame and returns the ids.
 */
function run(walk: Walk, minShare: number) {
  const tracker = new Tracker({ minHits: 3, trackBuffer: 30 });
  const det: Detections = { count: 0, boxes: new Float32Array(4), scores: new Float32Array(1) };
  const ids = new Set<number>();
  let lastDetected = -1;
  let fullyOut = -1;
  let endedAt = -1;
  for (let i = 0; i < walk.steps; i++) {
    const full = walk.at(i);
    const v = visible(full);
    const share = v ? ((v.x2 - v.x1) * (v.y2 - v.y1)) / ((full.x2 - full.x1) * (full.y2 - full.y1)) : 0;
    det.count = 0;
    if (v && share >= minShare) {
      det.boxes.set([v.x1, v.y1, v.x2, v.y2]);
      det.scores[0] = 0.3 + 0.6 * share;
      det.count = 1;
      lastDetected = i;
    }
    if (!v && fullyOut < 0) fullyOut = i;
    const t = tracker.update(det, i, i * 140, FRAME);
    for (let k = 0; k < t.count; k++) {
      ids.add(t.ids[k]!);
      const b = t.boxes.subarray(k * 4, k * 4 + 4);
      // Output boxes are what is in view.
      expect(b[0]!).toBeGreaterThanOrEqual(0);
      expect(b[1]!).toBeGreaterThanOrEqual(0);
      expect(b[2]!).toBeLessThanOrEqual(FRAME.width);
      expect(b[3]!).toBeLessThanOrEqual(FRAME.height);
      // ...and cover the visible part of the person while they are detected.
      if (v && det.count) expect(iou(b, v)).toBeGreaterThan(0.6);
    }
    if (i >= 2 && det.count) expect(t.count).toBe(1);
    if (endedAt < 0 && tracker.ended().length > 0) endedAt = i;
  }
  return { ids, lastDetected, fullyOut, endedAt };
}

describe('Tracker at the frame edge', () => {
  const cases: [string, Walk][] = [
    ['right', { steps: 40, at: (i) => ({ x1: 150 + 14 * i, y1: 70, x2: 150 + 14 * i + W, y2: 70 + H }) }],
    ['left', { steps: 40, at: (i) => ({ x1: 130 - 14 * i, y1: 70, x2: 130 - 14 * i + W, y2: 70 + H }) }],
    ['bottom', { steps: 40, at: (i) => ({ x1: 140, y1: 60 + 12 * i, x2: 140 + W, y2: 60 + 12 * i + H }) }],
  ];
  for (const [edge, walk] of cases) {
    it(`keeps one id for a person leaving by the ${edge} edge and ends it once they are out`, () => {
      const r = run(walk, 0.25);
      expect(r.ids.size).toBe(1);
      expect(r.lastDetected).toBeGreaterThan(0);
      expect(r.fullyOut).toBeGreaterThan(r.lastDetected);
      // Ended when the predicted box has left the picture, not a lost-track buffer (30 frames) later.
      expect(r.endedAt).toBeGreaterThanOrEqual(r.lastDetected);
      expect(r.endedAt).toBeLessThanOrEqual(r.fullyOut + 3);
    });
  }

  it('follows a fast walker (few frames per second) whose cut box shrinks a lot between frames', () => {
    const walk: Walk = {
      steps: 30,
      // 60 x 150 px, 24 px a frame: 40 % of its width (a new track must still be matched at all).
      at: (i) => ({ x1: 100 + 24 * i, y1: 40, x2: 160 + 24 * i, y2: 190 }),
    };
    const r = run(walk, 0.2);
    expect(r.ids.size).toBe(1);
    expect(r.endedAt).toBeLessThanOrEqual(r.fullyOut + 3);
  });

  it('keeps a lost track whose predicted box is only partly outside (they may still be there)', () => {
    const tracker = new Tracker({ minHits: 1, trackBuffer: 30 });
    const det: Detections = {
      count: 1,
      boxes: new Float32Array([290, 70, 318, 170]),
      scores: new Float32Array([0.9]),
    };
    tracker.update(det, 0, 0, FRAME);
    det.count = 0;
    for (let i = 1; i <= 10; i++) tracker.update(det, i, i * 140, FRAME);
    // Standing still at the edge, then not detected: kept (lost) for the buffer, not ended.
    expect(tracker.size).toBe(1);
    expect(tracker.ended()).toEqual([]);
  });
});
