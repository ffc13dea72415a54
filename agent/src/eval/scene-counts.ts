// Counting accuracy: runs the same scene analytics on ground-truth tracks and compares the
// entries, exits and time spent per area and the in / out per line with what the system counted.
import { type AnalyticsOptions, type Scene, SceneAnalytics, type SceneCounts } from '../analytics/index.ts';
import type { Tracks } from '../types.ts';
import type { MotRows } from './mot-format.ts';

export interface CountComparison {
  id: string;
  name: string;
  metric: string;
  system: number;
  truth: number;
  /** |system - truth| / truth in percent; 0 when both are 0, 100 when only truth is 0. */
  errorPct: number;
}

/**
 * Ids for counting: a person's rows broken by missing frames (they left the picture, e.g. a crop of
 * the scene, and came back) become one visit per unbroken run, so the truth counts time spent and
 * entries while the person is in view, as a camera sees them. Each later run gets a new id above all
 * ids in the file.
 */
export function visitIds(rows: MotRows): Int32Array {
  const out = new Int32Array(rows.count);
  const order = Array.from({ length: rows.count }, (_, i) => i).sort(
    (a, b) => rows.id[a]! - rows.id[b]! || rows.frame[a]! - rows.frame[b]!,
  );
  let next = 1;
  for (let i = 0; i < rows.count; i++) next = Math.max(next, rows.id[i]! + 1);
  let visit = 0;
  for (let k = 0; k < order.length; k++) {
    const i = order[k]!;
    const prev = k > 0 ? order[k - 1]! : -1;
    const same = prev >= 0 && rows.id[prev] === rows.id[i];
    if (!same) visit = rows.id[i]!;
    else if (rows.frame[i]! > rows.frame[prev]! + 1) visit = next++;
    out[i] = visit;
  }
  return out;
}

/**
 * Feeds MOT rows frame by frame (frames 1-based, `fps` for times) through a fresh SceneAnalytics. A
 * person missing from some frames has left the picture for that time (`visitIds`).
 */
export function countsFromRows(
  rows: MotRows,
  scene: Scene,
  cameraId: string,
  fps: number,
  startTime = 0,
  options: Partial<AnalyticsOptions> = {},
): SceneCounts {
  const analytics = new SceneAnalytics(cameraId, scene, { fps, ...options });
  const ids = visitIds(rows);
  const lastFrame = new Map<number, number>();
  let maxFrame = 0;
  for (let i = 0; i < rows.count; i++) {
    lastFrame.set(ids[i]!, Math.max(lastFrame.get(ids[i]!) ?? 0, rows.frame[i]!));
    maxFrame = Math.max(maxFrame, rows.frame[i]!);
  }
  const endsAt = new Map<number, number[]>();
  for (const [id, f] of lastFrame) {
    const list = endsAt.get(f + 1) ?? [];
    list.push(id);
    endsAt.set(f + 1, list);
  }
  // Rows grouped by frame without assuming the file is sorted.
  const order = Array.from({ length: rows.count }, (_, i) => i).sort(
    (a, b) => rows.frame[a]! - rows.frame[b]!,
  );
  let perFrame = 0;
  for (const n of countPerFrame(rows).values()) perFrame = Math.max(perFrame, n);
  const tracks: Tracks = {
    frameIndex: 0,
    at: 0,
    count: 0,
    ids: new Uint32Array(perFrame),
    boxes: new Float32Array(perFrame * 4),
    scores: new Float32Array(perFrame),
  };
  let k = 0;
  for (let f = 1; f <= maxFrame + 1; f++) {
    tracks.frameIndex = f - 1;
    tracks.at = startTime + ((f - 1) * 1000) / fps;
    tracks.count = 0;
    while (k < order.length && rows.frame[order[k]!]! === f) {
      const i = order[k++]!;
      const n = tracks.count++;
      tracks.ids[n] = ids[i]!;
      tracks.boxes[n * 4] = rows.left[i]!;
      tracks.boxes[n * 4 + 1] = rows.top[i]!;
      tracks.boxes[n * 4 + 2] = rows.left[i]! + rows.width[i]!;
      tracks.boxes[n * 4 + 3] = rows.top[i]! + rows.height[i]!;
      tracks.scores[n] = 1;
    }
    analytics.update(tracks, endsAt.get(f) ?? []);
  }
  analytics.finish();
  return analytics.counts();
}

function countPerFrame(rows: MotRows): Map<number, number> {
  const counts = new Map<number, number>();
  for (let i = 0; i < rows.count; i++) counts.set(rows.frame[i]!, (counts.get(rows.frame[i]!) ?? 0) + 1);
  return counts;
}

function errorPct(system: number, truth: number): number {
  if (truth === 0) return system === 0 ? 0 : 100;
  return (Math.abs(system - truth) / truth) * 100;
}

/** Side-by-side per area (entries, exits, time spent in s) and per line (in, out). */
export function compareCounts(
  system: SceneCounts,
  truth: SceneCounts,
): { zones: CountComparison[]; lines: CountComparison[] } {
  const zones: CountComparison[] = [];
  for (const z of system.zones) {
    const t = truth.zones.find((x) => x.zoneId === z.zoneId);
    if (!t) continue;
    for (const [metric, s, g] of [
      ['entries', z.entries, t.entries],
      ['exits', z.exits, t.exits],
      ['dwell_s', z.dwellMs / 1000, t.dwellMs / 1000],
    ] as const) {
      zones.push({ id: z.zoneId, name: z.name, metric, system: s, truth: g, errorPct: errorPct(s, g) });
    }
  }
  const lines: CountComparison[] = [];
  for (const l of system.lines) {
    const t = truth.lines.find((x) => x.lineId === l.lineId);
    if (!t) continue;
    for (const [metric, s, g] of [
      ['in', l.in, t.in],
      ['out', l.out, t.out],
    ] as const) {
      lines.push({ id: l.lineId, name: l.name, metric, system: s, truth: g, errorPct: errorPct(s, g) });
    }
  }
  return { zones, lines };
}
