/**
 * One transaction per group of a device's batches: the events (idempotent on device + seq), the dead
 * letters (events for a camera that is not the box's own, camera-check.ts), the visits of each new
 * `visit_closed`, and the hourly / daily summaries with the peak occupancy. Only events stored now
 * count, so a redelivery never counts twice; events count in the hour of their own `at`.
 *
 * The gap-free point and the occupancy move on copies inside the transaction; `commit` makes them the
 * device's once the database has committed. Every seq the point covers is either in
 * `tracking_events` or in `dead_letters`.
 */
import type { EventBatch, SequencedEvent, TrackingEvent } from '@oskartrack/protocol';
import { type DeviceOccupancy, storedOccupancy } from '../aggregate/occupancy.ts';
import { SummaryAccumulator } from '../aggregate/summarize.ts';
import { recordVisits } from '../aggregate/visits.ts';
import type { Db } from '../db/database.ts';
import { NotFoundError } from '../db/errors.ts';
import { inTransaction, type Repositories } from '../db/repositories/index.ts';
import type { AckTracker } from './ack-tracker.ts';
import { deadLettersOf, splitByCamera } from './camera-check.ts';
import type { DeviceInfo } from './device-info.ts';

/** A group's batches merged: the highest floor, every seq once (ascending), split by camera. */
export interface MergedGroup {
  floor: number;
  seqs: number[];
  keep: SequencedEvent[];
  strays: SequencedEvent[];
}

export interface GroupState {
  deviceId: string;
  info: DeviceInfo;
  /** A copy of the device's gap-free point, moved here. */
  ack: AckTracker;
  /** Whether `ack` is the device's point since the hub started (else it is found in the database). */
  ackKnown: boolean;
  occupancy: DeviceOccupancy;
}

export interface StoredGroup {
  stored: SequencedEvent[];
  duplicates: number;
  visits: number;
  deadLettered: number;
  /** After the commit: the occupancy moves (the ack point is `GroupState.ack`). */
  commit: () => void;
}

export function mergeGroup(info: DeviceInfo, batches: readonly EventBatch[]): MergedGroup {
  const bySeq = new Map<number, TrackingEvent>();
  let floor = 1;
  for (const batch of batches) {
    floor = Math.max(floor, batch.floor);
    for (const e of batch.events) bySeq.set(e.seq, e.event);
  }
  const seqs = [...bySeq.keys()].sort((a, b) => a - b);
  const events = seqs.map((seq) => ({ seq, event: bySeq.get(seq)! }));
  return { floor, seqs, ...splitByCamera(info.owners, events) };
}

/** Stores a merged group in one transaction; `fresh` says the device info was just loaded. */
export async function storeGroup(
  db: Db,
  s: GroupState,
  group: MergedGroup,
  fresh: boolean,
): Promise<StoredGroup> {
  // A stray may be a camera added since the info was cached: look again before dead-lettering.
  if (group.strays.length > 0 && !fresh) throw new NotFoundError('camera', 'of a batch event');
  return inTransaction(db, async (tx) => {
    const { stored, duplicates } = await insertEvents(tx, s.deviceId, group.keep);
    const deadLettered = await keepStrays(tx, s, group.strays);
    const visits = await recordVisits(tx, s.deviceId, s.info.ctx.storeId, stored);
    const base = await advanceAck(tx, s, group);
    const acc = new SummaryAccumulator(s.info.ctx);
    for (const { event } of stored) acc.addEvent(event);
    const commit = s.occupancy.advance(base, stored, s.ack.upTo, acc);
    await tx.summaries.increment(acc.deltas());
    return { stored, duplicates, visits, deadLettered, commit };
  });
}

async function insertEvents(
  tx: Repositories,
  deviceId: string,
  keep: SequencedEvent[],
): Promise<{ stored: SequencedEvent[]; duplicates: number }> {
  const result = await tx.events.insertEventsDetailed(deviceId, keep);
  const inserted = new Set(result.insertedSeqs);
  return { stored: keep.filter((e) => inserted.has(e.seq)), duplicates: result.duplicates };
}

async function keepStrays(tx: Repositories, s: GroupState, strays: SequencedEvent[]): Promise<number> {
  if (strays.length === 0) return 0;
  const letters = await deadLettersOf(s.info.owners, strays, (id) => tx.cameras.find(id));
  return tx.deadLetters.add(s.deviceId, letters);
}

/**
 * Moves the gap-free point this commit will reach: to at least `floor - 1`, then over every seq of the
 * group. After a hub start, from the run of seqs the database already holds, and who is inside comes
 * from the events already stored. Returns the occupancy to apply the new events on.
 */
async function advanceAck(tx: Repositories, s: GroupState, group: MergedGroup) {
  s.ack.raiseTo(group.floor - 1);
  let base = s.occupancy.tracker;
  if (!s.ackKnown || !base) {
    s.ack.raiseTo(await tx.events.storedRunEnd(s.deviceId, s.ack.upTo + 1));
    const at = group.keep[0]?.event.at ?? Date.now();
    base = await storedOccupancy(tx, s.deviceId, s.ack.upTo, at, s.info.ctx);
  }
  s.ack.addSeqs(group.seqs);
  return base;
}
