// Plane geometry for zones and counting lines, in image coordinates: x grows to the right and y grows
// downward (row 0 is the top of the picture), as OpenCV and every camera frame have it.
import type { Point } from '@oskartrack/protocol';

/** Distances below this many pixels count as zero: a point this close to an edge lies on it. */
export const EPSILON_PX = 1e-6;

/**
 * A polygon packed for the per-frame tests: coordinates in typed arrays, the bounding box for a cheap
 * early reject, and each edge's length (for the on-the-edge test).
 */
export interface PackedPolygon {
  readonly n: number;
  readonly xs: Float64Array;
  readonly ys: Float64Array;
  /** Length of the edge from point i to point i + 1 (the last edge closes the ring). */
  readonly edgeLengths: Float64Array;
  readonly minX: number;
  readonly minY: number;
  readonly maxX: number;
  readonly maxY: number;
}

export function packPolygon(points: readonly Point[]): PackedPolygon {
  const n = points.length;
  const xs = new Float64Array(n);
  const ys = new Float64Array(n);
  const edgeLengths = new Float64Array(n);
  let minX = Number.POSITIVE_INFINITY;
  let minY = Number.POSITIVE_INFINITY;
  let maxX = Number.NEGATIVE_INFINITY;
  let maxY = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < n; i++) {
    const [x, y] = points[i]!;
    xs[i] = x;
    ys[i] = y;
    if (x < minX) minX = x;
    if (x > maxX) maxX = x;
    if (y < minY) minY = y;
    if (y > maxY) maxY = y;
  }
  for (let i = 0; i < n; i++) {
    const j = i + 1 === n ? 0 : i + 1;
    edgeLengths[i] = Math.hypot(xs[j]! - xs[i]!, ys[j]! - ys[i]!);
  }
  return { n, xs, ys, edgeLengths, minX, minY, maxX, maxY };
}

/**
 * The z component of (b - a) x (p - a). In image coordinates (y down) it is negative when p lies to the
 * left of the direction a -> b as a viewer sees it on the screen, positive to the right, 0 on the line.
 */
export function cross(ax: number, ay: number, bx: number, by: number, px: number, py: number): number {
  return (bx - ax) * (py - ay) - (by - ay) * (px - ax);
}

/** True when p lies on the closed segment a-b (within `EPSILON_PX`). */
export function pointOnSegment(
  ax: number,
  ay: number,
  bx: number,
  by: number,
  px: number,
  py: number,
): boolean {
  const len = Math.hypot(bx - ax, by - ay);
  if (len < EPSILON_PX) return Math.hypot(px - ax, py - ay) <= EPSILON_PX;
  if (Math.abs(cross(ax, ay, bx, by, px, py)) > EPSILON_PX * len) return false;
  const t = ((px - ax) * (bx - ax) + (py - ay) * (by - ay)) / len;
  return t >= -EPSILON_PX && t <= len + EPSILON_PX;
}

/**
 * Point in polygon by ray casting (even-odd rule): a ray from p towards +x crosses the boundary an odd
 * number of times when p is inside. Points on an edge or a vertex count as inside, so a foot point
 * exactly on a shared border belongs to both areas rather than to neither.
 */
