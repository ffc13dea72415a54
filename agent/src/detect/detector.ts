import type { Mat } from '../cv.ts';
import type { Detections } from '../types.ts';

export type DetectorKind = 'hog' | 'yolox';

/**
 * Finds people in one BGR frame.
 *
 * The returned `Detections` belongs to the detector and is reused: the next `detect()` call
 * overwrites it (its arrays may also be replaced by bigger ones). Copy what you need to keep, or
 * consume it before calling `detect()` again. Calls must not overlap (await each one).
 */
export interface Detector {
  readonly name: DetectorKind;
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
