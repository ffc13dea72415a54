// End to end without a camera: synthetic people, noisy detections, the tracker, and the metrics.
import { describe, expect, it } from 'vitest';
import { evaluate } from '../../src/eval/evaluate.ts';
import { formatMotLines, MotRowsBuilder, parseMot } from '../../src/eval/mot-format.ts';
import { Tracker } from '../../src/track/tracker.ts';
import type { Detections } from '../../src/types.ts';

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

describe('tracker scored by the MOT metrics', () => {
  function run(coastFrames: number) {
    const r = rng(11);
    const people = [
      { x0: 0, y0: 100, vx: 5, vy: 0.5, w: 50, h: 130, from: 0, to: 150 },
      { x0: 700, y0: 110, vx: -5, vy: 0, w: 48, h: 125, from: 10, to: 160 },
      { x0: 300, y0: 400, vx: 0.5, vy: -2, w: 55, h: 140, from: 30, to: 200 },
      { x0: 100, y0: 300, vx: 3, vy: 0, w: 45, h: 120, from: 60, to: 200 },
    ];
    const gt = new MotRowsBuilder();
    const pred = new MotRowsBuilder();
    let text = '';
    const tracker = new Tracker({ coastFrames });
    const dets: Detections = { count: 0, boxes: new Float32Array(64), scores: new Float32Array(16) };
    for (let f = 0; f < 200; f++) {
      dets.count = 0;
      for (const [i, p] of people.entries()) {
        if (f < p.from || f >= p.to) continue;
        const t = f - p.from;
        const x = p.x0 + p.vx * t;
        const y = p.y0 + p.vy * t;
        gt.push(f + 1, i + 1, x, y, p.w, p.h, 1);
        if (r() < 0.08) continue; // missed detection
        const k = dets.count++;
        const jx = (r() - 0.5) * 4;
        const jy = (r() - 0.5) * 4;
        dets.boxes.set(
          [x + jx, y + jy, x + jx + p.w + (r() - 0.5) * 3, y + jy + p.h + (r() - 0.5) * 3],
          k * 4,
        );
        dets.scores[k] = 0.55 + r() * 0.4;
      }
      if (r() < 0.1) {
        // Clutter: a low-score box somewhere.
        const k = dets.count++;
        const x = r() * 700;
        const y = r() * 500;
        dets.boxes.set([x, y, x + 40, y + 100], k * 4);
        dets.scores[k] = 0.2 + r() * 0.2;
      }
      const out = tracker.update(dets, f, f * 40);
      pred.pushTracks(out);
      text += formatMotLines(out);
    }
    return { gt: gt.rows(), pred: pred.rows(), text };
  }

  it('tracks a synthetic scene with crossings, misses and clutter well', () => {
    const { gt, pred, text } = run(0);
    const m = evaluate(gt, pred);
    expect(m.gt_ids).toBe(4);
    expect(m.mota).toBeGreaterThan(85);
    expect(m.idf1).toBeGreaterThan(90);
    expect(m.hota).toBeGreaterThan(60);
    expect(m.id_switches).toBeLessThanOrEqual(1);
    expect(m.pred_ids).toBeLessThanOrEqual(5);
    // Writing the tracks as MOT text and reading them back scores the same (up to the 0.01 px rounding).
    const fromText = evaluate(gt, parseMot(text));
    expect(fromText.tp).toBe(m.tp);
    expect(fromText.id_switches).toBe(m.id_switches);
    expect(fromText.mota).toBeCloseTo(m.mota, 6);
  });

  it('coasting lost tracks for two frames bridges single missed detections', () => {
    const plain = run(0);
    const coast = run(2);
    const a = evaluate(plain.gt, plain.pred);
    const b = evaluate(coast.gt, coast.pred);
    expect(b.fragmentations).toBeLessThan(a.fragmentations / 2);
    expect(b.mota).toBeGreaterThan(a.mota);
    expect(b.id_switches).toBe(a.id_switches);
  });
});
