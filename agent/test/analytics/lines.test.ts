import type { LineDef, TrackingEvent } from '@oskartrack/protocol';
import { describe, expect, it } from 'vitest';
import { LineCounter, type LineOptions } from '../../src/analytics/lines.ts';

// A horizontal door line across the picture at y = 300 from x = 100 to x = 500, pointing right: its
// left (as seen on the screen) is above it, its right below it.
const door = (inSide: 'left' | 'right'): LineDef => ({
  id: 'door',
  name: 'Door',
  start: [100, 300],
  end: [500, 300],
  inSide,
});

function run(line: LineDef, ys: number[], options: Partial<LineOptions> = {}, x = 300): TrackingEvent[] {
  const lc = new LineCounter('cam', [line], { minDistance: 10, minFrames: 0, ...options });
  const out: TrackingEvent[] = [];
  ys.forEach((y, i) => {
    lc.update(1, x, y, i * 100, out);
  });
  return out;
}

const directions = (events: TrackingEvent[]) =>
  events.map((e) => (e.kind === 'line_crossed' ? e.direction : `unexpected ${e.kind}`));

describe('LineCounter direction', () => {
  const down = [200, 250, 280, 295, 305, 320, 350, 400];
  const up = [...down].reverse();

  it.each<[string, 'left' | 'right', number[], string[]]>([
    ['walking down the picture onto the right side, right is in', 'right', down, ['in']],
    ['walking up the picture onto the left side, right is in', 'right', up, ['out']],
    ['walking down the picture, left is in', 'left', down, ['out']],
    ['walking up the picture, left is in', 'left', up, ['in']],
  ])('%s', (_name, inSide, ys, expected) => {
    expect(directions(run(door(inSide), ys))).toEqual(expected);
  });

  it('a line pointing down the picture has its left at larger x', () => {
    const line: LineDef = { id: 'v', name: 'V', start: [300, 100], end: [300, 500], inSide: 'left' };
    const lc = new LineCounter('cam', [line], { minDistance: 10, minFrames: 0 });
    const out: TrackingEvent[] = [];
    [250, 280, 310, 330].forEach((x, i) => {
      lc.update(1, x, 300, i * 100, out);
    });
    [330, 310, 290, 250].forEach((x, i) => {
      lc.update(1, x, 300, 1000 + i * 100, out);
    });
    expect(directions(out)).toEqual(['in', 'out']);
    expect(lc.counts()).toEqual([{ lineId: 'v', name: 'V', in: 1, out: 1 }]);
  });

  it('counts once per crossing and a person crossing back counts as out', () => {
    const ys = [250, 280, 320, 350, 400, 350, 310, 280, 250, 280, 320];
    const lc = new LineCounter('cam', [door('right')], { minDistance: 10, minFrames: 0 });
    const out: TrackingEvent[] = [];
    ys.forEach((y, i) => {
      lc.update(1, 300, y, i * 100, out);
    });
    expect(directions(out)).toEqual(['in', 'out', 'in']);
    expect(lc.counts()[0]).toMatchObject({ in: 2, out: 1 });
  });

  it('dates the crossing at the first frame past the line and emits a schema-shaped event', () => {
    const events = run(door('right'), [280, 295, 303, 306, 309, 330]);
    expect(events).toEqual([
      { kind: 'line_crossed', cameraId: 'cam', at: 200, trackId: 1, lineId: 'door', direction: 'in' },
    ]);
  });
});

