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

/** Makes sure `det` can hold `n` detections, growing its arrays (never shrinking) when needed. */
export function ensureCapacity(det: Detections, n: number): void {
  if (det.scores.length >= n) return;
  const capacity = Math.max(n, det.scores.length * 2, 16);
  const boxes = new Float32Array(capacity * 4);
  boxes.set(det.boxes.subarray(0, det.count * 4));
  const scores = new Float32Array(capacity);
  scores.set(det.scores.subarray(0, det.count));
  det.boxes = boxes;
  det.scores = scores;
}
