import type { SequencedEvent, TrackingEvent } from '@oskartrack/protocol';
import { and, between, eq, gt, inArray, lte, or, sql } from 'drizzle-orm';
import { type Db, queryRows } from '../database.ts';
import { deviceProgress, trackingEvents } from '../schema.ts';

/** A device's row in `device_progress`, as ingest reads it under lock. */
export interface ProgressRow {
  ackedUpTo: number;
  version: number;
}

/** The seqs a device has stored from some point on: the gap-free run's end, and the highest of all. */
export interface StoredAbove {
  /** Every seq from the point asked up to here is stored (the point minus one when it is not). */
  runEnd: number;
  /** The highest seq stored (0 when none). */
  top: number;
}

/**
 * Each device's ingest progress, shared by every hub process on the database: the gap-free point the
 * hubs acknowledge, who is inside (for the peak occupancy) and a version that moves with each
 * transaction. Ingest locks the row first in each of its transactions, so one device's batches are
 * stored one transaction at a time whichever hub got them.
 */
export class DeviceProgressRepository {
  constructor(private readonly db: Db) {}

  /** Locks the device's row until the transaction ends, creating it when missing. */
  async lock(deviceId: string): Promise<ProgressRow> {
    const found = await this.select(deviceId);
    if (found) return found;
    await this.db.insert(deviceProgress).values({ deviceId }).onConflictDoNothing();
    const row = await this.select(deviceId);
    if (!row) throw new Error(`device_progress row of ${deviceId} vanished while locked`);
    return row;
  }

  /** The stored occupancy (null: none yet, rebuild it from the events). */
  async occupancy(deviceId: string): Promise<unknown> {
    const [row] = await this.db
      .select({ occupancy: deviceProgress.occupancy })
      .from(deviceProgress)
      .where(eq(deviceProgress.deviceId, deviceId));
    return row?.occupancy ?? null;
  }

  /** Writes the new point and occupancy under the next version (the row must be locked). */
  async save(deviceId: string, next: ProgressRow & { occupancy: unknown }): Promise<void> {
    await this.db
      .update(deviceProgress)
      .set({
        ackedUpTo: sql`${sql.placeholder('point')}`,
        version: sql`${sql.placeholder('version')}`,
        occupancy: sql`${sql.placeholder('occupancy')}::jsonb`,
        updatedAt: sql`now()`,
      })
      .where(eq(deviceProgress.deviceId, sql.placeholder('id')))
      .prepare('device_progress_save')
      .execute({
        id: deviceId,
        point: next.ackedUpTo,
        version: next.version,
        occupancy:
          next.occupancy === null || next.occupancy === undefined ? null : JSON.stringify(next.occupancy),
      });
  }

  /**
   * The run of seqs stored from `fromSeq` on (events and dead letters both count as stored), and the
   * highest event seq stored.
   */
  async storedAbove(deviceId: string, fromSeq: number): Promise<StoredAbove> {
    const [row] = await queryRows<{ run_end: unknown; top: unknown }>(
      this.db,
      sql`SELECT max(seq) FILTER (WHERE grp = ${fromSeq - 1}) AS run_end, max(seq) AS top FROM (
          SELECT seq, seq - row_number() OVER (ORDER BY seq) AS grp FROM (
            SELECT seq FROM tracking_events WHERE device_id = ${deviceId} AND seq >= ${fromSeq}
            UNION SELECT seq FROM dead_letters WHERE device_id = ${deviceId} AND seq >= ${fromSeq}
          ) AS s
        ) AS run`,
    );
    const runEnd = row?.run_end === null || row?.run_end === undefined ? fromSeq - 1 : Number(row.run_end);
    const top = row?.top === null || row?.top === undefined ? 0 : Number(row.top);
    return { runEnd, top };
  }

  /** The device's stored events of `kinds` with seqs in (afterSeq, upToSeq], in seq order. */
  async eventsBetween(
    deviceId: string,
    afterSeq: number,
    upToSeq: number,
    kinds: readonly TrackingEvent['kind'][],
  ): Promise<{ seq: number; event: TrackingEvent }[]> {
    if (upToSeq <= afterSeq) return [];
    const rows = await this.db
      .select({ seq: trackingEvents.seq, event: trackingEvents.payload })
      .from(trackingEvents)
      .where(
        and(
          eq(trackingEvents.deviceId, deviceId),
          gt(trackingEvents.seq, afterSeq),
          lte(trackingEvents.seq, upToSeq),
          inArray(trackingEvents.kind, [...kinds]),
        ),
      )
      .orderBy(trackingEvents.seq);
    return rows;
  }

  /** The device's stored events whose seqs lie in the [first, last] ranges, in seq order. */
  async eventsIn(deviceId: string, ranges: readonly [number, number][]): Promise<SequencedEvent[]> {
    if (ranges.length === 0) return [];
    const rows = await this.db
      .select({ seq: trackingEvents.seq, event: trackingEvents.payload })
      .from(trackingEvents)
      .where(
        and(
          eq(trackingEvents.deviceId, deviceId),
          or(...ranges.map(([a, b]) => between(trackingEvents.seq, a, b))),
        ),
      )
      .orderBy(trackingEvents.seq);
    return rows;
  }

  /** Prepared under a name, like `save`: planned once per connection, not in every transaction. */
  private async select(deviceId: string): Promise<ProgressRow | undefined> {
    const [row] = await this.db
      .select({ ackedUpTo: deviceProgress.ackedUpTo, version: deviceProgress.version })
      .from(deviceProgress)
      .where(eq(deviceProgress.deviceId, sql.placeholder('id')))
      .for('update')
      .prepare('device_progress_lock')
      .execute({ id: deviceId });
    return row;
  }
}
