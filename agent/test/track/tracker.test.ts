import { describe, expect, it } from 'vitest';
import { Tracker, trackerFrames } from '../../src/track/tracker.ts';
import type { Detections, Tracks } from '../../src/types.ts';

/** Deterministic pseudo-random numbers (mulberry32). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
  score?: number;
}

/** Reused detections buffer, like a detector would hand over. */
const det: Detections = { count: 0, boxes: new Float32Array(4 * 64), scores: new Float32Array(64) };
function dets(boxes: Box[]): Detections {
  det.count = boxes.length;
  boxes.forEach((b, k) => {
    det.boxes.set([b.x, b.y, b.x + b.w, b.y + b.h], k * 4);
    det.scores[k] = b.score ?? 0.9;
  });
  return det;
}

/** Copies the tracks of one step into plain objects keyed by id. */
function snapshot(t: Tracks): Map<number, { x1: number; y1: number; x2: number; y2: number; score: number }> {
  const m = new Map<number, { x1: number; y1: number; x2: number; y2: number; score: number }>();
  for (let k = 0; k < t.count; k++) {
    m.set(t.ids[k]!, {
      x1: t.boxes[k * 4]!,
      y1: t.boxes[k * 4 + 1]!,
      x2: t.boxes[k * 4 + 2]!,
      y2: t.boxes[k * 4 + 3]!,
      score: t.scores[k]!,
    });
  }
  return m;
}

/** The id whose box centre is nearest to (cx, cy). */
function idNear(t: Tracks, cx: number, cy: number): number {
  let best = -1;
  let bestD = Infinity;
  for (let k = 0; k < t.count; k++) {
    const x = (t.boxes[k * 4]! + t.boxes[k * 4 + 2]!) / 2;
    const y = (t.boxes[k * 4 + 1]! + t.boxes[k * 4 + 3]!) / 2;
    const d = Math.hypot(x - cx, y - cy);
    if (d < bestD) {
      bestD = d;
      best = t.ids[k]!;
    }
  }
  return best;
}

