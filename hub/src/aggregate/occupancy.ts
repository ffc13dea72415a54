/**
 * Who is inside, for the peak occupancy: the event kinds that move it, the state rebuilt from a
 * device's stored events after a hub restart, and a device's occupancy applied in seq order.
 */
import type { SequencedEvent, TrackingEvent } from '@oskartrack/protocol';
import type { Repositories } from '../db/repositories/index.ts';
import {
  type AggregateContext,
  OCCUPANCY_STALE_MS,
  OccupancyTracker,
  SummaryAccumulator,
} from './summarize.ts';

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

/**
 * One device's occupancy, applied in seq order over the gap-free prefix only, so batches arriving out
 * of order (the agent's backlog and fresh lanes) do not scramble it; events above a gap wait in memory
 * (at most `maxPending`, past that they are applied as they come).
 *
 * The waiting events are this hub process's copy only: ingest trusts them while no other hub stored a
 * batch of the device since (the `device_progress` version is its own, ../ingest/device-progress.ts).
 * Otherwise they are dropped and the events above the point are read back from the database when the
 * point passes them: they are stored, so none is lost when another hub takes the device over.
 */
export class DeviceOccupancy {
  /** Who is inside after every event applied so far; undefined until loaded. */
  tracker: OccupancyTracker | undefined;
  /** New occupancy events above the gap-free point, by seq, waiting to be applied in order. */
  private readonly pending = new Map<number, TrackingEvent>();

  constructor(private readonly maxPending: number) {}

  /** `step` on `base`, returning only the commit. */
  advance(
    base: OccupancyTracker,
    stored: readonly SequencedEvent[],
    upTo: number,
    acc: SummaryAccumulator,
  ): () => void {
    return this.step(base, stored, upTo, acc).commit;
  }

  /**
   * Applies what may be applied of `stored` (and of the events waiting) on a copy of `base`, the peaks
   * going to `acc`. Nothing changes here until `commit` is called (after the database commit), so a
   * failed transaction leaves the state as it was. `next` is who is inside once committed.
   */
  step(
    base: OccupancyTracker,
    stored: readonly SequencedEvent[],
    upTo: number,
    acc: SummaryAccumulator,
  ): { next: OccupancyTracker; commit: () => void } {
    const candidates: [number, TrackingEvent][] = [...this.pending];
    for (const e of stored) if (OCCUPANCY_KINDS.has(e.event.kind)) candidates.push([e.seq, e.event]);
    candidates.sort((a, b) => a[0] - b[0]);
    const overflow = Math.max(0, candidates.length - this.maxPending);
    const next = base.clone();
    const applied: number[] = [];
    const waiting: [number, TrackingEvent][] = [];
    candidates.forEach(([seq, event], i) => {
      if (seq <= upTo || i < overflow) {
        next.apply(event, acc);
        applied.push(seq);
      } else if (!this.pending.has(seq)) waiting.push([seq, event]);
    });
    const commit = () => {
      this.tracker = next;
      for (const seq of applied) this.pending.delete(seq);
      for (const [seq, event] of waiting) this.pending.set(seq, event);
    };
    return { next, commit };
  }
}
