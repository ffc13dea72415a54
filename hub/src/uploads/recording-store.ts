/**
 * Stores an uploaded recording's events, kept apart from the live cameras': every event, visit and
 * summary row carries the job's `upload_id`, so the numbers leave them out unless asked
 * (`includeRecordings`) and deleting the job deletes them all. One transaction per batch, as the
 * ingest does for a box, with the same summary math (aggregate/), but without the ingest's queue,
 * acks and live feed: nothing here waits to be resent, and a recording is not live.
 *
 * Summary rows of a recording are its own (`upload_id` in their key), so deleting it needs no
 * recomputation of anybody else's numbers. Visits get no visitor profile: a recording's people are
 * not the store's visitors.
 */
import type { EventOf, SequencedEvent, TrackingEvent } from '@oskartrack/protocol';
import { type AggregateContext, OccupancyTracker, SummaryAccumulator } from '../aggregate/summarize.ts';
import type { Db } from '../db/database.ts';
import { inTransaction } from '../db/repositories/index.ts';

export class RecordingStore {
  /** Who is inside, replayed over the whole recording in order (one job, one worker, batches in order). */
  private occupancy = new OccupancyTracker();

  constructor(
    private readonly db: Db,
    private readonly ctx: AggregateContext,
    private readonly deviceId: string,
    private readonly uploadId: string,
  ) {}

  /** Stores `events` under seqs `first`, `first + 1`, ... in one transaction. */
  async store(first: number, events: readonly TrackingEvent[]): Promise<void> {
    const sequenced: SequencedEvent[] = events.map((event, i) => ({ seq: first + i, event }));
    const closed: { seq: number; event: EventOf<'visit_closed'> }[] = [];
    for (const s of sequenced)
      if (s.event.kind === 'visit_closed') closed.push({ seq: s.seq, event: s.event });
    const trial = this.occupancy.clone();
    const acc = new SummaryAccumulator(this.ctx);
    for (const e of events) {
      acc.addEvent(e);
      trial.apply(e, acc);
    }
    const uploadId = this.uploadId;
    await inTransaction(this.db, async (tx) => {
      await tx.events.insertEventsDetailed(this.deviceId, sequenced, { uploadId });
      await tx.visits.createManyFromEvents(this.deviceId, closed, { uploadId });
      await tx.summaries.increment(acc.deltas().map((d) => ({ ...d, uploadId })));
    });
    this.occupancy = trial;
  }
}
