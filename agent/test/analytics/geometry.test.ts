import type { Point } from '@oskartrack/protocol';
import { describe, expect, it } from 'vitest';
import {
  cross,
  distanceToEdges,
  footX,
  footY,
  packPolygon,
  pointInPoints,
  pointInPolygon,
  pointOnSegment,
  segmentsIntersect,
  sideOfLine,
} from '../../src/analytics/geometry.ts';

const square: Point[] = [
  [0, 0],
  [10, 0],
  [10, 10],
  [0, 10],
];
const triangle: Point[] = [
  [0, 0],
  [10, 0],
  [5, 8],
];
// An L: the notch (4..10, 4..10) is outside.
const concaveL: Point[] = [
  [0, 0],
  [10, 0],
  [10, 4],
  [4, 4],
  [4, 10],
  [0, 10],
];
// A U opening upward (y down: the notch is at the top of the picture): notch x 3..7, y 0..6.
const concaveU: Point[] = [
  [0, 0],
  [3, 0],
  [3, 6],
  [7, 6],
  [7, 0],
  [10, 0],
  [10, 10],
  [0, 10],
];
// A five-pointed star drawn as a simple (non-crossing) 10-point polygon.
const star: Point[] = Array.from({ length: 10 }, (_, i) => {
  const r = i % 2 === 0 ? 10 : 4;
  const a = (Math.PI * i) / 5 - Math.PI / 2;
  return [Math.round(r * Math.cos(a) * 1000) / 1000, Math.round(r * Math.sin(a) * 1000) / 1000] as Point;
});

describe('pointInPolygon (ray casting)', () => {
  it.each<[string, Point[], Point, boolean]>([
    ['square centre', square, [5, 5], true],
    ['square outside right', square, [11, 5], false],
    ['square outside left', square, [-1, 5], false],
    ['square outside above', square, [5, -0.001], false],
    ['square outside below', square, [5, 10.001], false],
    ['square near corner inside', square, [9.999, 9.999], true],
    ['triangle inside', triangle, [5, 4], true],
    ['triangle outside by the slanted edge', triangle, [9, 7], false],
    ['triangle outside on the apex row', triangle, [2, 8], false],
    ['L arm', concaveL, [8, 2], true],
    ['L other arm', concaveL, [2, 8], true],
    ['L notch', concaveL, [7, 7], false],
    ['L notch, ray passes the reflex vertex row', concaveL, [6, 4.0001], false],
    ['U notch', concaveU, [5, 3], false],
    ['U left arm', concaveU, [1, 3], true],
    ['U right arm', concaveU, [9, 3], true],
    ['U base under the notch', concaveU, [5, 8], true],
    ['U ray along the notch floor row (y = 6) from the left arm', concaveU, [1, 6], true],
    ['U ray through two top vertices (y = 0), left of them', concaveU, [-1, 0], false],
    ['star centre', star, [0, 0], true],
    ['star tip', star, [0, -9], true],
    ['star between two tips', star, [6, -5], false],
  ])('%s', (_name, poly, p, expected) => {
    expect(pointInPoints(poly, p)).toBe(expected);
  });

  it.each<[string, Point[], Point]>([
    ['square top edge', square, [5, 0]],
    ['square right edge', square, [10, 5]],
    ['square bottom edge', square, [5, 10]],
    ['square left edge', square, [0, 5]],
    ['square vertex (0, 0)', square, [0, 0]],
    ['square vertex (10, 10)', square, [10, 10]],
    ['triangle slanted edge midpoint', triangle, [7.5, 4]],
    ['triangle apex', triangle, [5, 8]],
    ['L reflex vertex', concaveL, [4, 4]],
    ['L notch edge', concaveL, [7, 4]],
    ['L inner vertical edge', concaveL, [4, 7]],
    ['U notch floor', concaveU, [5, 6]],
    ['U notch wall', concaveU, [3, 2]],
    ['U top vertex', concaveU, [7, 0]],
  ])('a point on the border counts as inside: %s', (_name, poly, p) => {
    expect(pointInPoints(poly, p)).toBe(true);
  });

  it('is the same whichever way the polygon winds', () => {
    for (const poly of [square, triangle, concaveL, concaveU, star]) {
      const reversed = [...poly].reverse();
      for (let x = -1.5; x <= 11; x += 0.75) {
        for (let y = -10.5; y <= 11; y += 0.75) {
          expect(pointInPoints(reversed, [x, y])).toBe(pointInPoints(poly, [x, y]));
        }
      }
    }
  });

  it('agrees with the area of the square on a grid (no double or missed rows at vertices)', () => {
    const poly = packPolygon(concaveL);
    let inside = 0;
    for (let x = 0.5; x < 10; x += 1)
      for (let y = 0.5; y < 10; y += 1) if (pointInPolygon(poly, x, y)) inside++;
    expect(inside).toBe(100 - 36); // 10 x 10 minus the 6 x 6 notch
  });

  it('ignores a repeated point', () => {
    const poly: Point[] = [
      [0, 0],
      [10, 0],
      [10, 0],
      [10, 10],
      [0, 10],
    ];
    expect(pointInPoints(poly, [5, 5])).toBe(true);
    expect(pointInPoints(poly, [10, 5])).toBe(true);
    expect(pointInPoints(poly, [15, 5])).toBe(false);
    expect(pointInPoints(poly, [20, 0])).toBe(false);
  });
});

