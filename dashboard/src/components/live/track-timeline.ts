/**
 * The last few seconds of a camera's tracked boxes, ordered by frame time, so the boxes drawn over a
 * live video picture are the ones seen in that very frame: `at(t)` gives the newest update not later
 * than the picture's time (boxes of a later frame would run ahead of the picture).
 */
import type { LiveTrack } from '../../lib/live.ts';

export interface TimedTracks {
  /** Frame time (ms), the clock of the video pictures. */
  at: number;
  width: number;
  height: number;
  tracks: readonly LiveTrack[];
}

/** How far back updates are kept, and how many at most. */
const KEEP_MS = 6000;
const MAX_ITEMS = 90;

/** `items` plus `next`, in time order, without what is older than `KEEP_MS` before the newest. */
export function addTimed(items: readonly TimedTracks[], next: TimedTracks): TimedTracks[] {
  const out = items.filter((i) => i.at !== next.at);
  let pos = out.length;
  while (pos > 0 && out[pos - 1]!.at > next.at) pos--;
  out.splice(pos, 0, next);
  const newest = out[out.length - 1]!.at;
  let first = 0;
  while (first < out.length - 1 && (newest - out[first]!.at > KEEP_MS || out.length - first > MAX_ITEMS))
    first++;
  return first > 0 ? out.slice(first) : out;
}

/** The newest update not later than `time`, or undefined when all are later (or none is kept). */
export function tracksAt(items: readonly TimedTracks[], time: number): TimedTracks | undefined {
  for (let i = items.length - 1; i >= 0; i--) if (items[i]!.at <= time) return items[i];
  return undefined;
}
