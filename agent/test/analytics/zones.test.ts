import type { TrackingEvent, ZoneDef } from '@oskartrack/protocol';
import { describe, expect, it } from 'vitest';
import { ZoneTracker } from '../../src/analytics/zones.ts';

const shelf: ZoneDef = {
  id: 'shelf',
  name: 'Shelf',
  polygon: [
    [100, 100],
    [200, 100],
    [200, 200],
    [100, 200],
  ],
};
const till: ZoneDef = {
  id: 'till',
  name: 'Till',
  polygon: [
    [300, 100],
    [400, 100],
    [400, 200],
    [300, 200],
  ],
};

/** Feeds one track's foot points, one per 100 ms frame from `t0`; returns all events. */
function walk(zt: ZoneTracker, id: number, points: [number, number][], t0 = 0): TrackingEvent[] {
  const out: TrackingEvent[] = [];
  points.forEach(([x, y], i) => {
    zt.update(id, x, y, t0 + i * 100, out);
  });
  return out;
}

const kinds = (events: TrackingEvent[]) => events.map((e) => e.kind);

describe('ZoneTracker inertia', () => {
  it('a box jittering on the border enters once and never leaves while it jitters', () => {
    const zt = new ZoneTracker('cam', [shelf], { inertia: 3 });
    // Approach from outside, then jitter across the left edge (x = 100) for 40 frames, then go deep inside.
    const points: [number, number][] = [
      [60, 150],
      [80, 150],
    ];
    for (let i = 0; i < 40; i++) points.push([i % 2 === 0 ? 98 : 102, 150]);
    points.push([120, 150], [140, 150], [160, 150], [170, 150]);
    const events = walk(zt, 1, points);
    expect(kinds(events)).toEqual(['zone_entered']);
    expect(zt.occupancy().get('shelf')).toBe(1);
  });

  it('jitter of two frames inside and two outside never reaches an inertia of 3', () => {
    const zt = new ZoneTracker('cam', [shelf], { inertia: 3 });
    const points: [number, number][] = [];
    for (let i = 0; i < 60; i++) points.push([i % 4 < 2 ? 97 : 103, 150]);
    expect(walk(zt, 1, points)).toEqual([]);
    expect(zt.counts()[0]).toMatchObject({ entries: 0, exits: 0, occupancy: 0 });
  });

  it.each([1, 2, 3, 5])('fires "entered" after exactly %i frames inside, dated at the first', (inertia) => {
    const zt = new ZoneTracker('cam', [shelf], { inertia });
    const out: TrackingEvent[] = [];
    zt.update(1, 50, 150, 0, out);
    for (let i = 1; i < inertia; i++) {
      zt.update(1, 150, 150, i * 100, out);
      expect(out).toEqual([]);
    }
    zt.update(1, 150, 150, inertia * 100, out);
    expect(out).toEqual([{ kind: 'zone_entered', cameraId: 'cam', at: 100, trackId: 1, zoneId: 'shelf' }]);
  });

  it('a person first seen inside enters after the inertia', () => {
    const zt = new ZoneTracker('cam', [shelf], { inertia: 3 });
    const events = walk(zt, 7, [
      [150, 150],
      [151, 150],
      [152, 150],
    ]);
    expect(events).toEqual([{ kind: 'zone_entered', cameraId: 'cam', at: 0, trackId: 7, zoneId: 'shelf' }]);
  });

  it('rejects a bad inertia', () => {
    expect(() => new ZoneTracker('cam', [shelf], { inertia: 0 })).toThrow(/inertia/);
    expect(() => new ZoneTracker('cam', [shelf], { inertia: 1.5 })).toThrow(/inertia/);
  });
});

