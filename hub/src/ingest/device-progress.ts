/**
 * A device's ingest progress when several hub processes share the database (MQTT shared subscriptions
 * deal one device's batches to any of them). Each ingest transaction first locks the device's row in
 * `device_progress`, so one device's groups are stored one at a time whichever hub holds them, and the
 * row says how far the device is: the gap-free point, who is inside, and a version moved by every
 * transaction.
 *
 * Fast path (one hub, or a device that stays with one hub): the row's version is the one this hub
 * wrote last, and nothing is stored above the point that this hub has not seen: its copy in memory
 * (the point with the runs stored above it, who is inside, the occupancy events waiting above the gap)
 * is the truth, and the only cost is the lock and the write-back.
 *
 * Otherwise (another hub moved the device, or this hub just started): the point and who is inside
 * come from the row, the run stored above the point from the database, and the occupancy events
 * between the old and the new point are read back from the database and applied in seq order. So the
 * events another hub held in memory above a gap are not lost: they are stored, and whichever hub
 * closes the gap applies them. The copy in memory is trusted again once nothing is stored above the
 * point. A null occupancy (a device stored before the row existed) is rebuilt from recent events.
 */
import type { SequencedEvent } from '@oskartrack/protocol';
import { DeviceOccupancy, OCCUPANCY_KINDS, storedOccupancy } from '../aggregate/occupancy.ts';
import { type AggregateContext, OccupancyTracker, type SummaryAccumulator } from '../aggregate/summarize.ts';
import type { Repositories } from '../db/repositories/index.ts';
import { AckTracker } from './ack-tracker.ts';

/** This hub's copy of a device's progress, as of the row version it wrote. */
export interface DeviceState {
  version: number;
  /** Nothing is stored above `ack.upTo` that this copy does not hold. */
  whole: boolean;
  ack: AckTracker;
  occupancy: DeviceOccupancy;
}

export interface ProgressInput {
  deviceId: string;
  ctx: AggregateContext;
  /** This hub's copy, if any. */
  mem: DeviceState | undefined;
  maxPending: number;
  /** When the group's first event happened (where to rebuild who is inside from). */
  at: number;
}

/** The group's seqs and its highest floor. */
export interface GroupSeqs {
  floor: number;
  seqs: readonly number[];
}

/** Locks the device's row and picks the copy to move: this hub's when still current, else the row's. */
export async function openProgress(tx: Repositories, input: ProgressInput): Promise<ProgressDraft> {
  const row = await tx.deviceProgress.lock(input.deviceId);
  const { mem } = input;
  if (mem?.whole && mem.version === row.version && mem.occupancy.tracker)
    return new ProgressDraft(input, row.version, mem.ack.upTo, mem.occupancy.tracker, mem);
  let old = row.ackedUpTo;
  let base = OccupancyTracker.fromState(await tx.deviceProgress.occupancy(input.deviceId));
  if (!base) {
    // Events stored before the row existed: their peaks are in the summaries already.
    old = (await tx.deviceProgress.storedAbove(input.deviceId, old + 1)).runEnd;
    base =
      old === 0
        ? new OccupancyTracker()
        : await storedOccupancy(tx, input.deviceId, old, input.at, input.ctx);
  }
  return new ProgressDraft(input, row.version, old, base, undefined);
}

/** A device's progress moved inside one transaction; `finish` writes it and returns the new copy. */
export class ProgressDraft {
  private readonly ack: AckTracker;

  constructor(
    private readonly input: ProgressInput,
    private readonly version: number,
    private readonly old: number,
    private readonly base: OccupancyTracker,
    /** This hub's copy when it is current (the fast path). */
    private readonly current: DeviceState | undefined,
  ) {
    this.ack = current ? current.ack.clone() : new AckTracker(old);
  }

  /** The gap-free point when the transaction began: every seq up to it is stored (or was, before retention). */
  get point(): number {
    return this.old;
  }

  /**
   * Moves the point over the group (after its events are inserted), applies the occupancy in seq order
   * with the peaks going to `acc`, and writes the row. The returned function, called after the commit,
   * gives the device's new copy.
   */
  async finish(
    tx: Repositories,
    group: GroupSeqs,
    stored: readonly SequencedEvent[],
    acc: SummaryAccumulator,
  ): Promise<() => DeviceState> {
    this.ack.raiseTo(group.floor - 1);
    this.ack.addSeqs(group.seqs);
    const moved = this.current ? this.fast(stored, acc) : await this.slow(tx, acc);
    const version = this.version + 1;
    await tx.deviceProgress.save(this.input.deviceId, {
      ackedUpTo: this.ack.upTo,
      version,
      occupancy: moved.next.toState(),
    });
    return () => {
      const occupancy = moved.commit();
      return { version, whole: moved.whole, ack: this.ack, occupancy };
    };
  }

  private fast(stored: readonly SequencedEvent[], acc: SummaryAccumulator) {
    const occupancy = this.current!.occupancy;
    const { next, commit } = occupancy.step(this.base, stored, this.ack.upTo, acc);
    return {
      next,
      whole: true,
      commit: () => {
        commit();
        return occupancy;
      },
    };
  }

  /** From the database: the run stored above the point, then the occupancy events it passes. */
  private async slow(tx: Repositories, acc: SummaryAccumulator) {
    const { deviceId } = this.input;
    const above = await tx.deviceProgress.storedAbove(deviceId, this.ack.upTo + 1);
    this.ack.raiseTo(above.runEnd);
    const next = this.base.clone();
    const passed = await tx.deviceProgress.eventsBetween(deviceId, this.old, this.ack.upTo, [
      ...OCCUPANCY_KINDS,
    ]);
    for (const { event } of passed) next.apply(event, acc);
    return {
      next,
      whole: above.top <= this.ack.upTo,
      commit: () => {
        const occupancy = new DeviceOccupancy(this.input.maxPending);
        occupancy.tracker = next;
        return occupancy;
      },
    };
  }
}
