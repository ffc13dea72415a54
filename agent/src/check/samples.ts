// What one run saw, gathered frame by frame into preallocated typed arrays: people per frame, and the
// heights and shapes of their boxes.
import type { PersonHeight } from '@oskartrack/protocol';
import type { Tracks } from '../types.ts';

/**
 * Boxes whose top or bottom lies this close to the picture's edge are cut by it: their height says
 * nothing about the person's, so they are left out of the heights (still counted as people).
 */
const EDGE_PX = 2;
/** A person box at least this many times as tall as wide is an upright person seen from the side. */
export const UPRIGHT_RATIO = 1.5;

/** The value at quantile `q` (0..1) of ascending `sorted`, interpolated between neighbours. */
export function quantile(sorted: Float32Array, q: number): number {
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  const at = Math.min(n - 1, Math.max(0, q * (n - 1)));
  const lo = Math.floor(at);
  const hi = Math.min(n - 1, lo + 1);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (at - lo);
}

export class RunSamples {
  frames = 0;
  framesWithPeople = 0;
  people = 0;
  boxes = 0;
  upright = 0;
  /** People followed in each frame, in frame order. */
  private perFrame: Uint16Array;
  private heights: Float32Array;

  constructor(expectedFrames: number) {
    this.perFrame = new Uint16Array(Math.max(16, expectedFrames));
    this.heights = new Float32Array(Math.max(64, expectedFrames * 4));
  }

  /** Adds one frame's confirmed tracks; `frameHeight` tells boxes cut by the frame's edge. */
  add(tracks: Tracks, frameHeight: number): void {
    if (this.frames === this.perFrame.length) this.perFrame = grow16(this.perFrame);
    this.perFrame[this.frames++] = Math.min(tracks.count, 0xffff);
    if (tracks.count === 0) return;
    this.framesWithPeople++;
    this.people += tracks.count;
    const b = tracks.boxes;
    for (let i = 0; i < tracks.count; i++) {
      const top = b[i * 4 + 1]!;
      const bottom = b[i * 4 + 3]!;
      const h = bottom - top;
      const w = b[i * 4 + 2]! - b[i * 4]!;
      if (h >= UPRIGHT_RATIO * w) this.upright++;
      if (top <= EDGE_PX || bottom >= frameHeight - EDGE_PX || h <= 0) continue;
      if (this.boxes === this.heights.length) this.heights = grow32(this.heights);
      this.heights[this.boxes++] = h;
    }
  }

  /** People followed per frame over the first `frames` frames (all by default). */
  peoplePerFrame(frames = this.frames): number {
    const n = Math.min(frames, this.frames);
    if (n === 0) return 0;
    let sum = 0;
    for (let i = 0; i < n; i++) sum += this.perFrame[i]!;
    return sum / n;
  }

  peopleShare(): number {
    return this.frames === 0 ? 0 : this.framesWithPeople / this.frames;
  }

  /** Share of person boxes (cut ones too) that stand upright; null without any box. */
  uprightShare(): number | null {
    return this.people === 0 ? null : this.upright / this.people;
  }

  personHeight(): PersonHeight | null {
    if (this.boxes === 0) return null;
    const sorted = this.heights.slice(0, this.boxes).sort();
    const round = (v: number) => Math.round(v * 10) / 10;
    return {
      median: round(quantile(sorted, 0.5)),
      p10: round(quantile(sorted, 0.1)),
      p90: round(quantile(sorted, 0.9)),
      boxes: this.boxes,
    };
  }
}

function grow16(a: Uint16Array): Uint16Array {
  const b = new Uint16Array(a.length * 2);
  b.set(a);
  return b;
}

function grow32(a: Float32Array): Float32Array {
  const b = new Float32Array(a.length * 2);
  b.set(a);
  return b;
}
