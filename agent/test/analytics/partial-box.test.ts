// Partial boxes (head and shoulders only): their bottom is the waist, and without the rule the foot
// point jumped into an area above the person (a thin band beside a walkway got stays of people who only
// walked past it).
import type { TrackingEvent, ZoneDef } from '@oskartrack/protocol';
import { describe, expect, it } from 'vitest';
import { footYOf, RecentHeights } from '../../src/analytics/partial-box.ts';
import { SceneAnalytics } from '../../src/analytics/scene-analytics.ts';
import type { Tracks } from '../../src/types.ts';

describe('footYOf', () => {
  it('takes the bottom of whole boxes, including a person slowly getting smaller', () => {
    const r = new RecentHeights(1);
    expect(footYOf(r, 0, 100, 300, 0.6)).toBe(300);
    expect(footYOf(r, 100, 110, 300, 0.6)).toBe(300); // 190 px: 0.95 of the tallest
    expect(footYOf(r, 200, 140, 300, 0.6)).toBe(300); // 160 px: 0.8
  });

  it('puts the feet of a head-and-shoulders box where the tall box had them', () => {
    const r = new RecentHeights(1);
    footYOf(r, 0, 100, 300, 0.6);
    // Top where it was, 80 px tall instead of 200: the legs were not found.
    expect(footYOf(r, 100, 102, 182, 0.6)).toBe(302);
  });

  it('keeps the bottom of a box whose top is hidden (the feet were seen)', () => {
    const r = new RecentHeights(1);
    footYOf(r, 0, 100, 300, 0.6);
    expect(footYOf(r, 100, 220, 298, 0.6)).toBe(298);
  });

  it('forgets tall boxes older than the window, and is off at share 0', () => {
    const r = new RecentHeights(1);
    footYOf(r, 0, 100, 300, 0.6);
    expect(footYOf(r, 1500, 100, 180, 0.6)).toBe(180); // the 200 px box is 1.5 s old
    const off = new RecentHeights(1);
    footYOf(off, 0, 100, 300, 0);
    expect(footYOf(off, 100, 100, 180, 0)).toBe(180);
  });
});

/** One person's box per frame (left, top, right, bottom), 7 frames/s. */
function box(i: number, b: readonly [number, number, number, number]): Tracks {
  return {
    frameIndex: i,
    at: (i * 1000) / 7,
    count: 1,
    ids: Uint32Array.of(1),
    boxes: Float32Array.from(b),
    scores: Float32Array.of(0.9),
  };
}

// A 30 px band 70-100 px above the walkway (people's feet at y 300, their boxes 160 px tall).
const band: ZoneDef = {
  id: 'band',
  name: 'Band',
  polygon: [
    [0, 200],
    [640, 200],
    [640, 230],
    [0, 230],
  ],
};

/** Walks along below the band; from frame 6 to 11 the detector finds only the head and shoulders. */
function walkPast(options: { partialBoxShare?: number }): TrackingEvent[] {
  const a = new SceneAnalytics('cam-1', { zones: [band], lines: [] }, { fps: 7, ...options });
  const events: TrackingEvent[] = [];
  for (let i = 0; i < 20; i++) {
    const x = 50 + 10 * i;
    const partial = i >= 6 && i < 12;
    events.push(...a.update(box(i, [x - 30, 140, x + 30, partial ? 215 : 300])));
  }
  events.push(...a.finish());
  return events.filter((e) => e.kind === 'zone_entered');
}

describe('SceneAnalytics with partial boxes', () => {
  it('a person walking past a band is not counted in it when only their upper body is found', () => {
    expect(walkPast({})).toHaveLength(0);
  });

  it('without the rule (share 0) the waist counts as the feet and the person enters the band', () => {
    expect(walkPast({ partialBoxShare: 0 })).toHaveLength(1);
  });

  it('rejects a share of 1 or more and a window of 0', () => {
    const scene = { zones: [band], lines: [] };
    expect(() => new SceneAnalytics('cam-1', scene, { partialBoxShare: 1 })).toThrow(RangeError);
    expect(() => new SceneAnalytics('cam-1', scene, { partialBoxSeconds: 0 })).toThrow(RangeError);
  });
});
