/**
 * The area and counting-line editor as pure state functions: every change returns a new state, so the
 * page keeps one signal and the tests need no DOM. Coordinates are camera-picture pixels.
 */
import { lineProblems, polygonProblems } from '@oskartrack/protocol';
import type { CountingLine, Point, Zone } from '../api/types.ts';

export interface Frame {
  width: number;
  height: number;
}

interface Common {
  /** Stable key in the editor: the saved id, or `new-N` before the first save. */
  key: string;
  /** The id on the hub; null until saved. */
  id: string | null;
  name: string;
  /** What the hub holds, as JSON (null: never saved); compared to tell unsaved changes. */
  saved: string | null;
}
export interface AreaShape extends Common {
  kind: 'area';
  points: Point[];
}
export interface LineShape extends Common {
  kind: 'line';
  start: Point;
  end: Point;
  inSide: 'left' | 'right';
}
export type Shape = AreaShape | LineShape;
export type ShapeKind = Shape['kind'];

export interface EditorState {
  shapes: Shape[];
  selected: string | null;
  /** A shape being drawn point by point. */
  drawing: { kind: ShapeKind; points: Point[] } | null;
  nextKey: number;
}

export const emptyEditor = (): EditorState => ({ shapes: [], selected: null, drawing: null, nextKey: 1 });

/** How close (picture pixels) a click must be to the first point to close an area. */
export const CLOSE_RADIUS = 12;

export function payloadOf(s: Shape): Record<string, unknown> {
  return s.kind === 'area'
    ? { name: s.name.trim(), polygon: s.points }
    : { name: s.name.trim(), start: s.start, end: s.end, inSide: s.inSide };
}

const snapshotOf = (s: Shape) => JSON.stringify(payloadOf(s));

export function fromApi(zones: readonly Zone[], lines: readonly CountingLine[]): EditorState {
  const shapes: Shape[] = [
    ...zones.map((z): Shape => {
      const s: AreaShape = {
        kind: 'area',
        key: z.id,
        id: z.id,
        name: z.name,
        points: z.polygon.map(([x, y]) => [x, y] as Point),
        saved: null,
      };
      return { ...s, saved: snapshotOf(s) };
    }),
    ...lines.map((l): Shape => {
      const s: LineShape = {
        kind: 'line',
        key: l.id,
        id: l.id,
        name: l.name,
        start: [l.start[0], l.start[1]],
        end: [l.end[0], l.end[1]],
        inSide: l.inSide,
        saved: null,
      };
      return { ...s, saved: snapshotOf(s) };
    }),
  ];
  return { shapes, selected: null, drawing: null, nextKey: 1 };
}

export function isDirty(s: Shape): boolean {
  return s.saved === null || s.saved !== snapshotOf(s);
}

/** Whole pixels, inside the picture. */
export function clampPoint(p: Point, frame: Frame): Point {
  return [
    Math.round(Math.min(frame.width, Math.max(0, p[0]))),
    Math.round(Math.min(frame.height, Math.max(0, p[1]))),
  ];
}

/** A pointer position (client pixels) on an element showing the picture → picture pixels. */
export function toPicture(
  clientX: number,
  clientY: number,
  rect: { left: number; top: number; width: number; height: number },
  frame: Frame,
): Point {
  const x = ((clientX - rect.left) / Math.max(1, rect.width)) * frame.width;
  const y = ((clientY - rect.top) / Math.max(1, rect.height)) * frame.height;
  return clampPoint([x, y], frame);
}

export function pointsOf(s: Shape): Point[] {
  return s.kind === 'area' ? s.points : [s.start, s.end];
}

export function find(state: EditorState, key: string | null): Shape | undefined {
  return key === null ? undefined : state.shapes.find((s) => s.key === key);
}

function update(state: EditorState, key: string, f: (s: Shape) => Shape): EditorState {
  return { ...state, shapes: state.shapes.map((s) => (s.key === key ? f(s) : s)) };
}

