// More scenes from one clip with ground truth: crops enlarged (people 2-3x larger, as from a lower
// camera), a reduced resolution and lower frame rates (frames dropped, never interpolated). The video,
// the MOTChallenge ground truth and the areas and lines are transformed the same way.
//
// Rules:
// - A box is mapped with the crop and scale, then cut at the picture edge; it is kept when at least
//   half of its area is still visible. Less than that and a detector is not expected to find it: the
//   row is kept with conf 0, so the scoring ignores it (neither a miss nor, when a tracker follows the
//   person out of the picture, a false positive) and the counting still sees the person until they
//   have left the picture.
// - An area is clipped to the crop and kept when at least half of its area remains; a line is clipped
//   and kept when at least half of its length remains. Others are dropped for that variant.
// - Frame dropping keeps source frames 1, 1 + step, 1 + 2 step ... and renumbers them 1, 2, 3 ...
import { type LineDef, type Point, polygonArea, type ZoneDef } from '@oskartrack/protocol';
import type { Scene } from '../analytics/index.ts';
import { loadOpenCV, type Mat, openCV } from '../cv.ts';
import { type MotRows, MotRowsBuilder } from './mot-format.ts';

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface SceneVariant {
  name: string;
  /** What it stands for, in words (for the report). */
  description: string;
  /** Region of the source picture kept; the whole picture when absent. */
  crop?: Rect;
  /** Output pixels per source pixel (2 = people twice as large). */
  scale: number;
  /** Keep every `frameStep`-th frame (1 = all). */
  frameStep: number;
}

/** Minimum share of a box (area), area (area) or line (length) that must stay in the picture. */
export const MIN_VISIBLE = 0.5;

/** The variants made from PETS09-S2L1 (768x576, 7 fps, people about 84 px tall). */
export const PETS09_VARIANTS: readonly SceneVariant[] = [
  { name: 'pets09', description: 'the source clip', scale: 1, frameStep: 1 },
  {
    name: 'closer-2x',
    description: 'crop 384x288 at (200,120) enlarged 2x: people about 170 px',
    crop: { x: 200, y: 120, width: 384, height: 288 },
    scale: 2,
    frameStep: 1,
  },
  {
    name: 'closer-3x',
    description: 'crop 256x192 at (260,150) enlarged 3x: people about 250 px',
    crop: { x: 260, y: 150, width: 256, height: 192 },
    scale: 3,
    frameStep: 1,
  },
  { name: 'half-res', description: '384x288: people about 42 px', scale: 0.5, frameStep: 1 },
  { name: 'fps-3.5', description: 'every 2nd frame: 3.5 frames/s', scale: 1, frameStep: 2 },
  { name: 'fps-2.3', description: 'every 3rd frame: 2.33 frames/s', scale: 1, frameStep: 3 },
];

/** The crop of `variant` in a source picture of this size. */
export function cropOf(variant: SceneVariant, source: { width: number; height: number }): Rect {
  return variant.crop ?? { x: 0, y: 0, width: source.width, height: source.height };
}

/** Output picture size of `variant`. */
export function outputSize(
  variant: SceneVariant,
  source: { width: number; height: number },
): { width: number; height: number } {
  const c = cropOf(variant, source);
  return { width: Math.round(c.width * variant.scale), height: Math.round(c.height * variant.scale) };
}

/** New frame number of 1-based source frame `frame`, or 0 when that frame is dropped. */
export function keptFrame(frame: number, step: number): number {
  return (frame - 1) % step === 0 ? (frame - 1) / step + 1 : 0;
}

/**
 * Box `[left, top, width, height]` mapped into the output and cut at its edge, with the share of its
 * area still visible; null when none of it is.
 */
export function cutBox(
  box: readonly [number, number, number, number],
  crop: Rect,
  scale: number,
): { box: [number, number, number, number]; visible: number } | null {
  const [l, t, w, h] = box;
  if (w <= 0 || h <= 0) return null;
  const x1 = Math.max(l, crop.x);
  const y1 = Math.max(t, crop.y);
  const x2 = Math.min(l + w, crop.x + crop.width);
  const y2 = Math.min(t + h, crop.y + crop.height);
  if (x2 <= x1 || y2 <= y1) return null;
  return {
    box: [(x1 - crop.x) * scale, (y1 - crop.y) * scale, (x2 - x1) * scale, (y2 - y1) * scale],
    visible: ((x2 - x1) * (y2 - y1)) / (w * h),
  };
}

