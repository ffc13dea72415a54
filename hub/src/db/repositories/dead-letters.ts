import type { TrackingEvent } from '@oskartrack/protocol';
import { desc, eq, inArray, sql } from 'drizzle-orm';
import type { Db } from '../database.ts';
import { deadLetters, devices } from '../schema.ts';

/** Why an event was set aside instead of stored. */
export const DEAD_LETTER_REASONS = {
  unknown: 'unknown camera',
  otherStore: "camera of another store than the box's",
  otherDevice: 'camera of another box',
} as const;
export type DeadLetterReason = (typeof DEAD_LETTER_REASONS)[keyof typeof DEAD_LETTER_REASONS];

export interface NewDeadLetter {
  seq: number;
  event: TrackingEvent;
  reason: DeadLetterReason;
}

/** Dead letters of one device and camera, for the administrators' overview. */
export interface DeadLetterGroup {
  deviceId: string;
  deviceName: string;
  storeId: string;
  cameraId: string;
  count: number;
  lastReason: string;
  lastReceivedAt: Date;
}

export class DeadLettersRepository {
  constructor(private readonly db: Db) {}

  /** Keeps the events of a device; a seq already kept is skipped. Returns how many rows are new. */
  async add(deviceId: string, letters: readonly NewDeadLetter[]): Promise<number> {
    if (letters.length === 0) return 0;
    const rows = await this.db
      .insert(deadLetters)
      .values(
        letters.map((l) => ({
          deviceId,
          cameraId: l.event.cameraId,
          seq: l.seq,
          reason: l.reason,
          payload: l.event,
        })),
      )
      .onConflictDoNothing({ target: [deadLetters.deviceId, deadLetters.seq] })
      .returning({ id: deadLetters.id });
    return rows.length;
  }

  /** Counts per device and camera, newest first, with the latest reason; optionally of some stores. */
  async summary(options: { storeIds?: readonly string[] } = {}): Promise<DeadLetterGroup[]> {
    const lastReason = sql<string>`(array_agg(${deadLetters.reason} ORDER BY ${deadLetters.receivedAt} DESC))[1]`;
    const lastAt = sql<Date>`max(${deadLetters.receivedAt})`;
    const rows = await this.db
      .select({
        deviceId: deadLetters.deviceId,
        deviceName: devices.name,
        storeId: devices.storeId,
        cameraId: deadLetters.cameraId,
        count: sql<number>`count(*)::int`,
        lastReason,
        lastReceivedAt: lastAt,
      })
      .from(deadLetters)
      .innerJoin(devices, eq(devices.id, deadLetters.deviceId))
      .where(options.storeIds ? inArray(devices.storeId, [...options.storeIds]) : undefined)
      .groupBy(deadLetters.deviceId, devices.name, devices.storeId, deadLetters.cameraId)
      .orderBy(desc(lastAt));
    return rows.map((r) => ({ ...r, lastReceivedAt: new Date(r.lastReceivedAt) }));
  }

  /** Every dead letter of a device, in seq order (tests, support). */
  async listForDevice(deviceId: string): Promise<{ seq: number; cameraId: string; reason: string }[]> {
    return this.db
      .select({ seq: deadLetters.seq, cameraId: deadLetters.cameraId, reason: deadLetters.reason })
      .from(deadLetters)
      .where(eq(deadLetters.deviceId, deviceId))
      .orderBy(deadLetters.seq);
  }
}
