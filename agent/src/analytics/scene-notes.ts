// Areas and lines that are valid but will hardly ever count, said before a run: a line drawn on the
// picture's edge (a foot point never crosses it) and an area so thin that someone walking through is
// not inside long enough to be counted (an entry needs the foot point inside for 3/7 s).
import { polygonArea } from '@oskartrack/protocol';
import type { FrameSize, Scene } from './scene.ts';

/** Thinner than this (px, area / longest side) a walker crosses an area within a frame or two. */
const THIN_AREA_PX = 12;
/** A line this close to one edge of the picture along its whole length lies on that edge. */
const EDGE_PX = 2;

function longestSide(points: readonly (readonly [number, number])[]): number {
  const xs = points.map((p) => p[0]);
  const ys = points.map((p) => p[1]);
  return Math.max(Math.max(...xs) - Math.min(...xs), Math.max(...ys) - Math.min(...ys));
}

function onEdge(a: readonly [number, number], b: readonly [number, number], frame: FrameSize): boolean {
  const near = (v: number, edge: number) => Math.abs(v - edge) <= EDGE_PX;
  return (
    (near(a[0], 0) && near(b[0], 0)) ||
    (near(a[1], 0) && near(b[1], 0)) ||
    (near(a[0], frame.width) && near(b[0], frame.width)) ||
    (near(a[1], frame.height) && near(b[1], frame.height))
  );
}

/** Plain notes on the scene's areas and lines that will hardly count; empty when none. */
export function sceneNotes(scene: Scene, frame: FrameSize): string[] {
  const notes: string[] = [];
  for (const z of scene.zones) {
    const thickness = polygonArea(z.polygon) / Math.max(1, longestSide(z.polygon));
    if (thickness < THIN_AREA_PX)
      notes.push(
        `area "${z.name}" is only about ${Math.max(1, Math.round(thickness))} px thick: someone walking through is not inside it long enough to be counted (3/7 s); to count people passing, draw a line there instead`,
      );
  }
  for (const l of scene.lines)
    if (onEdge(l.start, l.end, frame))
      notes.push(
        `line "${l.name}" lies on the edge of the picture: people's feet never cross it; draw it a little inside the picture, where people walk`,
      );
  return notes;
}
