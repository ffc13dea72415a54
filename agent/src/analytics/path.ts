// A visitor's path, sampled: enough points to draw where they walked, never more than a fixed bound.
import { MAX_COORD, MAX_PATH_POINTS, type PathPoint } from '@oskartrack/protocol';

export interface PathOptions {
  /** Keep a point once the person moved this many px from the last kept one. */
  minDistance: number;
  /** Keep a point after this long even when the person stands still (ms). */
  maxIntervalMs: number;
  /** Upper bound on the points of one path (at most protocol MAX_PATH_POINTS). */
  maxPoints: number;
}

export const DEFAULT_PATH_OPTIONS: PathOptions = Object.freeze({
  minDistance: 10,
  maxIntervalMs: 5_000,
  maxPoints: MAX_PATH_POINTS,
});

export function checkPathOptions(o: PathOptions): void {
  if (!Number.isFinite(o.minDistance) || o.minDistance < 0) {
    throw new RangeError(`path minimum distance must be 0 or more pixels, got ${o.minDistance}`);
  }
  if (!Number.isFinite(o.maxIntervalMs) || o.maxIntervalMs <= 0) {
    throw new RangeError(`path interval must be more than 0 ms, got ${o.maxIntervalMs}`);
  }
  if (!Number.isInteger(o.maxPoints) || o.maxPoints < 2 || o.maxPoints > MAX_PATH_POINTS) {
    throw new RangeError(
      `path points must be a whole number from 2 to ${MAX_PATH_POINTS}, got ${o.maxPoints}`,
    );
  }
}

/**
 * Collects foot points in typed arrays that grow by doubling up to `maxPoints`. When full, every other
 * point is dropped (the first is always kept) and the spacing for this path doubles, so a long visit
 * keeps an even sampling of its whole length. The last sighting is always added when the path is taken.
 */
export class PathSampler {
  readonly #max: number;
  #minDistance: number;
  #maxInterval: number;
  #n = 0;
  #at: Float64Array;
  #xy: Float32Array;
  #lastAt = 0;
  #lastX = 0;
  #lastY = 0;
  #seen = false;

  constructor(options: PathOptions = DEFAULT_PATH_OPTIONS) {
    this.#max = options.maxPoints;
    this.#minDistance = options.minDistance;
    this.#maxInterval = options.maxIntervalMs;
    const capacity = Math.min(16, this.#max);
    this.#at = new Float64Array(capacity);
    this.#xy = new Float32Array(capacity * 2);
  }

  /** Points kept so far (the last sighting not included unless it was kept). */
  get length(): number {
    return this.#n;
  }

  add(at: number, x: number, y: number): void {
    this.#lastAt = at;
    this.#lastX = x;
    this.#lastY = y;
    this.#seen = true;
    const n = this.#n;
    if (n > 0) {
      const dx = x - this.#xy[2 * n - 2]!;
      const dy = y - this.#xy[2 * n - 1]!;
      const far = dx * dx + dy * dy >= this.#minDistance * this.#minDistance;
      if (!far && at - this.#at[n - 1]! < this.#maxInterval) return;
    }
    this.#push(at, x, y);
  }

  /** The sampled path, ending with the last sighting. */
  points(): PathPoint[] {
    if (this.#seen) {
      const n = this.#n;
      const last = n > 0 && this.#at[n - 1] === this.#lastAt;
      if (!last) this.#push(this.#lastAt, this.#lastX, this.#lastY);
    }
    const result: PathPoint[] = new Array(this.#n);
    for (let i = 0; i < this.#n; i++) {
      result[i] = { at: this.#at[i]!, point: [round1(this.#xy[2 * i]!), round1(this.#xy[2 * i + 1]!)] };
    }
    return result;
  }

  #push(at: number, x: number, y: number): void {
    if (this.#n === this.#max) this.#thin();
    const n = this.#n;
    if (n === this.#at.length) this.#grow();
    this.#at[n] = at;
    this.#xy[2 * n] = x;
    this.#xy[2 * n + 1] = y;
    this.#n = n + 1;
  }

  #grow(): void {
    const capacity = Math.min(this.#max, this.#at.length * 2);
    const at = new Float64Array(capacity);
    const xy = new Float32Array(capacity * 2);
    at.set(this.#at);
    xy.set(this.#xy);
    this.#at = at;
    this.#xy = xy;
  }

  /** Keeps points 0, 2, 4, ... and doubles the spacing for what comes next. */
  #thin(): void {
    let k = 0;
    for (let i = 0; i < this.#n; i += 2, k++) {
      this.#at[k] = this.#at[i]!;
      this.#xy[2 * k] = this.#xy[2 * i]!;
      this.#xy[2 * k + 1] = this.#xy[2 * i + 1]!;
    }
    this.#n = k;
    this.#minDistance *= 2;
    this.#maxInterval *= 2;
  }
}

/** Rounded to 0.1 px and kept within the protocol's coordinate range. */
function round1(v: number): number {
  return Math.min(MAX_COORD, Math.max(-MAX_COORD, Math.round(v * 10) / 10));
}
