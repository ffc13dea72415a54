import { check, type LineDef, MAX_PATH_POINTS, TrackingEvent, type ZoneDef } from '@oskartrack/protocol';
import { describe, expect, it } from 'vitest';
import type { Scene } from '../../src/analytics/scene.ts';
import { SceneAnalytics } from '../../src/analytics/scene-analytics.ts';
import { frame } from './helpers.ts';

const shelf: ZoneDef = {
  id: 'shelf',
  name: 'Shelf',
  polygon: [
    [100, 100],
    [300, 100],
    [300, 250],
    [100, 250],
  ],
};
// Door at y = 400 from x = 0 to x = 640, pointing right: its left (above) is the shop, "in".
const door: LineDef = { id: 'door', name: 'Door', start: [0, 400], end: [640, 400], inSide: 'left' };
const scene: Scene = { zones: [shelf], lines: [door] };

function expectValid(events: readonly TrackingEvent[]): void {
  for (const e of events) {
    const r = check(TrackingEvent, e);
    if (!r.ok) throw new Error(`${e.kind} is not a valid event: ${r.error}\n${JSON.stringify(e)}`);
  }
}

describe('SceneAnalytics', () => {
  it('follows one visitor: started, in through the door, shelf, out, visit closed, ended', () => {
    const a = new SceneAnalytics('cam-1', scene, { zoneInertia: 2, lineMinDistance: 10, lineMinFrames: 0 });
    const events: TrackingEvent[] = [];
    // Walk up from below the door (y 460) to the shelf, stay, walk back out. One frame per 100 ms.
    const ys = [
      460, 440, 420, 395, 380, 340, 300, 260, 240, 220, 200, 200, 200, 200, 240, 300, 390, 410, 430,
    ];
    ys.forEach((y, i) => {
      events.push(...a.update(frame(1_700_000_000_000 + i * 100, [[1, 200, y]])));
    });
    expect(a.zonesOf(1)).toEqual([]);
    events.push(...a.update(frame(1_700_000_002_000, []), [1]));
    expectValid(events);
    const t0 = 1_700_000_000_000;
    expect(events.map((e) => e.kind)).toEqual([
      'track_started',
      'line_crossed',
      'zone_entered',
      'zone_left',
      'line_crossed',
      'visit_closed',
      'track_ended',
    ]);
    expect(events[0]).toEqual({
      kind: 'track_started',
      cameraId: 'cam-1',
      at: t0,
      trackId: 1,
      box: [190, 420, 20, 40],
    });
    expect(events[1]).toMatchObject({ lineId: 'door', direction: 'in', at: t0 + 300 });
    expect(events[2]).toMatchObject({ zoneId: 'shelf', at: t0 + 800 });
    expect(events[3]).toMatchObject({ zoneId: 'shelf', at: t0 + 1500, dwellMs: 700 });
    expect(events[4]).toMatchObject({ lineId: 'door', direction: 'out', at: t0 + 1700 });
    const visit = events[5]!;
    if (visit.kind !== 'visit_closed') throw new Error('expected a visit');
    expect(visit).toMatchObject({
      at: t0 + 1800,
      startedAt: t0,
      durationMs: 1800,
      zones: [{ zoneId: 'shelf', dwellMs: 700, entries: 1 }],
    });
    expect(visit.path[0]).toEqual({ at: t0, point: [200, 460] });
    expect(visit.path.at(-1)).toEqual({ at: t0 + 1800, point: [200, 430] });
    expect(events[6]).toEqual({
      kind: 'track_ended',
      cameraId: 'cam-1',
      at: t0 + 1800,
      trackId: 1,
      firstSeen: t0,
      durationMs: 1800,
    });
    expect(a.counts()).toEqual({
      tracksStarted: 1,
      tracksEnded: 1,
      active: 0,
      zones: [
        {
          zoneId: 'shelf',
          name: 'Shelf',
          entries: 1,
          exits: 1,
          dwellMs: 700,
          occupancy: 0,
          presentAtStart: 0,
          presentAtStop: 0,
        },
      ],
      lines: [{ lineId: 'door', name: 'Door', in: 1, out: 1 }],
    });
    expect(a.stateSizes()).toEqual({ tracks: 0, zones: 0, lines: 0 });
  });

  it('rounds frame times to whole ms (file sources give fractions) and ignores unknown ended ids', () => {
    const a = new SceneAnalytics('cam', scene);
    const events = [
      ...a.update(frame(1000 / 7, [[5, 200, 200]])),
      ...a.update(frame(2000 / 7, [[5, 200, 201]]), [99]),
      ...a.finish(),
    ];
    expectValid(events);
    expect(events[0]!.at).toBe(143);
    expect(events.at(-1)).toMatchObject({ kind: 'track_ended', at: 286, firstSeen: 143, durationMs: 143 });
  });

  it('keeps state for tracks missing from a frame (occlusion) until the tracker ends them', () => {
    const a = new SceneAnalytics('cam', scene, { zoneInertia: 1 });
    a.update(frame(0, [[1, 200, 200]]));
    a.update(frame(100, []));
    a.update(frame(200, []));
    expect(a.occupancy().get('shelf')).toBe(1);
    expect(a.dwell(1, 'shelf')).toBe(0);
    const more = a.update(frame(300, [[1, 200, 200]]));
    expect(more).toEqual([]); // no second track_started
    expect(a.dwell(1, 'shelf')).toBe(300);
    const end = a.update(frame(900, []), [1]);
    expect(end.map((e) => e.kind)).toEqual(['zone_left', 'visit_closed', 'track_ended']);
    expect(end[0]).toMatchObject({ at: 300, dwellMs: 300 });
  });

  it('a box with score 0 (a lost person at their predicted place) is not a sighting', () => {
    const a = new SceneAnalytics('cam', scene, { zoneInertia: 1, lineMinDistance: 10, lineMinFrames: 0 });
    const unseen = (at: number, x: number, y: number) => {
      const f = frame(at, [[1, x, y]]);
      f.scores[0] = 0;
      return f;
    };
    a.update(frame(0, [[1, 200, 200]]));
    // Predicted out of the shelf and across the door: nobody saw it, nothing changes.
    expect(a.update(unseen(100, 200, 300))).toEqual([]);
    expect(a.update(unseen(200, 200, 450))).toEqual([]);
    expect(a.zonesOf(1)).toEqual(['shelf']);
    const end = a.update(frame(900, []), [1]);
    expect(end[0]).toMatchObject({ kind: 'zone_left', at: 0, dwellMs: 0 });
    expect(end.find((e) => e.kind === 'visit_closed')).toMatchObject({ at: 0, durationMs: 0 });
    expect(a.counts().lines[0]).toMatchObject({ in: 0, out: 0 });
  });

  it('finish() closes everyone at their last sighting', () => {
    const a = new SceneAnalytics('cam', scene, { zoneInertia: 1 });
    a.update(
      frame(0, [
        [1, 200, 200],
        [2, 500, 500],
      ]),
    );
    a.update(frame(100, [[1, 200, 210]]));
    const events = a.finish();
    expectValid(events);
    expect(events.filter((e) => e.kind === 'track_ended').map((e) => [e.trackId, e.at])).toEqual([
      [1, 100],
      [2, 0],
    ]);
    expect(a.occupancy().get('shelf')).toBe(0);
    expect(a.activeTracks).toBe(0);
    expect(a.finish()).toEqual([]);
  });

  it('evicts every piece of per-track state: 20,000 short tracks leave nothing behind', () => {
    const a = new SceneAnalytics('cam', scene, { zoneInertia: 1, lineMinFrames: 0 });
    let at = 0;
    let crossings = 0;
    for (let id = 1; id <= 20_000; id++) {
      for (const y of [450, 380, 300, 200]) {
        for (const e of a.update(frame(at, [[id, 150 + (id % 100), y]])))
          if (e.kind === 'line_crossed') crossings++;
        at += 100;
      }
      a.update(frame(at, []), [id]);
      at += 100;
    }
    expect(crossings).toBe(20_000);
    expect(a.stateSizes()).toEqual({ tracks: 0, zones: 0, lines: 0 });
    expect(a.counts()).toMatchObject({ tracksStarted: 20_000, tracksEnded: 20_000, active: 0 });
    expect(a.counts().zones[0]).toMatchObject({ entries: 20_000, exits: 20_000, occupancy: 0 });
  });

  it('random crowds: every event validates and the totals agree with the events', () => {
    let seed = 42;
    const rand = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const zones: ZoneDef[] = [
      shelf,
      {
        id: 'till',
        name: 'Till',
        polygon: [
          [350, 50],
          [600, 80],
          [450, 200],
          [620, 330],
          [330, 300],
        ],
      },
    ];
    const a = new SceneAnalytics('cam', { zones, lines: [door] }, { maxPathPoints: 20, pathMinDistance: 2 });
    const pos = new Map<number, [number, number]>();
    const events: TrackingEvent[] = [];
    let nextId = 1;
    for (let f = 0; f < 3000; f++) {
      if (pos.size < 8 && rand() < 0.1) pos.set(nextId++, [rand() * 640, rand() * 480]);
      const ended: number[] = [];
      for (const [id, p] of pos) {
        p[0] += (rand() - 0.5) * 30;
        p[1] += (rand() - 0.5) * 30;
        if (rand() < 0.003) ended.push(id);
      }
      const people = [...pos]
        .filter(() => rand() > 0.05)
        .map(([id, [x, y]]) => [id, x, y] as [number, number, number]);
      events.push(...a.update(frame(f * 143, people), ended));
      for (const id of ended) pos.delete(id);
    }
    events.push(...a.finish());
    expectValid(events);
    const counts = a.counts();
    for (const z of counts.zones) {
      const left = events.filter((e) => e.kind === 'zone_left' && e.zoneId === z.zoneId);
      expect(events.filter((e) => e.kind === 'zone_entered' && e.zoneId === z.zoneId)).toHaveLength(
        z.entries,
      );
      expect(left).toHaveLength(z.exits);
      expect(left.reduce((s, e) => s + (e.kind === 'zone_left' ? e.dwellMs : 0), 0)).toBe(z.dwellMs);
      expect(z.occupancy).toBe(0);
      const perVisit = events
        .flatMap((e) => (e.kind === 'visit_closed' ? e.zones : []))
        .filter((t) => t.zoneId === z.zoneId);
      expect(perVisit.reduce((s, t) => s + t.entries, 0)).toBe(z.entries);
      expect(perVisit.reduce((s, t) => s + t.dwellMs, 0)).toBe(z.dwellMs);
    }
    const crossed = events.filter((e) => e.kind === 'line_crossed');
    expect(crossed.length).toBe(counts.lines[0]!.in + counts.lines[0]!.out);
    expect(crossed.length).toBeGreaterThan(0);
    const visits = events.filter((e) => e.kind === 'visit_closed');
    expect(visits).toHaveLength(counts.tracksStarted);
    for (const v of visits) if (v.kind === 'visit_closed') expect(v.path.length).toBeLessThanOrEqual(20);
    expect(a.stateSizes()).toEqual({ tracks: 0, zones: 0, lines: 0 });
  });

  it('paths of long visits stay within the protocol bound', () => {
    const a = new SceneAnalytics('cam', scene, { pathMinDistance: 1 });
    for (let f = 0; f < 5000; f++)
      a.update(frame(f * 100, [[1, 100 + ((f * 37) % 400), 100 + ((f * 53) % 300)]]));
    const [visit] = a.finish().filter((e) => e.kind === 'visit_closed');
    if (visit?.kind !== 'visit_closed') throw new Error('no visit');
    expect(visit.path.length).toBeLessThanOrEqual(MAX_PATH_POINTS);
    expect(visit.path.length).toBeGreaterThan(MAX_PATH_POINTS / 2);
    expectValid([visit]);
  });

  it('setScene applies new areas and lines without a restart', () => {
    const a = new SceneAnalytics('cam', scene, { zoneInertia: 1, lineMinFrames: 0 });
    a.update(frame(0, [[1, 200, 200]]));
    expect(a.occupancy().get('shelf')).toBe(1);
    const aisle: ZoneDef = {
      id: 'aisle',
      name: 'Aisle',
      polygon: [
        [0, 0],
        [640, 0],
        [640, 300],
        [0, 300],
      ],
    };
    const removed = a.setScene({ zones: [aisle], lines: [] });
    expect(removed).toEqual([
      { kind: 'zone_left', cameraId: 'cam', at: 0, trackId: 1, zoneId: 'shelf', dwellMs: 0 },
    ]);
    expect(a.scene.zones).toEqual([aisle]);
    const next = a.update(frame(100, [[1, 210, 200]]));
    expect(next).toEqual([{ kind: 'zone_entered', cameraId: 'cam', at: 100, trackId: 1, zoneId: 'aisle' }]);
    expect(Object.fromEntries(a.occupancy())).toEqual({ aisle: 1 });
    const bad: ZoneDef = {
      ...aisle,
      polygon: [
        [0, 0],
        [10, 10],
        [10, 0],
        [0, 10],
      ],
    };
    expect(() => a.setScene({ zones: [bad], lines: [] })).toThrow(/edges cross/);
    expect(a.scene.zones).toEqual([aisle]);
    const [visit] = a.finish().filter((e) => e.kind === 'visit_closed');
    expect(visit).toMatchObject({ zones: [{ zoneId: 'shelf' }, { zoneId: 'aisle' }] });
  });

  it('refuses a camera id that events cannot carry, bad scenes, bad options and track id 0', () => {
    expect(() => new SceneAnalytics('front door', scene)).toThrow(/camera id "front door"/);
    expect(() => new SceneAnalytics('cam', { zones: [shelf, shelf], lines: [] })).toThrow(
      /used by another area/,
    );
    expect(() => new SceneAnalytics('cam', { zones: [], lines: [{ ...door, end: door.start }] })).toThrow(
      /line "Door" \(#1\): the line has no length/,
    );
    expect(() => new SceneAnalytics('cam', scene, { maxPathPoints: MAX_PATH_POINTS + 1 })).toThrow(
      /path points/,
    );
    expect(() => new SceneAnalytics('cam', scene, { zoneInertia: 0 })).toThrow(/inertia/);
    const a = new SceneAnalytics('cam', scene);
    expect(() => a.update(frame(0, [[0, 10, 10]]))).toThrow(/track id 0/);
  });

  it('skips boxes with NaN coordinates instead of emitting invalid events', () => {
    const a = new SceneAnalytics('cam', scene);
    const events = a.update(
      frame(0, [
        [1, Number.NaN, 10],
        [2, 50, 60],
      ]),
    );
    expect(events.map((e) => e.trackId)).toEqual([2]);
  });
});

// Scene-independent rules (issue 12): a narrow area seen close up, any frame rate, counting start and stop.
describe('SceneAnalytics rules that hold on any scene', () => {
  // A shop-front strip 90 px tall; people 150 px tall (a low camera).
  const strip: ZoneDef = {
    id: 'strip',
    name: 'Strip',
    polygon: [
      [0, 300],
      [600, 300],
      [600, 390],
      [0, 390],
    ],
  };
  const stripScene: Scene = { zones: [strip], lines: [] };
  const T0 = 1_700_000_000_000;

  /** One frame: person `id` with a 40 x `h` box standing on (x, y). */
  function tall(at: number, people: readonly [number, number, number][], h = 150) {
    const f = frame(at, []);
    f.count = people.length;
    f.ids = Uint32Array.from(people.map((p) => p[0]));
    f.boxes = Float32Array.from(people.flatMap(([, x, y]) => [x - 20, y - h, x + 20, y]));
    f.scores = new Float32Array(people.length).fill(0.9);
    return f;
  }

  /** Feeds foot points (one per source frame at 7 frames/s), each repeated `repeat` times in time. */
  function walk(ys: readonly number[], repeat: number, x = 300) {
    const a = new SceneAnalytics('cam', stripScene, { fps: 7 * repeat });
    const events: TrackingEvent[] = [];
    let k = 0;
    for (const y of ys) {
      for (let r = 0; r < repeat; r++)
        events.push(...a.update(tall(T0 + 10_000 + (k++ * 1000) / (7 * repeat), [[1, x, y]])));
    }
    events.push(...a.update(tall(T0 + 10_000 + (k * 1000) / (7 * repeat), []), [1]));
    return { a, events };
  }

  // Lead-in frames far outside keep the person out of the start rule (seen well after counting began).
  const leadIn = [...Array(7)].map(() => 100);
  // Down into the strip at 15 px a frame, then standing 26 px below it: past the band capped at a
  // quarter of the strip (22.5 px), within a full 0.2 box height (30 px).
  const through = [...leadIn, 250, 265, 280, 295, 310, 325, 340, 355, 370, 385, 400, 416, 416, 416, 416];

  it('a 90 px area with 150 px people: the band is capped at a quarter of it', () => {
    const capped = walk(through, 1).a.counts().zones[0]!;
    expect([capped.entries, capped.exits]).toEqual([1, 1]);
    // Inside from y = 310 to the first frame out (y = 400): 6 frames of 1/7 s.
    expect(Math.abs(capped.dwellMs - (6 * 1000) / 7)).toBeLessThanOrEqual(1);
    // With the band at a full 0.2 box height, the person standing 26 px out never leaves.
    const uncapped = new SceneAnalytics('cam', stripScene, { fps: 7, zoneMaxBandShare: 0.5 });
    through.forEach((y, i) => {
      uncapped.update(tall(T0 + 10_000 + (i * 1000) / 7, [[1, 300, y]]));
    });
    expect(uncapped.counts().zones[0]!.exits).toBe(0);
  });

  // Into the strip, a stay with a 2-frame step out past the band (jitter), then out.
  const stay = [
    ...leadIn,
    280,
    340,
    345,
    350,
    345,
    340,
    420,
    425,
    345,
    350,
    340,
    345,
    350,
    345,
    340,
    345,
    420,
    440,
    460,
  ];

  it('the same walk at 7 and at 14 frames/s gives the same entries and time spent', () => {
    const at7 = walk(stay, 1).a.counts().zones[0]!;
    const at14 = walk(stay, 2).a.counts().zones[0]!;
    expect(at7.entries).toBe(1);
    expect(at14.entries).toBe(at7.entries);
    expect(at14.exits).toBe(at7.exits);
    expect(at14.dwellMs).toBe(at7.dwellMs);
  });

  it('time spent is within 10 % of the time the foot point was inside', () => {
    // 12 frames of 1/7 s inside.
    const truth = (12 * 1000) / 7;
    const clean = [...leadIn, 280, ...[...Array(12)].map((_, i) => 340 + (i % 3) * 5), 420, 440];
    const dwell = walk(clean, 1).a.counts().zones[0]!.dwellMs;
    expect(Math.abs(dwell - truth)).toBeLessThanOrEqual(0.1 * truth);
    expect(walk(clean, 2).a.counts().zones[0]!.dwellMs).toBe(dwell);
    // A long slow walk: 5 s inside at 7 frames/s.
    const slow = [...leadIn, 280, ...[...Array(35)].map(() => 345), 460, 470, 480];
    const slowDwell = walk(slow, 1).a.counts().zones[0]!.dwellMs;
    expect(Math.abs(slowDwell - 5000)).toBeLessThanOrEqual(500);
  });

  it('a person inside when counting starts is inside from the first frame (one entry, flagged presentAtStart)', () => {
    const a = new SceneAnalytics('cam', stripScene, { fps: 7 });
    const events: TrackingEvent[] = [];
    // Counting starts at T0; person 1 stands inside from then, and the tracker confirms them 2 frames later.
    events.push(...a.update(tall(T0, [])));
    for (let i = 2; i < 30; i++) events.push(...a.update(tall(T0 + (i * 1000) / 7, [[1, 300, 345]])));
    expect(events.find((e) => e.kind === 'zone_entered')).toMatchObject({ at: T0 });
    // Their visit runs from then too: the track starts before (not after) its first entry.
    expect(events.map((e) => [e.kind, e.at]).slice(0, 2)).toEqual([
      ['track_started', T0],
      ['zone_entered', T0],
    ]);
    expect(a.dwell(1, 'strip')).toBe(Math.round(29_000 / 7));
    expect(a.counts().zones[0]).toMatchObject({ entries: 1, presentAtStart: 1, occupancy: 1 });
    // A person appearing inside later came in: an ordinary entry after the inertia, not "present at start".
    for (let i = 30; i < 40; i++)
      a.update(
        tall(T0 + (i * 1000) / 7, [
          [1, 300, 345],
          [2, 100, 345],
        ]),
      );
    expect(a.counts().zones[0]).toMatchObject({ entries: 2, presentAtStart: 1, occupancy: 2 });
  });

  it('people still inside when counting stops leave at their last frame with their time spent (presentAtStop)', () => {
    const a = new SceneAnalytics('cam', stripScene, { fps: 7 });
    a.update(tall(T0, []));
    const at = (i: number) => T0 + Math.round((i * 1000) / 7);
    // Person 1 walks in at frame 10 and stays; person 2 steps in past the band on the very last frame.
    for (let i = 5; i <= 40; i++) {
      a.update(
        tall(at(i), [
          [1, 300, i < 10 ? 250 : 345],
          [2, 500, i < 40 ? 250 : 345],
        ]),
      );
    }
    const events = a.finish();
    const left = events.filter((e) => e.kind === 'zone_left');
    expect(left).toEqual([
      expect.objectContaining({ trackId: 1, at: at(40), dwellMs: at(40) - at(10) }),
      expect.objectContaining({ trackId: 2, at: at(40), dwellMs: 0 }),
    ]);
    expect(a.counts().zones[0]).toMatchObject({ entries: 2, exits: 2, presentAtStop: 2, occupancy: 0 });
  });
});