/** Box `[left, top, width, height]` mapped into the output and cut at its edge; null when under half is visible. */
export function transformBox(
  box: readonly [number, number, number, number],
  crop: Rect,
  scale: number,
): [number, number, number, number] | null {
  const c = cutBox(box, crop, scale);
  return c && c.visible >= MIN_VISIBLE ? c.box : null;
}

/**
 * Ground truth (or results) of the variant: rows on dropped frames left out, frames renumbered, boxes
 * mapped and cut; a box under half visible becomes a row to ignore (conf 0), one wholly outside is left
 * out. Only source frames up to `maxSourceFrames` are kept when given.
 */
export function transformRows(
  rows: MotRows,
  variant: SceneVariant,
  source: { width: number; height: number },
  maxSourceFrames = Number.POSITIVE_INFINITY,
): MotRows {
  const crop = cropOf(variant, source);
  const out = new MotRowsBuilder();
  for (let i = 0; i < rows.count; i++) {
    if (rows.frame[i]! > maxSourceFrames) continue;
    const frame = keptFrame(rows.frame[i]!, variant.frameStep);
    if (frame === 0) continue;
    const c = cutBox([rows.left[i]!, rows.top[i]!, rows.width[i]!, rows.height[i]!], crop, variant.scale);
    if (!c) continue;
    // Under half visible: still there (the tracker may follow them out), but a detector is not
    // expected to find them, so the row is one to ignore (conf 0) rather than one to find.
    const conf = c.visible >= MIN_VISIBLE ? rows.conf[i]! : 0;
    out.push(frame, rows.id[i]!, c.box[0], c.box[1], c.box[2], c.box[3], conf);
  }
  return out.rows();
}

/** Sutherland-Hodgman against one half-plane `inside(p)`, `cut(a, b)` the crossing point. */
function clipEdge(
  points: Point[],
  inside: (p: Point) => boolean,
  cut: (a: Point, b: Point) => Point,
): Point[] {
  const out: Point[] = [];
  for (let i = 0; i < points.length; i++) {
    const a = points[i]!;
    const b = points[(i + 1) % points.length]!;
    if (inside(b)) {
      if (!inside(a)) out.push(cut(a, b));
      out.push(b);
    } else if (inside(a)) out.push(cut(a, b));
  }
  return out;
}

const atX = (a: Point, b: Point, x: number): Point => [
  x,
  a[1] + ((b[1] - a[1]) * (x - a[0])) / (b[0] - a[0]),
];
const atY = (a: Point, b: Point, y: number): Point => [
  a[0] + ((b[0] - a[0]) * (y - a[1])) / (b[1] - a[1]),
  y,
];

/** The part of a polygon inside an axis-aligned rectangle (convex clip window, so one pass per edge). */
export function clipPolygon(points: readonly Point[], r: Rect): Point[] {
  const right = r.x + r.width;
  const bottom = r.y + r.height;
  let p: Point[] = [...points];
  p = clipEdge(
    p,
    (q) => q[0] >= r.x,
    (a, b) => atX(a, b, r.x),
  );
  p = clipEdge(
    p,
    (q) => q[0] <= right,
    (a, b) => atX(a, b, right),
  );
  p = clipEdge(
    p,
    (q) => q[1] >= r.y,
    (a, b) => atY(a, b, r.y),
  );
  return clipEdge(
    p,
    (q) => q[1] <= bottom,
    (a, b) => atY(a, b, bottom),
  );
}

