import type { Mat } from '../cv.ts';
import type { Detections } from '../types.ts';

export type DetectorKind = 'hog' | 'yolox';

/**
 * Finds people in one BGR frame.
 *
 * Up to `lanes` calls may overlap (each on its own frame); more throw. The returned `Detections`
 * belongs to the detector and is reused: the call `lanes` calls later overwrites it (its arrays may
 * also be replaced by bigger ones). Copy what you need to keep, or consume it before then.
 */
export interface Detector {
  readonly name: DetectorKind;
  /** How many detect() calls may run at the same time (1: await each one before the next). */
  readonly lanes: number;
  detect(frame: Mat): Promise<Detections>;
  /** Frees native resources (network, buffers). The detector is unusable afterwards. */
  close(): void;
}

/**
 * Makes sure `det` can hold `n` detections, growing its arrays (never shrinking) when needed. The
 * whole old content is kept, not only the first `count` entries: callers fill the arrays before they
 * set `count`.
 */
export function ensureCapacity(det: Detections, n: number): void {
  if (det.scores.length >= n && det.boxes.length >= n * 4) return;
  const capacity = Math.max(n, det.scores.length * 2, 16);
  const boxes = new Float32Array(capacity * 4);
  boxes.set(det.boxes);
  const scores = new Float32Array(capacity);
  scores.set(det.scores);
  det.boxes = boxes;
  det.scores = scores;
}