describe('LineCounter jitter and minimum distance', () => {
  it('a foot point jittering across the line counts nothing', () => {
    const ys: number[] = [250, 280, 295];
    for (let i = 0; i < 100; i++) ys.push(300 + (i % 2 === 0 ? 4 : -4));
    expect(run(door('right'), ys, { minDistance: 10, minFrames: 5 })).toEqual([]);
  });

  it('jitter while standing just past the line, after a real crossing, adds nothing', () => {
    const ys: number[] = [250, 280, 320, 330];
    for (let i = 0; i < 50; i++) ys.push(300 + (i % 3 === 0 ? -6 : 3));
    expect(directions(run(door('right'), ys, { minDistance: 10, minFrames: 5 }))).toEqual(['in']);
  });

  it.each<[number, number, number]>([
    // minDistance, deepest point past the line, expected crossings
    [10, 309, 0],
    [10, 310, 1],
    [25, 320, 0],
    [25, 326, 1],
    [0, 301, 2], // no protection: in at 301, out again at 299
  ])('minimum distance %i px, reaching y = %i: %i crossing(s)', (minDistance, deepest, count) => {
    const ys = [250, 290, 295, deepest, deepest - 1, 299];
    expect(run(door('right'), ys, { minDistance, minFrames: 0 })).toHaveLength(count);
  });

  it.each<[number, number, number]>([
    // box height, deepest point past the line, expected crossings (0.06 box heights confirm)
    [100, 305, 0],
    [100, 306, 1],
    [300, 317, 0],
    [300, 318, 1],
  ])('a %i px tall person reaching y = %i: %i crossing(s)', (height, deepest, count) => {
    const lc = new LineCounter('cam', [door('right')], { minFrames: 0 });
    const out: TrackingEvent[] = [];
    [250, 290, 295, deepest, deepest - 1, 299].forEach((y, i) => {
      lc.update(1, 300, y, i * 100, out, height);
    });
    expect(out).toHaveLength(count);
  });

  it('a distance in pixels, when given, replaces the one in box heights', () => {
    const lc = new LineCounter('cam', [door('right')], { minDistance: 5, minFrames: 0 });
    const out: TrackingEvent[] = [];
    [250, 290, 306, 305, 294].forEach((y, i) => {
      lc.update(1, 300, y, i * 100, out, 300);
    });
    expect(directions(out)).toEqual(['in', 'out']);
  });

  it('staying past the line for minFrames frames also confirms a crossing', () => {
    const ys = [250, 290, 303, 304, 303, 304, 303];
    expect(run(door('right'), ys, { minDistance: 50, minFrames: 5 })).toHaveLength(1);
    expect(run(door('right'), ys, { minDistance: 50, minFrames: 6 })).toHaveLength(0);
    expect(run(door('right'), ys, { minDistance: 50, minFrames: 0 })).toHaveLength(0);
  });

  it('going back before the crossing is confirmed cancels it', () => {
    const ys = [250, 290, 305, 308, 295, 250, 200];
    expect(run(door('right'), ys, { minDistance: 10, minFrames: 3 })).toEqual([]);
  });

  it('walking around the end of the segment is not a crossing', () => {
    // The line ends at x = 500; this person crosses y = 300 at x = 600.
    const lc = new LineCounter('cam', [door('right')], { minDistance: 10, minFrames: 0 });
    const out: TrackingEvent[] = [];
    const pts: [number, number][] = [
      [300, 250],
      [450, 250],
      [600, 260],
      [600, 340],
      [450, 350],
      [300, 350],
    ];
    pts.forEach(([x, y], i) => {
      lc.update(1, x, y, i * 100, out);
    });
    expect(out).toEqual([]);
    // And walking back through the segment is one "out".
    [
      [300, 320],
      [300, 280],
    ].forEach(([x, y], i) => {
      lc.update(1, x!, y!, 1000 + i * 100, out);
    });
    expect(directions(out)).toEqual(['out']);
  });

  it('a fast step that jumps across the line within one frame counts', () => {
    expect(directions(run(door('right'), [200, 400]))).toEqual(['in']);
  });

  it('a person first seen close to the line and walking across counts', () => {
    expect(directions(run(door('right'), [297, 303, 312]))).toEqual(['in']);
  });

  it('a point exactly on the line keeps the side it came from', () => {
    expect(directions(run(door('right'), [280, 300, 300, 320]))).toEqual(['in']);
    expect(run(door('right'), [280, 300, 300, 290])).toEqual([]);
  });

  it('rejects bad options', () => {
    expect(() => new LineCounter('cam', [door('left')], { minDistance: -1 })).toThrow(/distance/);
    expect(() => new LineCounter('cam', [door('left')], { minFrames: 2.5 })).toThrow(/frames/);
    expect(() => new LineCounter('cam', [door('left')], { minDistanceHeights: -0.1 })).toThrow(/heights/);
  });
});

describe('LineCounter tracks and scene changes', () => {
  it('keeps people apart and forgets ended tracks', () => {
    const lc = new LineCounter('cam', [door('right')], { minDistance: 10, minFrames: 0 });
    const out: TrackingEvent[] = [];
    for (let i = 0; i < 5; i++) {
      lc.update(1, 200, 250 + i * 25, i * 100, out); // down: in
      lc.update(2, 400, 350 - i * 25, i * 100, out); // up: out
    }
    expect(out.map((e) => (e.kind === 'line_crossed' ? `${e.trackId}:${e.direction}` : ''))).toEqual([
      '1:in',
      '2:out',
    ]);
    expect(lc.size).toBe(2);
    lc.end(1);
    lc.end(2);
    expect(lc.size).toBe(0);
  });

  it('setLines keeps totals and sides of unchanged lines and relearns moved ones', () => {
    const lc = new LineCounter('cam', [door('right')], { minDistance: 10, minFrames: 0 });
    const out: TrackingEvent[] = [];
    lc.update(1, 300, 250, 0, out);
    lc.update(1, 300, 350, 100, out);
    expect(lc.counts()[0]).toMatchObject({ in: 1, out: 0 });
    const side: LineDef = { id: 'side', name: 'Side', start: [600, 0], end: [600, 500], inSide: 'left' };
    lc.setLines([door('right'), side]);
    lc.update(1, 300, 250, 200, out); // back up across the unchanged door: out
    expect(lc.counts()).toEqual([
      { lineId: 'door', name: 'Door', in: 1, out: 1 },
      { lineId: 'side', name: 'Side', in: 0, out: 0 },
    ]);
    // Flip the door's orientation: sides are learnt afresh, the next frame only settles.
    lc.setLines([{ ...door('left') }]);
    lc.update(1, 300, 240, 300, out);
    expect(lc.counts()).toEqual([{ lineId: 'door', name: 'Door', in: 1, out: 1 }]);
    lc.update(1, 300, 350, 400, out);
    expect(lc.counts()).toEqual([{ lineId: 'door', name: 'Door', in: 1, out: 2 }]);
  });
});
