import { describe, expect, it } from 'vitest';
import type { Scene } from '../../src/analytics/index.ts';
import { MotRowsBuilder } from '../../src/eval/mot-format.ts';
import { countsFromRows, visitIds } from '../../src/eval/scene-counts.ts';

const square: Scene = {
  zones: [
    {
      id: 'z',
      name: 'Square',
      polygon: [
        [0, 0],
        [400, 0],
        [400, 400],
        [0, 400],
      ],
    },
  ],
  lines: [],
};

describe('visitIds', () => {
  it('gives each unbroken run of a person a visit of its own, later runs new ids above all others', () => {
    const b = new MotRowsBuilder();
    for (const f of [1, 2, 3, 7, 8]) b.push(f, 1, 0, 0, 10, 20);
    for (const f of [1, 2]) b.push(f, 5, 0, 0, 10, 20);
    b.push(9, 1, 0, 0, 10, 20); // straight after 8: the same visit
    b.push(12, 1, 0, 0, 10, 20); // after a gap: a third visit
    expect(Array.from(visitIds(b.rows()))).toEqual([1, 1, 1, 6, 6, 5, 5, 6, 7]);
  });
});

describe('countsFromRows', () => {
  it('counts a person who leaves the picture and comes back as two visits, timed while in view', () => {
    const b = new MotRowsBuilder();
    // Foot point at (200, 200), inside the square, on frames 1-10 and 21-30 (1 frame/s); not in the
    // picture on frames 11-20.
    for (let f = 1; f <= 30; f++) if (f <= 10 || f > 20) b.push(f, 3, 180, 120, 40, 80);
    const counts = countsFromRows(b.rows(), square, 'cam', 1);
    const z = counts.zones[0]!;
    expect(z.entries).toBe(2);
    expect(z.exits).toBe(2);
    // 0 .. 9 s and 20 .. 29 s: the 10 s out of the picture are not counted.
    expect(z.dwellMs).toBe(18_000);
  });
});
