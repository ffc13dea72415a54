import { describe, expect, it } from 'vitest';
import {
  lineProblems,
  MAX_FRAME_SIDE,
  outsideAnyPicture,
  type Point,
  polygonProblems,
  UNKNOWN_FRAME_SLACK,
} from '../src/index.ts';

describe('polygonProblems', () => {
  it.each<[string, Point[]]>([
    [
      'square',
      [
        [0, 0],
        [10, 0],
        [10, 10],
        [0, 10],
      ],
    ],
    [
      'triangle',
      [
        [0, 0],
        [10, 0],
        [5, 8],
      ],
    ],
    [
      'concave L',
      [
        [0, 0],
        [10, 0],
        [10, 4],
        [4, 4],
        [4, 10],
        [0, 10],
      ],
    ],
  ])('accepts a %s', (_n, poly) => {
    expect(polygonProblems(poly)).toEqual([]);
  });
  it('rejects two points', () => {
    expect(
      polygonProblems([
        [0, 0],
        [1, 1],
      ])[0],
    ).toMatch(/at least 3 points/);
  });
  it('rejects points on one line', () => {
    expect(
      polygonProblems([
        [0, 0],
        [5, 5],
        [10, 10],
      ]).join(),
    ).toMatch(/no surface/);
  });
  it('rejects a bow tie', () => {
    expect(
      polygonProblems([
        [0, 0],
        [10, 10],
        [10, 0],
        [0, 10],
      ]).join(),
    ).toMatch(/cross each other/);
  });
  it('reports only the crossing for a bow tie, not "no surface" (its signed area is 0 but it is not flat)', () => {
    expect(
      polygonProblems([
        [0, 0],
        [10, 10],
        [10, 0],
        [0, 10],
      ]),
    ).toEqual(["the area's edges cross each other (edge 1 and edge 3)"]);
  });
  it('says an outline that folds back over itself has no surface, without calling it flat', () => {
    const problems = polygonProblems([
      [0, 0],
      [10, 0],
      [10, 10],
      [10, 0],
    ]);
    expect(problems).toEqual(['the area has no surface (its outline folds back over itself)']);
  });
  it.each<[string, Point[], string]>([
    [
      'NaN',
      [
        [0, 0],
        [Number.NaN, 5],
        [5, 5],
      ],
      'point 2 is [NaN, 5]: coordinates must be finite numbers of pixels',
    ],
    [
      'Infinity',
      [
        [0, 0],
        [10, 0],
        [5, Number.POSITIVE_INFINITY],
      ],
      'point 3 is [5, Infinity]: coordinates must be finite numbers of pixels',
    ],
  ])('names the point with a %s coordinate', (_n, poly, message) => {
    expect(polygonProblems(poly)).toEqual([message]);
    expect(polygonProblems(poly, { width: 640, height: 480 })).toEqual([message]);
  });
  it('rejects a point outside the picture', () => {
    expect(
      polygonProblems(
        [
          [0, 0],
          [800, 0],
          [0, 10],
        ],
        { width: 768, height: 576 },
      ).join(),
    ).toMatch(/outside the 768x576/);
  });
});

describe('lineProblems', () => {
  it('accepts a line', () => expect(lineProblems([0, 0], [10, 0])).toEqual([]));
  it('rejects a zero-length line', () =>
    expect(lineProblems([5, 5], [5, 5])).toEqual(['the line has no length']));
  it('names an end with a non-finite coordinate', () => {
    expect(lineProblems([0, 0], [Number.POSITIVE_INFINITY, 0])).toEqual([
      'point 2 is [Infinity, 0]: coordinates must be finite numbers of pixels',
    ]);
    expect(lineProblems([Number.NaN, 0], [10, 0])).toEqual([
      'point 1 is [NaN, 0]: coordinates must be finite numbers of pixels',
    ]);
  });
});

describe('outsideAnyPicture (frame size unknown)', () => {
  it('accepts points on some picture, up to the largest one, and a little below 0', () => {
    expect(
      outsideAnyPicture([
        [-UNKNOWN_FRAME_SLACK, 0],
        [MAX_FRAME_SIDE, MAX_FRAME_SIDE],
        [0, 5],
      ]),
    ).toEqual([]);
  });
  it.each<[string, Point]>([
    ['far below 0', [10, -UNKNOWN_FRAME_SLACK - 1]],
    ['beyond the largest picture', [MAX_FRAME_SIDE + 1, 10]],
  ])('refuses a point %s, naming it and saying what to do', (_n, point) => {
    const problems = outsideAnyPicture([[0, 0], point]);
    expect(problems).toEqual([
      `point 2 is [${point[0]}, ${point[1]}], outside any camera picture: coordinates are pixels of the ` +
        "picture, from 0 to at most 16384; draw it on the picture, or set the camera's picture size so " +
        'that areas and lines are checked against it',
    ]);
  });
  it('is not part of polygonProblems, so boxes keep accepting areas stored before it existed', () => {
    expect(
      polygonProblems([
        [0, 0],
        [50_000, 0],
        [0, 10],
      ]),
    ).toEqual([]);
  });
});