describe('ZoneTracker border band', () => {
  /** A person of box height 100 walking along the top edge (y = 100), foot point jittering by 6 px. */
  function alongTheTop(zt: ZoneTracker): TrackingEvent[] {
    const out: TrackingEvent[] = [];
    for (let i = 0; i < 60; i++) {
      const y = 100 + (Math.floor(i / 4) % 2 === 0 ? 6 : -6);
      zt.update(1, 110 + i, y, i * 100, out, 100);
    }
    return out;
  }

  it('without a band, walking along the border counts an entry every time the jitter outlasts the inertia', () => {
    const entries = kinds(alongTheTop(new ZoneTracker('cam', [shelf], { borderBand: 0 }))).filter(
      (k) => k === 'zone_entered',
    );
    expect(entries.length).toBeGreaterThan(3);
  });

  it('with a band of 0.2 box heights, the same walk is one entry and no exit', () => {
    const zt = new ZoneTracker('cam', [shelf], { borderBand: 0.2 });
    expect(kinds(alongTheTop(zt))).toEqual(['zone_entered']);
  });

  it('enters at the first frame inside; leaves once past the band, dated at the first frame out', () => {
    const zt = new ZoneTracker('cam', [shelf], { borderBand: 0.2, inertia: 3 });
    const out: TrackingEvent[] = [];
    // Box height 50: the band is 10 px wide outside x = 100.
    [80, 95, 105, 109, 112, 120, 130, 140].forEach((x, i) => {
      zt.update(1, x, 150, i * 100, out, 50);
    });
    expect(out).toEqual([{ kind: 'zone_entered', cameraId: 'cam', at: 200, trackId: 1, zoneId: 'shelf' }]);
    // Leaving: out of the area from x = 95, past the band from x = 85; the stay ends at x = 95.
    [95, 92, 85, 80, 70].forEach((x, i) => {
      zt.update(1, x, 150, 1000 + i * 100, out, 50);
    });
    expect(kinds(out)).toEqual(['zone_entered', 'zone_left']);
    expect(out[1]).toMatchObject({ at: 1000, dwellMs: 800 });
  });

  it('a step out within the band and back is no exit', () => {
    const zt = new ZoneTracker('cam', [shelf], { borderBand: 0.2, inertia: 3 });
    const out: TrackingEvent[] = [];
    [120, 120, 120, 95, 92, 93, 95, 120, 120].forEach((x, i) => {
      zt.update(1, x, 150, i * 100, out, 50);
    });
    expect(kinds(out)).toEqual(['zone_entered']);
  });

  it('a person standing just inside the edge is inside for their whole stay', () => {
    // The foot point 3 px inside the left edge, well within 0.2 of a 50 px box height (10 px).
    const zt = new ZoneTracker('cam', [shelf], { borderBand: 0.2, inertia: 3 });
    const out: TrackingEvent[] = [];
    const xs = [80, 90, ...Array<number>(20).fill(103), 90, 80, 70, 60];
    xs.forEach((x, i) => {
      zt.update(1, x, 150, i * 100, out, 50);
    });
    expect(kinds(out)).toEqual(['zone_entered', 'zone_left']);
    expect(out[1]).toMatchObject({ dwellMs: 2000 });
  });

  it('rejects a band outside 0..1', () => {
    expect(() => new ZoneTracker('cam', [shelf], { borderBand: -0.1 })).toThrow(/border band/);
    expect(() => new ZoneTracker('cam', [shelf], { borderBand: 2 })).toThrow(/border band/);
  });
});

