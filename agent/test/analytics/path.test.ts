import { MAX_PATH_POINTS } from '@oskartrack/protocol';
import { describe, expect, it } from 'vitest';
import { PathSampler } from '../../src/analytics/path.ts';

describe('PathSampler', () => {
  it('keeps a point per minDistance of movement and always ends at the last sighting', () => {
    const p = new PathSampler({ minDistance: 10, maxIntervalMs: 60_000, maxPoints: 100 });
    for (let i = 0; i <= 50; i++) p.add(i * 100, i * 3, 0); // 3 px per frame
    const pts = p.points();
    expect(pts[0]).toEqual({ at: 0, point: [0, 0] });
    expect(pts.at(-1)).toEqual({ at: 5000, point: [150, 0] });
    // Kept every 4th point (12 px >= 10 px): 0, 12, ..., 144, then the last sighting 150.
    expect(pts).toHaveLength(14);
    for (let i = 1; i < pts.length - 1; i++) expect(pts[i]!.point[0] - pts[i - 1]!.point[0]).toBe(12);
  });

  it('adds a point now and then for someone standing still', () => {
    const p = new PathSampler({ minDistance: 10, maxIntervalMs: 1000, maxPoints: 100 });
    for (let i = 0; i <= 40; i++) p.add(i * 100, 50 + (i % 2), 50); // 4 s, 1 px jitter
    expect(p.points().map((q) => q.at)).toEqual([0, 1000, 2000, 3000, 4000]);
  });

  it.each([
    [2, 10],
    [10, 1_000],
    [50, 20_000],
    [MAX_PATH_POINTS, 200_000],
  ])('never holds more than %i points, over %i frames of walking', (maxPoints, frames) => {
    const p = new PathSampler({ minDistance: 1, maxIntervalMs: 1000, maxPoints });
    for (let i = 0; i < frames; i++) {
      // A zigzag through the picture so that every frame moves more than minDistance.
      p.add(i * 100, (i * 7) % 700, (i * 13) % 500);
      expect(p.length).toBeLessThanOrEqual(maxPoints);
    }
    const pts = p.points();
    expect(pts.length).toBeLessThanOrEqual(maxPoints);
    expect(pts.length).toBeGreaterThanOrEqual(Math.min(maxPoints, frames) / 2);
    // The whole visit stays covered: first and last sighting, times in order.
    expect(pts[0]!.at).toBe(0);
    expect(pts.at(-1)!.at).toBe((frames - 1) * 100);
    for (let i = 1; i < pts.length; i++) expect(pts[i]!.at).toBeGreaterThan(pts[i - 1]!.at);
  });

  it('rounds to 0.1 px', () => {
    const p = new PathSampler();
    p.add(0, 10.04, 20.06);
    expect(p.points()).toEqual([{ at: 0, point: [10, 20.1] }]);
  });

  it('is empty before the first sighting and stable when read twice', () => {
    const p = new PathSampler();
    expect(p.points()).toEqual([]);
    p.add(0, 1, 1);
    p.add(100, 2, 1);
    expect(p.points()).toEqual(p.points());
    expect(p.points()).toHaveLength(2);
  });
});
