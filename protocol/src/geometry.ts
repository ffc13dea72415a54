import { type Static, Type } from '@sinclair/typebox';

/** Largest coordinate accepted anywhere: bigger than any camera frame, small enough to catch garbage. */
export const MAX_COORD = 100_000;
export const MAX_POLYGON_POINTS = 64;

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

/** Twice the signed area of a polygon: positive when its points run counter-clockwise in y-up axes. */
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

/**
 * Checks what a schema cannot: a polygon needs area and no crossing edges, a line needs length,
 * and both must lie inside the frame when its size is known. Returns the problems in plain words.
 */
export function polygonProblems(
  polygon: readonly Point[],
  frame?: { width: number; height: number },
): string[] {
  const problems: string[] = [];
  if (polygon.length < 3) return [`an area needs at least 3 points, got ${polygon.length}`];
  let area2 = 0;
  for (let i = 0; i < polygon.length; i++) {
    const a = polygon[i]!;
    const b = polygon[(i + 1) % polygon.length]!;
    area2 += a[0] * b[1] - b[0] * a[1];
  }
  if (Math.abs(area2) < 1e-9) problems.push('the area has no surface (its points lie on one line)');
  const n = polygon.length;
  outer: for (let i = 0; i < n; i++) {
    for (let j = i + 2; j < n; j++) {
      if (i === 0 && j === n - 1) continue; // neighbours through the closing edge
      if (segmentsCross(polygon[i]!, polygon[(i + 1) % n]!, polygon[j]!, polygon[(j + 1) % n]!)) {
        problems.push(`the area's edges cross each other (edge ${i + 1} and edge ${j + 1})`);
        break outer;
      }
    }
  }
  if (frame) problems.push(...outsideFrame(polygon, frame));
  return problems;
}

export function lineProblems(start: Point, end: Point, frame?: { width: number; height: number }): string[] {
  const problems: string[] = [];
  if (Math.hypot(end[0] - start[0], end[1] - start[1]) < 1) problems.push('the line has no length');
  if (frame) problems.push(...outsideFrame([start, end], frame));
  return problems;
}

function outsideFrame(points: readonly Point[], frame: { width: number; height: number }): string[] {
  const bad = points.findIndex(([x, y]) => x < 0 || y < 0 || x > frame.width || y > frame.height);
  return bad < 0 ? [] : [`point ${bad + 1} lies outside the ${frame.width}x${frame.height} picture`];
}
