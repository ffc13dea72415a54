// Turning durations into frame counts: every "for so long" rule of the tracker and the analytics is
// set in seconds, so it means the same at 5 frames/s as at 30; it becomes a frame count only here,
// with the source's real frame rate.

/** Frame rate assumed when the source does not say (the engine's fallback for a camera that won't tell). */
export const FALLBACK_FPS = 10;

/** Whole frames covering `seconds` at `fps` frames/s, at least `min` (default 1). */
export function framesFor(seconds: number, fps: number, min = 1): number {
  if (!(seconds >= 0 && Number.isFinite(seconds)))
    throw new RangeError(`a duration must be 0 s or more, got ${seconds}`);
  if (!(fps > 0 && Number.isFinite(fps)))
    throw new RangeError(`a frame rate must be a positive number, got ${fps}`);
  // The small epsilon keeps 3/7 s x 7 frames/s at 3 despite floating point (2.9999999999999996).
  return Math.max(min, Math.round(seconds * fps + 1e-9));
}