/** Plain-language problems that stop a save (empty: fine). */
export function shapeProblems(s: Shape, frame: Frame | null): string[] {
  const problems: string[] = [];
  if (!s.name.trim()) problems.push(`give the ${s.kind === 'area' ? 'area' : 'line'} a name`);
  else if (s.name.trim().length > 100) problems.push('the name is longer than 100 characters');
  const f = frame ?? undefined;
  if (s.kind === 'area') {
    problems.push(...polygonProblems(s.points, f));
    if (s.points.length > 64) problems.push('an area can have at most 64 points');
  } else problems.push(...lineProblems(s.start, s.end, f));
  return problems;
}

export function select(state: EditorState, key: string | null): EditorState {
  return { ...state, selected: key, drawing: null };
}

export function startDrawing(state: EditorState, kind: ShapeKind): EditorState {
  return { ...state, selected: null, drawing: { kind, points: [] } };
}

export function cancelDrawing(state: EditorState): EditorState {
  return { ...state, drawing: null };
}

/**
 * One click while drawing. A line is done after two points; an area when the click lands on its
 * first point (with at least three points) or when `finishDrawing` is called.
 */
export function addDrawingPoint(state: EditorState, p: Point, frame: Frame): EditorState {
  const d = state.drawing;
  if (!d) return state;
  const point = clampPoint(p, frame);
  if (d.kind === 'area' && d.points.length >= 3) {
    const first = d.points[0]!;
    if (Math.hypot(first[0] - point[0], first[1] - point[1]) <= CLOSE_RADIUS) return finishDrawing(state);
  }
  const points = [...d.points, point];
  const next = { ...state, drawing: { kind: d.kind, points } };
  if (d.kind === 'line' && points.length === 2) return finishDrawing(next);
  return next;
}

/** Turns the drawing into a new, unsaved shape (selected); too few points: nothing happens. */
export function finishDrawing(state: EditorState, name?: string): EditorState {
  const d = state.drawing;
  if (!d) return state;
  const key = `new-${state.nextKey}`;
  const count = state.shapes.filter((s) => s.kind === d.kind).length + 1;
  let shape: Shape;
  if (d.kind === 'area') {
    if (d.points.length < 3) return state;
    shape = { kind: 'area', key, id: null, name: name ?? `Area ${count}`, points: d.points, saved: null };
  } else {
    if (d.points.length < 2) return state;
    shape = {
      kind: 'line',
      key,
      id: null,
      name: name ?? `Line ${count}`,
      start: d.points[0]!,
      end: d.points[1]!,
      inSide: 'left',
      saved: null,
    };
  }
  return { shapes: [...state.shapes, shape], selected: key, drawing: null, nextKey: state.nextKey + 1 };
}

/** Drags one corner of an area (or an end of a line: 0 start, 1 end). */
export function movePoint(
  state: EditorState,
  key: string,
  index: number,
  p: Point,
  frame: Frame,
): EditorState {
  const point = clampPoint(p, frame);
  return update(state, key, (s) => {
    if (s.kind === 'area') {
      if (index < 0 || index >= s.points.length) return s;
      return { ...s, points: s.points.map((q, i) => (i === index ? point : q)) };
    }
    if (index === 0) return { ...s, start: point };
    if (index === 1) return { ...s, end: point };
    return s;
  });
}

/** Moves a whole shape by (dx, dy), stopping at the picture's edges so its form never changes. */
export function moveShape(
  state: EditorState,
  key: string,
  dx: number,
  dy: number,
  frame: Frame,
): EditorState {
  return update(state, key, (s) => {
    const pts = pointsOf(s);
    const xs = pts.map((p) => p[0]);
    const ys = pts.map((p) => p[1]);
    const mx = Math.round(Math.min(frame.width - Math.max(...xs), Math.max(-Math.min(...xs), dx)));
    const my = Math.round(Math.min(frame.height - Math.max(...ys), Math.max(-Math.min(...ys), dy)));
    const shift = (p: Point): Point => [p[0] + mx, p[1] + my];
    return s.kind === 'area'
      ? { ...s, points: s.points.map(shift) }
      : { ...s, start: shift(s.start), end: shift(s.end) };
  });
}

