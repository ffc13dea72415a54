// The typed values that travel between the engine's stages (see docs/architecture.md).
import type { Mat } from './cv.ts';

/** One decoded picture from a source. */
export interface Frame {
  cameraId: string;
  /** 0-based position in the stream; for a file, the decoded frame number. */
  index: number;
  /** Capture time in ms since the epoch (file: start time + index / fps). */
  at: number;
  width: number;
  height: number;
  /** BGR, 8-bit, 3 channels. Owned by the source: valid until the next frame is read. */
  mat: Mat;
}

/**
 * People found in one frame. Boxes are `x1, y1, x2, y2` in frame pixels, four numbers per detection,
 * packed in one typed array; `count` tells how many are in use (the arrays may be longer and reused).
 */
export interface Detections {
  count: number;
  boxes: Float32Array;
  scores: Float32Array;
}

/** Confirmed tracks after one tracker step; same packing as `Detections` plus one id per box. */
export interface Tracks {
  frameIndex: number;
  at: number;
  count: number;
  ids: Uint32Array;
  boxes: Float32Array;
  scores: Float32Array;
}

export function emptyDetections(capacity = 0): Detections {
  return { count: 0, boxes: new Float32Array(capacity * 4), scores: new Float32Array(capacity) };
}