export function pointInPolygon(poly: PackedPolygon, px: number, py: number): boolean {
  if (px < poly.minX || px > poly.maxX || py < poly.minY || py > poly.maxY) return false;
  const { n, xs, ys, edgeLengths } = poly;
  let inside = false;
  for (let i = 0, j = n - 1; i < n; j = i++) {
    const xi = xs[i]!;
    const yi = ys[i]!;
    const xj = xs[j]!;
    const yj = ys[j]!;
    // On the edge j -> i: collinear within tolerance and between its ends (a repeated point has no edge).
    const len = edgeLengths[j]!;
    const c = (xi - xj) * (py - yj) - (yi - yj) * (px - xj);
    if (len > 0 && Math.abs(c) <= EPSILON_PX * len) {
      const t = (px - xj) * (xi - xj) + (py - yj) * (yi - yj);
      if (t >= -EPSILON_PX * len && t <= len * len + EPSILON_PX * len) return true;
    }
    // Half-open rule on y (one end inclusive, the other exclusive) so a ray through a vertex counts once.
    if (yi > py !== yj > py && px < ((xj - xi) * (py - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/** Distance from p to the nearest point of the polygon's boundary (0 on an edge), in pixels. */
export function distanceToEdges(poly: PackedPolygon, px: number, py: number): number {
  const { n, xs, ys, edgeLengths } = poly;
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < n; i++) {
    const j = i + 1 === n ? 0 : i + 1;
    const ax = xs[i]!;
    const ay = ys[i]!;
    const len = edgeLengths[i]!;
    // Projection of p on the edge, clamped to its ends.
    const t =
      len > 0
        ? Math.min(1, Math.max(0, ((px - ax) * (xs[j]! - ax) + (py - ay) * (ys[j]! - ay)) / (len * len)))
        : 0;
    const d = Math.hypot(px - (ax + t * (xs[j]! - ax)), py - (ay + t * (ys[j]! - ay)));
    if (d < best) best = d;
  }
  return best;
}

/**
 * How thick the polygon is at p: the shorter of its vertical and horizontal extent through p (the
 * stretch of the line through p that lies inside, the one holding p or else the nearest). A direction
 * that misses the polygon is skipped; when both do, the smaller side of the bounding box.
 */
export function thicknessAt(poly: PackedPolygon, px: number, py: number): number {
  const v = chord(poly, px, py, true);
  const h = chord(poly, px, py, false);
  const best = Math.min(v, h);
  if (Number.isFinite(best)) return best;
  return Math.min(poly.maxX - poly.minX, poly.maxY - poly.minY);
}

/** Length of the inside stretch of the vertical (or horizontal) line through p nearest to p; Infinity if none. */
function chord(poly: PackedPolygon, px: number, py: number, vertical: boolean): number {
  const { n } = poly;
  const as = vertical ? poly.xs : poly.ys;
  const bs = vertical ? poly.ys : poly.xs;
  const a = vertical ? px : py;
  const b = vertical ? py : px;
  const hits: number[] = [];
  for (let i = 0, j = n - 1; i < n; j = i++) {
    const ai = as[i]!;
    const aj = as[j]!;
    // Half-open on the crossing coordinate, as in pointInPolygon, so a vertex counts once.
    if (ai > a !== aj > a) hits.push(bs[j]! + ((bs[i]! - bs[j]!) * (a - aj)) / (ai - aj));
  }
  hits.sort((x, y) => x - y);
  let best = Number.POSITIVE_INFINITY;
  let bestGap = Number.POSITIVE_INFINITY;
  for (let k = 0; k + 1 < hits.length; k += 2) {
    const lo = hits[k]!;
    const hi = hits[k + 1]!;
    const gap = b < lo ? lo - b : b > hi ? b - hi : 0;
    if (gap < bestGap) {
      bestGap = gap;
      best = hi - lo;
    }
  }
  return best;
}

/** Same test on a plain list of points (packs it first: for tests and one-off checks, not per frame). */
export function pointInPoints(points: readonly Point[], p: Point): boolean {
  return pointInPolygon(packPolygon(points), p[0], p[1]);
}

/**
 * True when the closed segments p1-p2 and p3-p4 share at least one point: a proper crossing, a touch at
 * an end point, or a collinear overlap.
 */
export function segmentsIntersect(
  p1x: number,
  p1y: number,
  p2x: number,
  p2y: number,
  p3x: number,
  p3y: number,
  p4x: number,
  p4y: number,
): boolean {
  const d1 = cross(p3x, p3y, p4x, p4y, p1x, p1y);
  const d2 = cross(p3x, p3y, p4x, p4y, p2x, p2y);
  const d3 = cross(p1x, p1y, p2x, p2y, p3x, p3y);
  const d4 = cross(p1x, p1y, p2x, p2y, p4x, p4y);
  if (((d1 > 0 && d2 < 0) || (d1 < 0 && d2 > 0)) && ((d3 > 0 && d4 < 0) || (d3 < 0 && d4 > 0))) return true;
  return (
    pointOnSegment(p3x, p3y, p4x, p4y, p1x, p1y) ||
    pointOnSegment(p3x, p3y, p4x, p4y, p2x, p2y) ||
    pointOnSegment(p1x, p1y, p2x, p2y, p3x, p3y) ||
    pointOnSegment(p1x, p1y, p2x, p2y, p4x, p4y)
  );
}

export type ScreenSide = 'left' | 'right' | 'on';

/**
 * Which side of the directed line start -> end the point p is on, as a viewer sees it on the screen when
 * facing from start towards end. Example: for a line from (0, 100) to (100, 100) (pointing right), "left"
 * is above it (y < 100) and "right" below it; for a line pointing down the picture, "left" is x greater.
 */
export function sideOfLine(start: Point, end: Point, p: Point): ScreenSide {
  const c = cross(start[0], start[1], end[0], end[1], p[0], p[1]);
  const len = Math.hypot(end[0] - start[0], end[1] - start[1]);
  if (Math.abs(c) <= EPSILON_PX * len) return 'on';
  return c < 0 ? 'left' : 'right';
}

/** Foot point of box i in a packed `x1, y1, x2, y2` array: the bottom centre, where the person stands. */
export function footX(boxes: Float32Array, i: number): number {
  return (boxes[4 * i]! + boxes[4 * i + 2]!) * 0.5;
}

export function footY(boxes: Float32Array, i: number): number {
  return boxes[4 * i + 3]!;
}