/** Adds a corner after `index` (on the edge to the next corner). */
export function insertPoint(
  state: EditorState,
  key: string,
  index: number,
  p: Point,
  frame: Frame,
): EditorState {
  const point = clampPoint(p, frame);
  return update(state, key, (s) => {
    if (s.kind !== 'area' || index < 0 || index >= s.points.length) return s;
    return { ...s, points: [...s.points.slice(0, index + 1), point, ...s.points.slice(index + 1)] };
  });
}

/** Removes a corner; an area keeps at least three. */
export function removePoint(state: EditorState, key: string, index: number): EditorState {
  return update(state, key, (s) => {
    if (s.kind !== 'area' || s.points.length <= 3) return s;
    return { ...s, points: s.points.filter((_, i) => i !== index) };
  });
}

export function rename(state: EditorState, key: string, name: string): EditorState {
  return update(state, key, (s) => ({ ...s, name }));
}

/** Swaps which side of a counting line counts as walking in. */
export function flipSide(state: EditorState, key: string): EditorState {
  return update(state, key, (s) =>
    s.kind === 'line' ? { ...s, inSide: s.inSide === 'left' ? 'right' : 'left' } : s,
  );
}

export function removeShape(state: EditorState, key: string): EditorState {
  return {
    ...state,
    shapes: state.shapes.filter((s) => s.key !== key),
    selected: state.selected === key ? null : state.selected,
  };
}

/** After the hub stored a shape: its id, and what was saved. */
export function markSaved(state: EditorState, key: string, id: string): EditorState {
  const next = update(state, key, (s) => ({ ...s, id, key: id, saved: snapshotOf(s) }));
  return { ...next, selected: state.selected === key ? id : next.selected };
}

/** Puts a shape back the way the hub holds it (or drops it when it was never saved). */
export function revert(state: EditorState, key: string): EditorState {
  const s = find(state, key);
  if (!s) return state;
  if (s.saved === null) return removeShape(state, key);
  const saved = JSON.parse(s.saved) as {
    name: string;
    polygon?: Point[];
    start?: Point;
    end?: Point;
    inSide?: 'left' | 'right';
  };
  return update(state, key, (x) =>
    x.kind === 'area'
      ? { ...x, name: saved.name, points: saved.polygon ?? x.points }
      : {
          ...x,
          name: saved.name,
          start: saved.start ?? x.start,
          end: saved.end ?? x.end,
          inSide: saved.inSide ?? x.inSide,
        },
  );
}

/** Where an area's or line's label goes: the average of its points. */
export function labelPoint(s: Shape): Point {
  return centroid(pointsOf(s));
}

/** The average of some points ([0, 0] for none). */
export function centroid(pts: readonly Point[]): Point {
  if (!pts.length) return [0, 0];
  const x = pts.reduce((a, p) => a + p[0], 0) / pts.length;
  const y = pts.reduce((a, p) => a + p[1], 0) / pts.length;
  return [x, y];
}

/**
 * The "in" side of a counting line as an arrow from its middle: the left of the walking direction
 * start → end in picture axes (y down) is the normal (dy, -dx).
 */
export function inArrow(
  l: Pick<LineShape, 'start' | 'end' | 'inSide'>,
  length = 24,
): { from: Point; to: Point } {
  const [x1, y1] = l.start;
  const [x2, y2] = l.end;
  const mid: Point = [(x1 + x2) / 2, (y1 + y2) / 2];
  const len = Math.hypot(x2 - x1, y2 - y1) || 1;
  let nx = (y2 - y1) / len;
  let ny = -(x2 - x1) / len;
  if (l.inSide === 'right') {
    nx = -nx;
    ny = -ny;
  }
  return { from: mid, to: [mid[0] + nx * length, mid[1] + ny * length] };
}
