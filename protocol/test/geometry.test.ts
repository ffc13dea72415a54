import { describe, expect, it } from 'vitest';
import { lineProblems, type Point, polygonProblems } from '../src/index.ts';

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
});
