import { readFileSync } from 'node:fs';
import type { Tracks } from '../../src/types.ts';

/** A person whose foot point (bottom centre of the box) is at (x, y). */
export type Person = [id: number, x: number, y: number];

/** Tracks of one frame from foot points; boxes are 20 x 40 px standing on the point. */
export function frame(at: number, people: readonly Person[], frameIndex = 0): Tracks {
  const count = people.length;
  const ids = new Uint32Array(count);
  const boxes = new Float32Array(count * 4);
  const scores = new Float32Array(count).fill(0.9);
  people.forEach(([id, x, y], i) => {
    ids[i] = id;
    boxes.set([x - 10, y - 40, x + 10, y], i * 4);
  });
  return { frameIndex, at, count, ids, boxes, scores };
}

export interface GtRow {
  frame: number;
  id: number;
  x1: number;
  y1: number;
  x2: number;
  y2: number;
}

export const PETS09_DIR = new URL('../../../../shared/data/pets09-s2l1/', import.meta.url);

/**
 * MOTChallenge ground truth. Rows with 0 in the conf column are kept by default: for counting they are
 * real people (in PETS09 the two standing by the van); `skipIgnored` drops them as the metrics do.
 */
export function readGt(path: URL | string, skipIgnored = false): GtRow[] {
  return readFileSync(path, 'utf8')
    .trim()
    .split('\n')
    .map((line) => line.split(',').map(Number))
    .filter((r) => !skipIgnored || r[6] !== 0)
    .map(([f, id, l, t, w, h]) => ({ frame: f!, id: id!, x1: l!, y1: t!, x2: l! + w!, y2: t! + h! }));
}

/** Ground truth as a tracker would report it: per frame the tracks and the ids that ended before it. */
export function* gtFrames(
  rows: readonly GtRow[],
  fps: number,
): Generator<{ tracks: Tracks; ended: number[] }> {
  const byFrame = new Map<number, GtRow[]>();
  const lastFrame = new Map<number, number>();
  for (const r of rows) {
    const list = byFrame.get(r.frame);
    if (list) list.push(r);
    else byFrame.set(r.frame, [r]);
    lastFrame.set(r.id, Math.max(lastFrame.get(r.id) ?? 0, r.frame));
  }
  const frames = [...byFrame.keys()].sort((a, b) => a - b);
  const maxFrame = frames.at(-1) ?? 0;
  for (let f = 1; f <= maxFrame; f++) {
    const list = byFrame.get(f) ?? [];
    const ids = new Uint32Array(list.length);
    const boxes = new Float32Array(list.length * 4);
    list.forEach((r, i) => {
      ids[i] = r.id;
      boxes.set([r.x1, r.y1, r.x2, r.y2], i * 4);
    });
    const ended = [...lastFrame].filter(([, last]) => last === f).map(([id]) => id);
    const tracks: Tracks = {
      frameIndex: f - 1,
      at: ((f - 1) * 1000) / fps,
      count: list.length,
      ids,
      boxes,
      scores: new Float32Array(list.length).fill(1),
    };
    yield { tracks, ended };
  }
}