describe('segmentsIntersect', () => {
  it.each<[string, Point, Point, Point, Point, boolean]>([
    ['proper X', [0, 0], [10, 10], [0, 10], [10, 0], true],
    ['parallel', [0, 0], [10, 0], [0, 1], [10, 1], false],
    ['collinear overlapping', [0, 0], [10, 0], [5, 0], [15, 0], true],
    ['collinear apart', [0, 0], [4, 0], [5, 0], [15, 0], false],
    ['T touch: end point on the other segment', [5, -5], [5, 0], [0, 0], [10, 0], true],
    ['shared end point', [0, 0], [5, 5], [5, 5], [10, 0], true],
    ['would cross beyond the end', [0, 0], [10, 0], [12, -5], [12, 5], false],
    ['near miss', [0, 0], [10, 0], [5, 0.01], [5, 5], false],
    ['zero-length segment on the other', [5, 0], [5, 0], [0, 0], [10, 0], true],
    ['zero-length segment off the other', [5, 1], [5, 1], [0, 0], [10, 0], false],
  ])('%s', (_name, a, b, c, d, expected) => {
    expect(segmentsIntersect(a[0], a[1], b[0], b[1], c[0], c[1], d[0], d[1])).toBe(expected);
    // Symmetric in the order of the segments and of their ends.
    expect(segmentsIntersect(c[0], c[1], d[0], d[1], a[0], a[1], b[0], b[1])).toBe(expected);
    expect(segmentsIntersect(b[0], b[1], a[0], a[1], d[0], d[1], c[0], c[1])).toBe(expected);
  });
});

describe('sideOfLine (image coordinates, y grows downward)', () => {
  it.each<[string, Point, Point, Point, 'left' | 'right' | 'on']>([
    // Facing right on the screen: left is up the picture (smaller y).
    ['pointing right, point above', [0, 100], [100, 100], [50, 20], 'left'],
    ['pointing right, point below', [0, 100], [100, 100], [50, 180], 'right'],
    // Facing left: left is down the picture.
    ['pointing left, point below', [100, 100], [0, 100], [50, 180], 'left'],
    // Facing down the picture: left is to the right on the screen (larger x).
    ['pointing down, point at larger x', [100, 0], [100, 100], [150, 50], 'left'],
    ['pointing down, point at smaller x', [100, 0], [100, 100], [50, 50], 'right'],
    // Facing up the picture: left is to the left on the screen.
    ['pointing up, point at smaller x', [100, 100], [100, 0], [50, 50], 'left'],
    ['on the line', [0, 0], [10, 10], [5, 5], 'on'],
    ['on the line extended beyond its end', [0, 0], [10, 10], [20, 20], 'on'],
  ])('%s', (_name, start, end, p, expected) => {
    expect(sideOfLine(start, end, p)).toBe(expected);
  });

  it('left means a negative cross product in image coordinates', () => {
    expect(cross(0, 100, 100, 100, 50, 20)).toBeLessThan(0);
    expect(pointOnSegment(0, 0, 10, 0, 5, 0)).toBe(true);
    expect(pointOnSegment(0, 0, 10, 0, 11, 0)).toBe(false);
  });
});

describe('foot point', () => {
  it('is the bottom centre of the box', () => {
    const boxes = new Float32Array([0, 0, 0, 0, 100, 50, 140, 150]);
    expect([footX(boxes, 1), footY(boxes, 1)]).toEqual([120, 150]);
  });
});

describe('distanceToEdges', () => {
  const square = packPolygon([
    [0, 0],
    [10, 0],
    [10, 10],
    [0, 10],
  ]);
  it('measures to the nearest edge from inside, outside, on an edge and beyond a corner', () => {
    expect(distanceToEdges(square, 5, 5)).toBeCloseTo(5);
    expect(distanceToEdges(square, 2, 5)).toBeCloseTo(2);
    expect(distanceToEdges(square, 5, -3)).toBeCloseTo(3);
    expect(distanceToEdges(square, 10, 4)).toBe(0);
    expect(distanceToEdges(square, 13, 14)).toBeCloseTo(5);
  });
  it('handles a slanted edge', () => {
    const triangle = packPolygon([
      [0, 0],
      [10, 10],
      [0, 10],
    ]);
    expect(distanceToEdges(triangle, 10, 0)).toBeCloseTo(Math.SQRT2 * 5);
  });
});
