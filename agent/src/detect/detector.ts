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
  /**
   * `at`: the frame's time in ms (Frame.at), so detectors that learn from the people seen (the sizes
   * searched, ./size-calibration.ts) count seconds of video; default the time now.
   */
  detect(frame: Mat, at?: number): Promise<Detections>;
  /**
   * Optional speed cap, set by the engine when the CPU cannot keep up with the camera even at the
   * largest every-Nth: do about `fraction` (0 < fraction <= 1) of the full work per frame from the
   * next call on (YOLOX: a smaller input, about `fraction` of its pixels; HOG: fewer or coarser
   * scales). 1 lifts the cap. Detectors without it always do their full work.
   */
  setWorkLimit?(fraction: number): void;
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

/**
 * The per-call state of a detector whose calls may overlap (`Detector.lanes`): calls take the lanes in
 * turn, so the result of a call stays untouched until the call `lanes` later.
 */
export class Lanes<T> {
  private readonly busy: Uint8Array;
  private next = 0;

  constructor(
    private readonly items: readonly T[],
    private readonly what: string,
  ) {
    this.busy = new Uint8Array(items.length);
  }

  get count(): number {
    return this.items.length;
  }

  /** Runs `fn` on the next lane; throws when that lane is still busy (more overlapping calls than lanes). */
  async run<R>(fn: (lane: T) => Promise<R>): Promise<R> {
    const i = this.next;
    if (this.busy[i])
      throw new Error(`More than ${this.items.length} overlapping ${this.what} detect() calls`);
    this.next = (i + 1) % this.items.length;
    this.busy[i] = 1;
    try {
      return await fn(this.items[i]!);
    } finally {
      this.busy[i] = 0;
    }
  }

  [Symbol.iterator](): Iterator<T> {
    return this.items[Symbol.iterator]();
  }
}

/** Validates a lane count option: a whole number from 1 to 8 (default 1). */
export function laneCount(value: number | undefined, what: string): number {
  const n = value ?? 1;
  if (!(Number.isInteger(n) && n >= 1 && n <= 8)) throw new Error(`${what} lanes must be 1..8, got ${value}`);
  return n;
}
