/**
 * Who is inside, for the peak occupancy: the event kinds that move it, and the state rebuilt from a
 * device's stored events after a hub restart.
 */
import type { TrackingEvent } from '@oskartrack/protocol';
import {
  type AggregateContext,
  OCCUPANCY_STALE_MS,
  OccupancyTracker,
  SummaryAccumulator,
} from '../aggregate/summarize.ts';
import type { Repositories } from '../db/repositories/index.ts';

export const OCCUPANCY_KINDS: ReadonlySet<TrackingEvent['kind']> = new Set<TrackingEvent['kind']>([
  'track_started',
  'track_ended',
  'zone_entered',
  'zone_left',
]);

/**
 * Who was inside, per camera and area, after the device's stored events up to `upToSeq`: the events of
 * the `OCCUPANCY_STALE_MS` before `at` replayed in seq order. Without it, people inside when the hub
 * restarted would be missing from the peak occupancy of the hours after.
 */
export async function storedOccupancy(
  repos: Repositories,
  deviceId: string,
  upToSeq: number,
  at: number,
  ctx: AggregateContext,
): Promise<OccupancyTracker> {
  const events: { seq: number; event: TrackingEvent }[] = [];
  let cursor: string | undefined;
  do {
    const page = await repos.events.list({
      deviceId,
      kinds: [...OCCUPANCY_KINDS],
      from: new Date(at - OCCUPANCY_STALE_MS),
      to: new Date(at + OCCUPANCY_STALE_MS),
      limit: 1000,
      ...(cursor ? { cursor } : {}),
    });
    for (const e of page.items) if (e.seq <= upToSeq) events.push({ seq: e.seq, event: e.payload });
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  events.sort((a, b) => a.seq - b.seq);
  const tracker = new OccupancyTracker();
  // The peaks of these old events are already in the summaries: they go to a throwaway accumulator.
  const scratch = new SummaryAccumulator(ctx);
  for (const { event } of events) tracker.apply(event, scratch);
  return tracker;
}