describe('Tracker', () => {
  it('issues an id only after minHits consecutive matches, and ids are dense', () => {
    const tr = new Tracker({ minHits: 3 });
    const seen: number[][] = [];
    for (let f = 0; f < 10; f++) {
      const boxes: Box[] = [{ x: 10 + 2 * f, y: 20, w: 40, h: 100 }];
      // A one-frame false detection on frame 2 and a two-frame one on frames 5-6: never confirmed.
      if (f === 2) boxes.push({ x: 300, y: 300, w: 40, h: 100 });
      if (f === 5 || f === 6) boxes.push({ x: 500, y: 50, w: 40, h: 100 });
      const out = tr.update(dets(boxes), f, f * 100);
      seen.push(Array.from(out.ids.subarray(0, out.count)));
    }
    expect(seen[0]).toEqual([]);
    expect(seen[1]).toEqual([]);
    expect(seen[2]).toEqual([1]);
    for (let f = 3; f < 10; f++) expect(seen[f]).toEqual([1]);
    // A later real person gets id 2, not 3 or 4: the false detections consumed nothing.
    for (let f = 10; f < 14; f++) {
      const out = tr.update(
        dets([
          { x: 30 + 2 * f, y: 20, w: 40, h: 100 },
          { x: 400, y: 200, w: 40, h: 100 },
        ]),
        f,
        f * 100,
      );
      if (f === 12) expect(Array.from(out.ids.subarray(0, out.count)).sort()).toEqual([1, 2]);
    }
  });

  it('with detectionBox, shows a matched person where the detector saw them, not where the filter trails', () => {
    // Walks right 12 px a frame, then stops dead: the constant-velocity filter overshoots.
    const path = (f: number): Box => ({ x: 10 + 12 * Math.min(f, 8), y: 20, w: 60, h: 160 });
    const run = (detectionBox: boolean) => {
      const tr = new Tracker({ minHits: 1, detectionBox });
      let out = tr.update(dets([path(0)]), 0, 0);
      for (let f = 1; f <= 10; f++) out = tr.update(dets([path(f)]), f, f * 100);
      return snapshot(out).get(1)!;
    };
    const seen = run(true);
    expect(seen.x1).toBeCloseTo(106, 3);
    expect(seen.x2).toBeCloseTo(166, 3);
    expect(seen.y1).toBeCloseTo(20, 3);
    expect(seen.y2).toBeCloseTo(180, 3);
    expect(Math.abs(run(false).x1 - 106)).toBeGreaterThan(1); // the filter's estimate still moves on
  });

  it('confirms at once with minHits 1', () => {
    const tr = new Tracker({ minHits: 1 });
    const out = tr.update(dets([{ x: 0, y: 0, w: 10, h: 20 }]), 0, 0);
    expect(out.count).toBe(1);
    expect(out.ids[0]).toBe(1);
  });

  it('returns the same reused Tracks object, with frame index and time', () => {
    const tr = new Tracker();
    const a = tr.update(dets([{ x: 0, y: 0, w: 10, h: 20 }]), 0, 1000);
    const b = tr.update(dets([{ x: 1, y: 0, w: 10, h: 20 }]), 1, 1040);
    expect(b).toBe(a);
    expect(b.frameIndex).toBe(1);
    expect(b.at).toBe(1040);
  });

  it('keeps ids of two people whose paths cross, one hiding the other', () => {
    const tr = new Tracker();
    let idA = -1;
    let idB = -1;
    for (let f = 0; f <= 60; f++) {
      const ax = 20 + 8 * f; // left to right
      const bx = 500 - 8 * f; // right to left
      const boxes: Box[] = [{ x: ax, y: 100, w: 50, h: 120 }];
      // B walks behind A: while they overlap much, only A is detected (B at low score when half hidden).
      const overlap = Math.max(0, 50 - Math.abs(ax - bx)) / 50;
      if (overlap < 0.4) boxes.push({ x: bx, y: 104, w: 50, h: 120 });
      else if (overlap < 0.7) boxes.push({ x: bx, y: 104, w: 50, h: 120, score: 0.3 });
      const out = tr.update(dets(boxes), f, f * 40);
      if (f === 5) {
        idA = idNear(out, ax + 25, 160);
        idB = idNear(out, bx + 25, 164);
        expect(idA).not.toBe(idB);
      }
      if (f > 40) {
        expect(out.count).toBe(2);
        expect(idNear(out, ax + 25, 160)).toBe(idA);
        expect(idNear(out, bx + 25, 164)).toBe(idB);
      }
    }
    expect(tr.stats().nextId).toBe(3);
  });

  it("can apply ByteTrack's duplicate removal, which ends the hidden person's id", () => {
    const tr = new Tracker({ duplicateIou: 0.85 });
    for (let f = 0; f <= 60; f++) {
      const ax = 20 + 8 * f;
      const bx = 500 - 8 * f;
      const boxes: Box[] = [{ x: ax, y: 100, w: 50, h: 120 }];
      if (Math.abs(ax - bx) > 30) boxes.push({ x: bx, y: 104, w: 50, h: 120 });
      tr.update(dets(boxes), f, f * 40);
    }
    expect(tr.stats().nextId).toBe(4);
    expect(tr.ended()).toEqual([2]);
  });

  describe('re-linking a lost person whose box drifted too far for IoU', () => {
    /**
     * Walks right 5 px a frame (25 fps), is hidden 8 frames, then reappears `back` px left of where it
     * vanished, walking left: the filter predicted it further right, so IoU cannot re-find it.
     * Returns the id before and after, and the ids reported ended by the end.
     */
    function turnAround(tr: Tracker, back: number) {
      let before = -1;
      let after = -1;
      const ended: number[] = [];
      for (let f = 0; f < 40; f++) {
        let boxes: Box[] = [];
        if (f < 20) boxes = [{ x: 10 + 5 * f, y: 50, w: 40, h: 100 }];
        else if (f >= 28) boxes = [{ x: 105 - back - 5 * (f - 28), y: 50, w: 40, h: 100 }];
        const out = tr.update(dets(boxes), f, f * 40);
        if (f === 19) before = out.ids[0]!;
        if (f === 39) after = out.ids[0]!;
        tr.ended(ended);
      }
      for (let f = 40; f < 80; f++) {
        tr.update(dets([]), f, f * 40);
        tr.ended(ended);
      }
      return { before, after, ended };
    }

    it('is off by default: the person comes back with a new id', () => {
      const r = turnAround(new Tracker({ trackBuffer: 30 }), 20);
      expect(r.after).not.toBe(r.before);
      expect(r.ended.sort()).toEqual([r.before, r.after].sort());
    });

    it('with relinkSpeed, the new track takes the lost id, which is reported ended only once', () => {
      const r = turnAround(new Tracker({ trackBuffer: 30, relinkSpeed: 1 }), 20);
      expect(r.after).toBe(r.before);
      expect(r.ended).toEqual([r.before]);
    });

    it('asks relinkCheck (appearance) and keeps a new id when it says no', () => {
      const asked: number[] = [];
      const check = (id: number) => {
        asked.push(id);
        return false;
      };
      const r = turnAround(new Tracker({ trackBuffer: 30, relinkSpeed: 1, relinkCheck: check }), 20);
      expect(asked).toEqual([r.before]);
      expect(r.after).not.toBe(r.before);
    });

    it('does not link a track that appears farther than the gate allows', () => {
      // 300 px back is 3 box heights after 0.36 s: beyond 0.5 + 1 x 0.36.
      const r = turnAround(new Tracker({ trackBuffer: 30, relinkSpeed: 1 }), 300);
      expect(r.after).not.toBe(r.before);
    });
  });

  it('keeps the id through an occlusion of several frames and outputs nothing while lost', () => {
    const tr = new Tracker({ trackBuffer: 30 });
    let id = -1;
    for (let f = 0; f < 50; f++) {
      const x = 10 + 5 * f;
      const hidden = f >= 20 && f < 32; // 12 frames unseen
      const out = tr.update(dets(hidden ? [] : [{ x, y: 50, w: 40, h: 100 }]), f, f * 40);
      if (f === 10) id = out.ids[0]!;
      if (hidden) expect(out.count).toBe(0);
      if (f >= 32) {
        expect(out.count).toBe(1);
        expect(out.ids[0]).toBe(id);
        // The filter carried the box along while it was hidden.
        expect(Math.abs(out.boxes[0]! - x)).toBeLessThan(10);
      }
    }
    expect(tr.size).toBe(1);
    expect(tr.ended()).toEqual([]);
  });

  it('predicts and outputs confirmed tracks on frames without detection (dets === null)', () => {
    const tr = new Tracker();
    let id = -1;
    let lastX = -Infinity;
    for (let f = 0; f < 60; f++) {
      const x = 10 + 4 * f;
      // Detection every 3rd frame after a warm-up.
      const run = f < 10 || f % 3 === 0;
      const out = tr.update(run ? dets([{ x, y: 50, w: 40, h: 100 }]) : null, f, f * 40);
      if (f === 9) id = out.ids[0]!;
      if (f >= 10) {
        expect(out.count).toBe(1);
        expect(out.ids[0]).toBe(id);
        expect(out.boxes[0]!).toBeGreaterThan(lastX);
        expect(Math.abs(out.boxes[0]! - x)).toBeLessThan(6);
      }
      lastX = out.count ? out.boxes[0]! : lastX;
    }
  });

  it('predicts through skipped frame indices', () => {
    const tr = new Tracker();
    for (let f = 0; f < 20; f++) tr.update(dets([{ x: 10 + 3 * f, y: 0, w: 30, h: 90 }]), f, 0);
    const out = tr.update(null, 25, 0);
    expect(out.count).toBe(1);
    expect(Math.abs(out.boxes[0]! - (10 + 3 * 25))).toBeLessThan(4);
  });

  it('bridges a partial occlusion with low-score detections (second association)', () => {
    const tr = new Tracker();
    for (let f = 0; f < 40; f++) {
      const score = f >= 15 && f < 25 ? 0.25 : 0.9;
      const out = tr.update(dets([{ x: 10 + 3 * f, y: 0, w: 30, h: 90, score }]), f, 0);
      if (f >= 3) {
        expect(out.count).toBe(1);
        expect(out.ids[0]).toBe(1);
      }
      if (f >= 15 && f < 25) expect(out.scores[0]).toBeCloseTo(0.25, 5);
    }
    // Low-score detections alone never start a track.
    const tr2 = new Tracker();
    for (let f = 0; f < 10; f++) tr2.update(dets([{ x: 0, y: 0, w: 30, h: 90, score: 0.3 }]), f, 0);
    expect(tr2.size).toBe(0);
  });

  it('evicts ended tracks: size returns to 0 and each id is reported once', () => {
    const reported: number[] = [];
    const tr = new Tracker({ trackBuffer: 10 });
    for (let f = 0; f < 20; f++) {
      tr.update(
        dets([
          { x: 10 + f, y: 0, w: 30, h: 90 },
          { x: 200 - f, y: 50, w: 30, h: 90 },
        ]),
        f,
        0,
      );
    }
    expect(tr.size).toBe(2);
    for (let f = 20; f < 30; f++) {
      tr.update(dets([]), f, 0);
      reported.push(...tr.ended());
    }
    expect(tr.size).toBe(2); // still inside the 10-frame buffer (last seen at 19, now 29)
    expect(reported).toEqual([]);
    tr.update(null, 30, 0);
    reported.push(...tr.ended());
    expect(tr.size).toBe(0);
    expect(reported.sort()).toEqual([1, 2]);
    expect(tr.ended()).toEqual([]);
  });

  it('calls onEnded instead of queueing when given', () => {
    const calls: [number, number][] = [];
    const tr = new Tracker({ trackBuffer: 2, onEnded: (id, last) => calls.push([id, last]) });
    for (let f = 0; f < 5; f++) tr.update(dets([{ x: 0, y: 0, w: 30, h: 90 }]), f, 0);
    for (let f = 5; f < 9; f++) tr.update(dets([]), f, 0);
    expect(calls).toEqual([[1, 4]]);
    expect(tr.ended()).toEqual([]);
    expect(tr.size).toBe(0);
  });

  it('reset ends every track and reports the confirmed ones', () => {
    const tr = new Tracker();
    for (let f = 0; f < 5; f++) tr.update(dets([{ x: 0, y: 0, w: 30, h: 90 }]), f, 0);
    tr.update(
      dets([
        { x: 0, y: 0, w: 30, h: 90 },
        { x: 300, y: 0, w: 30, h: 90 },
      ]),
      5,
      0,
    );
    expect(tr.size).toBe(2);
    tr.reset();
    expect(tr.size).toBe(0);
    expect(tr.ended()).toEqual([1]);
    expect(tr.update(null, 6, 0).count).toBe(0);
  });

  it('unconfirmed tracks that miss are dropped without an id', () => {
    const tr = new Tracker({ minHits: 3 });
    tr.update(dets([{ x: 0, y: 0, w: 30, h: 90 }]), 0, 0);
    tr.update(dets([{ x: 0, y: 0, w: 30, h: 90 }]), 1, 0);
    expect(tr.size).toBe(1);
    tr.update(dets([]), 2, 0);
    expect(tr.size).toBe(0);
    expect(tr.ended()).toEqual([]);
    expect(tr.stats().nextId).toBe(1);
  });

  it('runs 100k frames of people coming and going with bounded state and no id churn', () => {
    const r = rng(2024);
    const trackBuffer = 30;
    const tr = new Tracker({ trackBuffer });
    interface Person {
      x: number;
      y: number;
      vx: number;
      vy: number;
      w: number;
      h: number;
      left: number;
    }
    const people: Person[] = [];
    const endedIds = new Set<number>();
    const drained: number[] = [];
    let spawned = 0;
    let maxSize = 0;
    let capacityAfterWarmup = -1;
    let badOutputs = 0;
    let repeatedEnds = 0;
    const frames = 100_000;
    for (let f = 0; f < frames; f++) {
      if (people.length < 6 && r() < 0.02) {
        spawned++;
        const fromLeft = r() < 0.5;
        people.push({
          x: fromLeft ? 0 : 1200,
          y: 50 + r() * 400,
          vx: (fromLeft ? 1 : -1) * (2 + r() * 4),
          vy: (r() - 0.5) * 1.5,
          w: 40 + r() * 20,
          h: 110 + r() * 40,
          left: 150 + Math.floor(r() * 300),
        });
      }
      const boxes: Box[] = [];
      for (let i = people.length - 1; i >= 0; i--) {
        const p = people[i]!;
        p.x += p.vx;
        p.y += p.vy;
        if (--p.left <= 0) {
          people.splice(i, 1);
          continue;
        }
        // 5% missed detections, jittered boxes.
        if (r() < 0.05) continue;
        boxes.push({
          x: p.x + (r() - 0.5) * 3,
          y: p.y + (r() - 0.5) * 3,
          w: p.w + (r() - 0.5) * 2,
          h: p.h + (r() - 0.5) * 2,
          score: 0.6 + r() * 0.4,
        });
      }
      // Every 5th frame the detector is skipped.
      const out = tr.update(f % 5 === 4 ? null : dets(boxes), f, f * 40);
      if (out.count > tr.size) badOutputs++;
      maxSize = Math.max(maxSize, tr.size);
      drained.length = 0;
      for (const id of tr.ended(drained)) {
        if (endedIds.has(id)) repeatedEnds++;
        endedIds.add(id);
      }
      if (f === 20_000) capacityAfterWarmup = tr.stats().bufferFloats;
    }
    const s = tr.stats();
    expect(badOutputs).toBe(0);
    expect(repeatedEnds).toBe(0);
    // Bounded: live tracks never exceed people on screen plus lost ones in the buffer.
    expect(maxSize).toBeLessThan(20);
    expect(s.spareSlots).toBeLessThanOrEqual(256);
    expect(s.pendingEnded).toBe(0);
    expect(s.bufferFloats).toBe(capacityAfterWarmup);
    // Ids: about one per person (occasional extra ids where paths cross are allowed).
    expect(s.nextId - 1).toBeGreaterThanOrEqual(spawned * 0.9);
    expect(s.nextId - 1).toBeLessThan(spawned * 1.3);
    // Once everyone has gone, everything is evicted.
    for (let f = frames; f < frames + 800; f++) tr.update(dets([]), f, f * 40);
    tr.ended(drained);
    expect(tr.size).toBe(0);
    expect(tr.stats().pendingEnded).toBe(0);
  });

  it('rejects invalid options', () => {
    expect(() => new Tracker({ minHits: 0 })).toThrow(RangeError);
    expect(() => new Tracker({ lowThresh: 0.8, highThresh: 0.5 })).toThrow(RangeError);
  });

  it('ignores degenerate boxes', () => {
    const tr = new Tracker({ minHits: 1 });
    const out = tr.update(
      dets([
        { x: 0, y: 0, w: 0, h: 10 },
        { x: 0, y: 0, w: Number.NaN, h: 10 },
      ]),
      0,
      0,
    );
    expect(out.count).toBe(0);
    expect(tr.size).toBe(0);
    expect(snapshot(out).size).toBe(0);
  });
});

describe('trackerFrames: waits in seconds, frames from the real frame rate', () => {
  it('equals the PETS09-tuned frame counts at 7 frames/s and keeps the same seconds at 14', () => {
    expect(trackerFrames(7)).toEqual({ minHits: 3, coastFrames: 2, trackBuffer: 28 });
    expect(trackerFrames(14)).toEqual({ minHits: 6, coastFrames: 4, trackBuffer: 56 });
  });

  it('counts the confirmation in detector frames when only every Nth frame is detected', () => {
    expect(trackerFrames(14, 2).minHits).toBe(3);
    expect(trackerFrames(30, 3).minHits).toBe(4);
  });
});