describe('ZoneTracker dwell and occupancy', () => {
  it('measures the stay from the first frame inside to the first frame outside', () => {
    const zt = new ZoneTracker('cam', [shelf], { inertia: 2 });
    // t=0 outside; t=100..1000 inside (10 frames); t=1100.. outside.
    const points: [number, number][] = [[50, 150]];
    for (let i = 0; i < 10; i++) points.push([150, 150]);
    for (let i = 0; i < 3; i++) points.push([250, 150]);
    const events = walk(zt, 1, points);
    expect(events).toEqual([
      { kind: 'zone_entered', cameraId: 'cam', at: 100, trackId: 1, zoneId: 'shelf' },
      { kind: 'zone_left', cameraId: 'cam', at: 1100, trackId: 1, zoneId: 'shelf', dwellMs: 1000 },
    ]);
    expect(zt.counts()).toEqual([
      {
        zoneId: 'shelf',
        name: 'Shelf',
        entries: 1,
        exits: 1,
        dwellMs: 1000,
        occupancy: 0,
        presentAtStart: 0,
        presentAtStop: 0,
      },
    ]);
  });

  it('keeps time per person per area over several stays, and reports the visit on end', () => {
    const zt = new ZoneTracker('cam', [shelf, till], { inertia: 1 });
    const out: TrackingEvent[] = [];
    const path: [number, number, number][] = [
      [0, 150, 150], // shelf
      [500, 150, 150],
      [1000, 350, 150], // till (left shelf at 1000: 1000 ms)
      [3000, 350, 150],
      [3500, 150, 150], // shelf again (till 2500 ms)
      [4000, 150, 150], // last sighting: 500 ms more
    ];
    for (const [at, x, y] of path) zt.update(3, x, y, at, out);
    expect(zt.dwell(3, 'shelf')).toBe(1500);
    expect(zt.dwell(3, 'shelf', 4500)).toBe(2000);
    expect(zt.dwell(3, 'till')).toBe(2500);
    expect(zt.insideOf(3)).toEqual(['shelf']);
    const times = zt.end(3, out);
    expect(times).toEqual([
      { zoneId: 'shelf', dwellMs: 1500, entries: 2 },
      { zoneId: 'till', dwellMs: 2500, entries: 1 },
    ]);
    expect(out.at(-1)).toEqual({
      kind: 'zone_left',
      cameraId: 'cam',
      at: 4000,
      trackId: 3,
      zoneId: 'shelf',
      dwellMs: 500,
    });
    expect(zt.size).toBe(0);
    expect(zt.occupancy().get('shelf')).toBe(0);
  });

  it('counts the people in each area at any moment', () => {
    const zt = new ZoneTracker('cam', [shelf, till], { inertia: 1 });
    const out: TrackingEvent[] = [];
    zt.update(1, 150, 150, 0, out);
    zt.update(2, 160, 150, 0, out);
    zt.update(3, 350, 150, 0, out);
    zt.update(4, 900, 900, 0, out);
    expect(Object.fromEntries(zt.occupancy())).toEqual({ shelf: 2, till: 1 });
    zt.update(2, 350, 160, 100, out);
    expect(Object.fromEntries(zt.occupancy())).toEqual({ shelf: 1, till: 2 });
    zt.end(3, out);
    expect(Object.fromEntries(zt.occupancy())).toEqual({ shelf: 1, till: 1 });
    zt.endAll(out);
    expect(Object.fromEntries(zt.occupancy())).toEqual({ shelf: 0, till: 0 });
    expect(zt.size).toBe(0);
  });

  it('a track ending during an unconfirmed exit leaves when it was first seen outside', () => {
    const zt = new ZoneTracker('cam', [shelf], { inertia: 3 });
    const out = walk(zt, 1, [
      [150, 150],
      [150, 150],
      [150, 150],
      [150, 150],
      [250, 150], // t=400, outside (1 of 3)
      [260, 150],
    ]);
    zt.end(1, out);
    expect(out.at(-1)).toMatchObject({ kind: 'zone_left', at: 400, dwellMs: 400 });
  });
});

describe('ZoneTracker.setZones', () => {
  it('keeps people in kept areas, closes removed ones, starts new ones empty', () => {
    const zt = new ZoneTracker('cam', [shelf, till], { inertia: 1 });
    const out: TrackingEvent[] = [];
    zt.update(1, 150, 150, 0, out); // shelf
    zt.update(2, 350, 150, 0, out); // till
    zt.update(2, 350, 150, 700, out);
    out.length = 0;
    const entrance: ZoneDef = {
      id: 'entrance',
      name: 'Entrance',
      polygon: [
        [0, 0],
        [50, 0],
        [50, 50],
      ],
    };
    zt.setZones([entrance, { ...till, name: 'Till (moved)' }], out);
    // Person 1 was in the removed shelf: it leaves at their last sighting.
    expect(out).toEqual([
      { kind: 'zone_left', cameraId: 'cam', at: 0, trackId: 1, zoneId: 'shelf', dwellMs: 0 },
    ]);
    expect(Object.fromEntries(zt.occupancy())).toEqual({ entrance: 0, till: 1 });
    expect(zt.counts().map((c) => [c.zoneId, c.name, c.entries])).toEqual([
      ['entrance', 'Entrance', 0],
      ['till', 'Till (moved)', 1],
    ]);
    zt.update(2, 350, 150, 1000, out);
    zt.update(1, 20, 10, 1000, out);
    expect(Object.fromEntries(zt.occupancy())).toEqual({ entrance: 1, till: 1 });
    const times1 = zt.end(1, out);
    expect(times1).toEqual([
      { zoneId: 'shelf', dwellMs: 0, entries: 1 },
      { zoneId: 'entrance', dwellMs: 0, entries: 1 },
    ]);
    expect(zt.end(2, out)).toEqual([{ zoneId: 'till', dwellMs: 1000, entries: 1 }]);
  });
});
