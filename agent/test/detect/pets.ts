// Shared test data: frames of PETS09-S2L1 (vtest.avi) and its MOT15 ground truth.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Mat } from '../../src/cv.ts';
import { loadOpenCV } from '../../src/cv.ts';
import { iou } from '../../src/detect/nms.ts';
import { FileSource } from '../../src/source/file.ts';
import type { Detections } from '../../src/types.ts';

export const PETS_DIR = fileURLToPath(new URL('../../../../shared/data/pets09-s2l1/', import.meta.url));
export const VIDEO = `${PETS_DIR}vtest.avi`;
export const GT = `${PETS_DIR}gt.txt`;
export const YOLOX_NANO = fileURLToPath(
  new URL('../../../../shared/models/yolox_nano.onnx', import.meta.url),
);

export interface GtBoxes {
  /** Packed x1, y1, x2, y2. */
  boxes: Float32Array;
  /** The conf column: 1 = evaluated, 0 = ignored by MOTChallenge. */
  conf: Uint8Array;
  count: number;
}

/** Ground truth of one decoded frame (0-based index; gt.txt frame = index + 1). */
export function groundTruth(index: number): GtBoxes {
  const rows = readFileSync(GT, 'utf8')
    .trim()
    .split('\n')
    .map((line) => line.split(',').map(Number))
    .filter((r) => r[0] === index + 1);
  const boxes = new Float32Array(rows.length * 4);
  const conf = new Uint8Array(rows.length);
  rows.forEach((r, i) => {
    boxes.set([r[2]!, r[3]!, r[2]! + r[4]!, r[3]! + r[5]!], i * 4);
    conf[i] = r[6]!;
  });
  return { boxes, conf, count: rows.length };
}

/** Decodes the frames at the given 0-based indexes (ascending); the caller releases them. */
export async function readFrames(indexes: readonly number[]): Promise<Mat[]> {
  const cv = await loadOpenCV();
  const source = await FileSource.open(cv, VIDEO, { keepFrames: true });
  const wanted = new Set(indexes);
  const last = Math.max(...indexes);
  const out: Mat[] = [];
  for (;;) {
    const frame = await source.read();
    if (!frame) break;
    if (wanted.has(frame.index)) out.push(frame.mat);
    else frame.mat.release();
    if (frame.index >= last) break;
  }
  await source.close();
  return out;
}

/** Greedy one-to-one matching at an IoU threshold: how many evaluated gt boxes a detection covers. */
export function matchCount(
  det: Detections,
  gt: GtBoxes,
  minIou = 0.5,
): { matched: number; evaluated: number } {
  const used = new Uint8Array(gt.count);
  let matched = 0;
  for (let d = 0; d < det.count; d++) {
    let best = -1;
    let bestIou = minIou;
    for (let g = 0; g < gt.count; g++) {
      if (used[g]) continue;
      const v = iou(det.boxes, d, gt.boxes, g);
      if (v >= bestIou) {
        bestIou = v;
        best = g;
      }
    }
    if (best >= 0) {
      used[best] = 1;
      if (gt.conf[best] === 1) matched++;
    }
  }
  let evaluated = 0;
  for (let g = 0; g < gt.count; g++) evaluated += gt.conf[g]!;
  return { matched, evaluated };
}
