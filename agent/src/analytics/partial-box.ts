// Partial boxes: a detector sometimes finds only the head and shoulders of a person it found whole a
// moment before (legs hidden behind someone, or a large close-up person it half sees). The bottom of
// such a box is the person's waist, not their feet, so the foot point jumps up by half a body and lands
// in whatever area lies above the person in the picture: on the made PETS09 scenes with large people a
// thin band above a walkway got short stays of people who never stood in it (docs/benchmarks.md,
// "Thin bands and lines, 2026-12-03"). A box this much shorter than the same person's tallest box of the
// last moment is taken as partial (perspective changes a walking person's height far more slowly), and
// its feet are put where that tall box says they are.

/** How a partial box is told from a whole one. */
export interface PartialBoxOptions {
  /**
   * A box shorter than this share of the same track's tallest box within `seconds` is partial.
   * 0 turns the test off. Default 0.6.
   */
  share: number;
  /** How far back the tallest box is looked for, in seconds. Default 1. */
  seconds: number;
}

export const DEFAULT_PARTIAL_BOX_OPTIONS: PartialBoxOptions = Object.freeze({ share: 0.6, seconds: 1 });

/** Throws on options that make no sense. */
export function checkPartialBoxOptions(o: PartialBoxOptions): void {
  if (!(o.share >= 0 && o.share < 1))
    throw new RangeError(`partial box share must be from 0 to below 1, got ${o.share}`);
  if (!(o.seconds > 0 && o.seconds <= 60))
    throw new RangeError(`partial box window must be above 0 and at most 60 s, got ${o.seconds}`);
}

/** The tallest box of a track within the window: its height and where its top was. */
export interface TallBox {
  height: number;
  top: number;
}

/**
 * One track's recent boxes, as a queue of (time, height, top) whose heights fall from front to back
 * (a taller box makes the shorter ones before it irrelevant), so the tallest is at the front. Memory is
 * bounded by the number of observations within the window.
 */
export class RecentHeights {
  readonly #at: number[] = [];
  readonly #h: number[] = [];
  readonly #top: number[] = [];
  readonly #windowMs: number;

  constructor(seconds: number) {
    this.#windowMs = seconds * 1000;
  }

  /** The tallest box seen within the window before `at` (height 0 when none). */
  tallest(at: number): TallBox {
    while (this.#at.length > 0 && this.#at[0]! < at - this.#windowMs) {
      this.#at.shift();
      this.#h.shift();
      this.#top.shift();
    }
    return { height: this.#h[0] ?? 0, top: this.#top[0] ?? 0 };
  }

  /** Adds the box seen at `at` (times must not go backwards). */
  add(at: number, height: number, top: number): void {
    while (this.#h.length > 0 && this.#h[this.#h.length - 1]! <= height) {
      this.#at.pop();
      this.#h.pop();
      this.#top.pop();
    }
    this.#at.push(at);
    this.#h.push(height);
    this.#top.push(top);
  }
}

/**
 * The foot point's y for a box from `top` to `bottom` at `at`, against the track's recent boxes (the box
 * is recorded either way, so a person who stays half hidden longer than the window is taken as seen).
 * A whole box: its bottom. A partial one whose top is where the tall box's top was (the head and
 * shoulders found, the legs not): its top plus the tall box's height. A partial one whose bottom is
 * nearer the tall box's bottom (the feet seen, the head hidden): its bottom.
 */
export function footYOf(
  recent: RecentHeights,
  at: number,
  top: number,
  bottom: number,
  share: number,
): number {
  const tall = recent.tallest(at);
  const height = bottom - top;
  recent.add(at, height, top);
  if (!(share > 0 && tall.height > 0 && height < share * tall.height)) return bottom;
  const topMoved = Math.abs(top - tall.top);
  const bottomMoved = Math.abs(bottom - (tall.top + tall.height));
  return topMoved < bottomMoved ? top + tall.height : bottom;
}
