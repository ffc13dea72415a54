/**
 * When an uploaded recording began. Given: it must not lie in the future (its visits would count in
 * hours that have not happened). Left out: the recording is taken to end now, so it starts the
 * video's length ago, never later than now.
 */
import { badRequest } from '../api/errors.ts';

/** Clocks of the browser and the hub may differ a little. */
export const CLOCK_SLACK_MS = 60_000;

export function videoMs(frameCount: number | undefined, fps: number): number {
  return frameCount && fps > 0 ? Math.round((frameCount / fps) * 1000) : 0;
}

export function resolveStartTime(given: Date | undefined, durationMs: number, now = Date.now()): Date {
  if (!given) return new Date(Math.floor((now - durationMs) / 1000) * 1000);
  if (given.getTime() > now + CLOCK_SLACK_MS) {
    throw badRequest(
      `the start time ${given.toISOString()} is in the future: give the date and time the recording began, or leave it out to count it as ending now`,
    );
  }
  return given;
}
