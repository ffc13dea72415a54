import { type Static, Type } from '@sinclair/typebox';

/** Largest coordinate accepted anywhere: bigger than any camera frame, small enough to catch garbage. */
export const MAX_COORD = 100_000;
export const MAX_POLYGON_POINTS = 64;
/**
 * Largest picture side in pixels, the same limit every frame size in the protocol and the hub has
 * (16K): no camera in use gives more. Without a known frame size, areas and lines must lie within it.
 */
export const MAX_FRAME_SIDE = 16_384;
/**
 * How far below 0 a point may lie when the frame size is unknown: a drawing tool's rounding, or a line
 * drawn a little past the picture's edge. Anything further is a mistake, not a point of the picture.
 */
export const UNKNOWN_FRAME_SLACK = 16;

const Coord = Type.Number({ minimum: -MAX_COORD, maximum: MAX_COORD });

/** A point in pixel coordinates of the camera frame, as `[x, y]`. */
export const Point = Type.Tuple([Coord, Coord]);
export type Point = Static<typeof Point>;

export const Polygon = Type.Array(Point, { minItems: 3, maxItems: MAX_POLYGON_POINTS });
export type Polygon = Static<typeof Polygon>;

/** Which side of a counting line (walking from start to end) counts as "in". */
export const LineSide = Type.Union([Type.Literal('left'), Type.Literal('right')]);
export type LineSide = Static<typeof LineSide>;

export const Segment = Type.Object({ start: Point, end: Point }, { additionalProperties: false });
export type Segment = Static<typeof Segment>;

/** Box as left, top, width, height in pixels. */
export const Box = Type.Tuple([
  Coord,
  Coord,
  Type.Number({ minimum: 0, maximum: MAX_COORD }),
  Type.Number({ minimum: 0, maximum: MAX_COORD }),
]);
export type Box = Static<typeof Box>;

const Name = Type.String({ minLength: 1, maxLength: 100 });
export const Id = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_.:-]+$' });

export const ZoneDef = Type.Object({ id: Id, name: Name, polygon: Polygon }, { additionalProperties: false });
export type ZoneDef = Static<typeof ZoneDef>;

export const LineDef = Type.Object(
  { id: Id, name: Name, start: Point, end: Point, inSide: LineSide },
  { additionalProperties: false },
);
export type LineDef = Static<typeof LineDef>;

/** Twice the signed area of the triangle o, a, b: 0 when the three lie on one line. */
function cross(o: Point, a: Point, b: Point): number {
  return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]);
}

function segmentsCross(p1: Point, p2: Point, p3: Point, p4: Point): boolean {
  const d1 = cross(p3, p4, p1);
  const d2 = cross(p3, p4, p2);
  const d3 = cross(p1, p2, p3);
  const d4 = cross(p1, p2, p4);
  return ((d1 > 0 && d2 < 0) || (d1 < 0 && d2 > 0)) && ((d3 > 0 && d4 < 0) || (d3 < 0 && d4 > 0));
}

type Frame = { width: number; height: number };

/**
 * Checks what a schema cannot: a polygon needs finite points, area and no crossing edges, a line needs
 * length, and both must lie inside the frame when its size is known. Returns the problems in plain
 * words. Without a frame size, `outsideAnyPicture` catches the absurd; it is separate because boxes
 * check configurations stored before it existed, which must keep working.
 */
export function polygonProblems(polygon: readonly Point[], frame?: Frame): string[] {
  if (polygon.length < 3) return [`an area needs at least 3 points, got ${polygon.length}`];
  const notFinite = nonFinitePoint(polygon);
  if (notFinite) return [notFinite];
  const problems: string[] = [];
  const crossing = crossingEdges(polygon);
  // A crossing outline (a bow tie) can have zero signed area too; the crossing is then the problem.
  if (crossing) problems.push(crossing);
  else if (Math.abs(signedArea2(polygon)) < 1e-9) problems.push(noSurface(polygon));
  if (frame) problems.push(...outsideFrame(polygon, frame));
  return problems;
}