/** Liang-Barsky: the part of segment a-b inside the rectangle, or null. Keeps the direction a -> b. */
export function clipSegment(a: Point, b: Point, r: Rect): [Point, Point] | null {
  const dx = b[0] - a[0];
  const dy = b[1] - a[1];
  let t0 = 0;
  let t1 = 1;
  const sides: [number, number][] = [
    [-dx, a[0] - r.x],
    [dx, r.x + r.width - a[0]],
    [-dy, a[1] - r.y],
    [dy, r.y + r.height - a[1]],
  ];
  for (const [p, q] of sides) {
    if (p === 0) {
      if (q < 0) return null;
      continue;
    }
    const t = q / p;
    if (p < 0) t0 = Math.max(t0, t);
    else t1 = Math.min(t1, t);
    if (t0 > t1) return null;
  }
  return [
    [a[0] + t0 * dx, a[1] + t0 * dy],
    [a[0] + t1 * dx, a[1] + t1 * dy],
  ];
}

const mapPoint = (p: Point, crop: Rect, scale: number): Point => [
  Math.round((p[0] - crop.x) * scale * 100) / 100,
  Math.round((p[1] - crop.y) * scale * 100) / 100,
];

/** Areas and lines of the variant, in its output pixels; those under half inside the crop are dropped. */
export function transformScene(
  scene: Scene,
  variant: SceneVariant,
  source: { width: number; height: number },
): Scene {
  const crop = cropOf(variant, source);
  const zones: ZoneDef[] = [];
  for (const z of scene.zones) {
    const clipped = clipPolygon(z.polygon, crop);
    if (clipped.length < 3 || polygonArea(clipped) < MIN_VISIBLE * polygonArea(z.polygon)) continue;
    zones.push({ ...z, polygon: clipped.map((p) => mapPoint(p, crop, variant.scale)) });
  }
  const lines: LineDef[] = [];
  for (const l of scene.lines) {
    const c = clipSegment(l.start, l.end, crop);
    const full = Math.hypot(l.end[0] - l.start[0], l.end[1] - l.start[1]);
    if (!c || Math.hypot(c[1][0] - c[0][0], c[1][1] - c[0][1]) < MIN_VISIBLE * full) continue;
    lines.push({
      ...l,
      start: mapPoint(c[0], crop, variant.scale),
      end: mapPoint(c[1], crop, variant.scale),
    });
  }
  return { zones, lines };
}

/**
 * Writes the variant of video `input` to `output` (MJPEG AVI at the variant's frame rate): frames
 * dropped, cropped and resized with OpenCV. Returns the frames written and the output size.
 */
export async function transformVideo(
  input: string,
  output: string,
  variant: SceneVariant,
  sourceFps: number,
  maxSourceFrames = Number.POSITIVE_INFINITY,
): Promise<{ frames: number; width: number; height: number }> {
  const cv = await loadOpenCV();
  const capture = new cv.VideoCapture(input);
  let writer: InstanceType<typeof cv.VideoWriter> | undefined;
  let size = { width: 0, height: 0 };
  let frames = 0;
  try {
    for (let i = 0; i < maxSourceFrames; i++) {
      const mat = capture.read();
      if (mat.empty) break;
      if (i % variant.frameStep !== 0) {
        mat.release();
        continue;
      }
      const source = { width: mat.cols, height: mat.rows };
      size = outputSize(variant, source);
      const out = transformFrame(mat, variant);
      writer ??= new cv.VideoWriter(
        output,
        cv.VideoWriter.fourcc('MJPG'),
        sourceFps / variant.frameStep,
        new cv.Size(size.width, size.height),
        true,
      );
      writer.write(out);
      if (out !== mat) out.release();
      mat.release();
      frames++;
    }
  } finally {
    writer?.release();
    capture.release();
  }
  return { frames, ...size };
}

/** One frame of the variant: crop, then resize (area averaging to shrink, bilinear to enlarge). */
export function transformFrame(mat: Mat, variant: SceneVariant): Mat {
  if (!variant.crop && variant.scale === 1) return mat;
  const cv = openCV();
  const source = { width: mat.cols, height: mat.rows };
  const c = cropOf(variant, source);
  const size = outputSize(variant, source);
  const region = variant.crop ? mat.getRegion(new cv.Rect(c.x, c.y, c.width, c.height)) : mat;
  const interpolation = variant.scale < 1 ? cv.INTER_AREA : cv.INTER_LINEAR;
  return region.resize(size.height, size.width, 0, 0, interpolation);
}
