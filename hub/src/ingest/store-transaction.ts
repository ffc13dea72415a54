/**
 * One transaction per group of a device's batches: the device's progress row locked first
 * (device-progress.ts: one transaction at a time per device, over every hub process), the events
 * (idempotent on device + seq), the dead letters (events for a camera that is not the box's own,
 * camera-check.ts), the visits of each new `visit_closed`, the hourly / daily summaries with the peak
 * occupancy, and the progress written back. Only events stored now count, so a redelivery never counts
 * twice; events count in the hour of their own `at`.
 *
 * The gap-free point and the occupancy move on copies inside the transaction; `commit` makes them the
 * device's once the database has committed. Every seq the point covers is either in
 * `tracking_events` or in `dead_letters`, and the point written in `device_progress` is the one acked.
 */
import type { EventBatch, SequencedEvent, TrackingEvent } from '@oskartrack/protocol';
import { SummaryAccumulator } from '../aggregate/summarize.ts';
import { recordVisits } from '../aggregate/visits.ts';
import type { Db } from '../db/database.ts';
import { NotFoundError } from '../db/errors.ts';
import { createRepositories, type Repositories } from '../db/repositories/index.ts';
import { deadLettersOf, splitByCamera } from './camera-check.ts';
import type { DeviceInfo } from './device-info.ts';
import { type DeviceState, openProgress } from './device-progress.ts';

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
  /** This hub's copy of the device's progress (used when still current). */
  progress: DeviceState | undefined;
  /** Occupancy events held above a gap at most. */
  maxPending: number;
  announce: Announce | undefined;
}

/** Runs inside the storing transaction with the events stored now (tells the other hub processes). */
export type Announce = (tx: Db, deviceId: string, stored: readonly SequencedEvent[]) => Promise<void>;

export interface StoredGroup {
  stored: SequencedEvent[];
  duplicates: number;
  visits: number;
  deadLettered: number;
  /** After the commit: the device's new progress (its point is what the ack says). */
  commit: () => DeviceState;
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
  return db.transaction(async (txDb) => {
    const tx = createRepositories(txDb);
    const progress = await openProgress(tx, {
      deviceId: s.deviceId,
      ctx: s.info.ctx,
      mem: s.progress,
      maxPending: s.maxPending,
      at: group.keep[0]?.event.at ?? Date.now(),
    });
    const { keep, strays, removed } = await withoutRemoved(tx, s.info.ctx.storeId, group, progress.point);
    const inserted = await insertEvents(tx, s.deviceId, keep);
    const { stored } = inserted;
    const duplicates = inserted.duplicates + removed;
    const deadLettered = await keepStrays(tx, s, strays);
    const visits = await recordVisits(tx, s.deviceId, s.info.ctx.storeId, stored);
    const acc = new SummaryAccumulator(s.info.ctx);
    for (const { event } of stored) acc.addEvent(event);
    const commit = await progress.finish(tx, group, stored, acc);
    await tx.summaries.increment(acc.deltas());
    await s.announce?.(txDb, s.deviceId, stored);
    return { stored, duplicates, visits, deadLettered, commit };
  });
}

/**
 * Leaves out resent events that retention removed: at or below the point (stored before) and older than
 * the store's `raw_removed_before`. Stored again they would count twice. A late event below the point
 * that never was stored (the box's floor jumped past it) is still stored, unless retention would have
 * removed it anyway.
 */
async function withoutRemoved(
  tx: Repositories,
  storeId: string,
  group: MergedGroup,
  point: number,
): Promise<{ keep: SequencedEvent[]; strays: SequencedEvent[]; removed: number }> {
  const { keep, strays } = group;
  if (!keep.concat(strays).some((e) => e.seq <= point)) return { keep, strays, removed: 0 };
  const before = (await tx.stores.get(storeId)).rawRemovedBefore?.getTime();
  if (before === undefined) return { keep, strays, removed: 0 };
  const live = (e: SequencedEvent) => e.seq > point || e.event.at >= before;
  const kept = { keep: keep.filter(live), strays: strays.filter(live) };
  return { ...kept, removed: keep.length + strays.length - kept.keep.length - kept.strays.length };
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