export function lineProblems(start: Point, end: Point, frame?: Frame): string[] {
  const notFinite = nonFinitePoint([start, end]);
  if (notFinite) return [notFinite];
  const problems: string[] = [];
  if (Math.hypot(end[0] - start[0], end[1] - start[1]) < 1) problems.push('the line has no length');
  if (frame) problems.push(...outsideFrame([start, end], frame));
  return problems;
}

/** NaN and Infinity pass every comparison check silently, so they are refused first. */
function nonFinitePoint(points: readonly Point[]): string | undefined {
  const bad = points.findIndex(([x, y]) => !Number.isFinite(x) || !Number.isFinite(y));
  if (bad < 0) return undefined;
  const [x, y] = points[bad]!;
  return `point ${bad + 1} is [${x}, ${y}]: coordinates must be finite numbers of pixels`;
}

/** A polygon's area in px² (shoelace formula), always positive. */
export function polygonArea(polygon: readonly Point[]): number {
  return Math.abs(signedArea2(polygon)) / 2;
}

/** Twice the signed area (shoelace formula). */
function signedArea2(polygon: readonly Point[]): number {
  let area2 = 0;
  for (let i = 0; i < polygon.length; i++) {
    const a = polygon[i]!;
    const b = polygon[(i + 1) % polygon.length]!;
    area2 += a[0] * b[1] - b[0] * a[1];
  }
  return area2;
}

function crossingEdges(polygon: readonly Point[]): string | undefined {
  const n = polygon.length;
  for (let i = 0; i < n; i++) {
    for (let j = i + 2; j < n; j++) {
      if (i === 0 && j === n - 1) continue; // neighbours through the closing edge
      if (segmentsCross(polygon[i]!, polygon[(i + 1) % n]!, polygon[j]!, polygon[(j + 1) % n]!)) {
        return `the area's edges cross each other (edge ${i + 1} and edge ${j + 1})`;
      }
    }
  }
  return undefined;
}

/** Zero area without a crossing: the points lie on one line, or the outline folds back on itself. */
function noSurface(polygon: readonly Point[]): string {
  const [o, ...rest] = polygon as [Point, ...Point[]];
  const far = rest.find((p) => p[0] !== o[0] || p[1] !== o[1]);
  const collinear = far === undefined || rest.every((p) => Math.abs(cross(o, far, p)) < 1e-9);
  return collinear
    ? 'the area has no surface (its points lie on one line)'
    : 'the area has no surface (its outline folds back over itself)';
}

function outsideFrame(points: readonly Point[], frame: Frame): string[] {
  const bad = points.findIndex(([x, y]) => x < 0 || y < 0 || x > frame.width || y > frame.height);
  if (bad < 0) return [];
  const [x, y] = points[bad]!;
  return [
    `point ${bad + 1} lies outside the ${frame.width}x${frame.height} picture (${x}, ${y}: x goes from 0 to ${frame.width}, y from 0 to ${frame.height})`,
  ];
}

/**
 * For geometry drawn while the picture's size is unknown: only the absurd can be caught, points far
 * below 0 or beyond the largest picture. Empty when all points could lie on some camera's picture.
 */
export function outsideAnyPicture(points: readonly Point[]): string[] {
  const fits = (c: number) => c >= -UNKNOWN_FRAME_SLACK && c <= MAX_FRAME_SIDE;
  const bad = points.findIndex(([x, y]) => !fits(x) || !fits(y));
  if (bad < 0) return [];
  const [x, y] = points[bad]!;
  return [
    `point ${bad + 1} is [${x}, ${y}], outside any camera picture: coordinates are pixels of the ` +
      `picture, from 0 to at most ${MAX_FRAME_SIDE}; draw it on the picture, or set the camera's ` +
      'picture size so that areas and lines are checked against it',
  ];
}
