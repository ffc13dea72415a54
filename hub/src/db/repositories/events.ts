import {
  check,
  EVENT_KINDS,
  type EventKind,
  SequencedEvent,
  type SequencedEvent as SequencedEventType,
  type TrackingEvent,
} from '@oskartrack/protocol';
import { and, asc, count, eq, gt, gte, inArray, isNull, lt, max, or, type SQL, sql } from 'drizzle-orm';
import { type Db, queryRows } from '../database.ts';
import { guard, ValidationError } from '../errors.ts';
import { trackingEvents } from '../schema.ts';
import { decodeCursor, encodeCursor, type Page, pageLimit, requireRange } from './common.ts';
import { lockParents } from './event-parents.ts';
import { MovementSummariesRepository } from './movement-summaries.ts';

export type StoredEvent = typeof trackingEvents.$inferSelect;
export interface EventQuery {
  storeId?: string;
  cameraId?: string;
  zoneId?: string;
  deviceId?: string;
  kinds?: readonly EventKind[];
  /** Events that happened (`at`) in [from, to). */
  from: Date;
  to: Date;
  limit?: number;
  cursor?: string;
  /** Also the events of uploaded recordings (default: live cameras only). */
  includeRecordings?: boolean;
  /** Only the events of this uploaded recording. */
  uploadId?: string;
}
export interface InsertResult {
  /** Events stored now. */
  inserted: number;
  /** Events already stored before (a redelivery), or twice in this batch; they were left alone. */
  duplicates: number;
}

/**
 * Rows per INSERT statement; bigger batches are split, in one transaction. The server's CPU per event
 * was lowest at 500 (2,000-row parameters cost it about a fifth more: large allocations fault in fresh
 * pages on every statement).
 */
export const INSERT_CHUNK = 500;

function zoneOf(e: TrackingEvent): string | null {
  return e.kind === 'zone_entered' || e.kind === 'zone_left' ? e.zoneId : null;
}

function lineOf(e: TrackingEvent): string | null {
  return e.kind === 'line_crossed' ? e.lineId : null;
}

interface EventRow {
  seq: number;
  kind: EventKind;
  at: string;
  store_id: string;
  camera_id: string;
  track_id: number;
  zone_id: string | null;
  line_id: string | null;
  payload: TrackingEvent;
}

function eventRows(events: readonly SequencedEventType[], storeOf: Map<string, string>): EventRow[] {
  return events.map(({ seq, event }) => ({
    seq,
    kind: event.kind,
    at: new Date(event.at).toISOString(),
    store_id: storeOf.get(event.cameraId)!,
    camera_id: event.cameraId,
    track_id: event.trackId,
    zone_id: zoneOf(event),
    line_id: lineOf(event),
    payload: event,
  }));
}

export class EventsRepository {
  constructor(private readonly db: Db) {}

  /**
   * Stores a device's events exactly once per (device, seq): one INSERT ... ON CONFLICT DO NOTHING for
   * the whole batch (one per INSERT_CHUNK rows), in one transaction with the lock on the device, its
   * store and the cameras named (event-parents.ts). Every event must be valid and name a camera
   * of the device's store; otherwise nothing is stored and a ValidationError / NotFoundError (event-parents.ts) says why.
   */
  async insertEvents(deviceId: string, events: readonly SequencedEventType[]): Promise<InsertResult> {
    const { inserted, duplicates } = await this.insertEventsDetailed(deviceId, events);
    return { inserted, duplicates };
  }

  /**
   * `insertEvents`, also saying which seqs were stored now (ascending): ingest counts only those in
   * the summaries, so a redelivered event never counts twice.
   */
  async insertEventsDetailed(
    deviceId: string,
    events: readonly SequencedEventType[],
    options: { uploadId?: string } = {},
  ): Promise<InsertResult & { insertedSeqs: number[] }> {
    events.forEach((e, i) => {
      const r = check(SequencedEvent, e);
      if (!r.ok) throw new ValidationError(`event ${i + 1} of the batch is invalid: ${r.error}`);
    });
    const uploadId = options.uploadId ?? null;
    const entered = events
      .filter((e) => e.event.kind === 'zone_entered')
      .map((e) => ({ seq: e.seq, at: e.event.at }));
    const insertedSeqs = await guard(() =>
      // In a transaction (a savepoint inside the caller's) so the parents stay locked until the commit.
      this.db.transaction(async (tx) => {
        const storeOf = await lockParents(tx, deviceId, events, uploadId);
        const rows = eventRows(events, storeOf);
        const seqs: number[] = [];
        for (let i = 0; i < rows.length; i += INSERT_CHUNK) {
          seqs.push(...(await this.insertChunk(tx, deviceId, rows.slice(i, i + INSERT_CHUNK), uploadId)));
        }
        // Only events stored now add to the daily flows, so a redelivery never counts twice.
        const stored = new Set(seqs);
        await new MovementSummariesRepository(tx).addFlowsOfEvents(
          deviceId,
          entered.filter((e) => stored.has(e.seq)),
        );
        return seqs;
      }),
    );
    insertedSeqs.sort((a, b) => a - b);
    return { inserted: insertedSeqs.length, duplicates: events.length - insertedSeqs.length, insertedSeqs };
  }

  /**
   * One statement for the whole chunk: the rows travel as a single JSON parameter that PostgreSQL
   * unpacks itself (building a 500-row VALUES list in drizzle costs more than the insert). As `json`,
   * not `jsonb`: the text is read once row by row instead of first built whole as jsonb, which took the
   * server about a third more CPU per event. The conflict
   * key carries `at` because the table is partitioned by it; a resent event has the same `at`.
   */
  private async insertChunk(
    db: Db,
    deviceId: string,
    rows: readonly EventRow[],
    uploadId: string | null,
  ): Promise<number[]> {
    const t = trackingEvents;
    const columns = [
      t.deviceId,
      t.seq,
      t.kind,
      t.at,
      t.storeId,
      t.cameraId,
      t.trackId,
      t.zoneId,
      t.lineId,
      t.payload,
      t.uploadId,
    ];
    const names = sql.join(
      columns.map((c) => sql.identifier(c.name)),
      sql`, `,
    );
    const stored = await queryRows<{ seq: unknown }>(
      db,
      sql`INSERT INTO ${t} (${names})
        SELECT ${deviceId}, r.seq, r.kind, r.at, r.store_id, r.camera_id, r.track_id, r.zone_id, r.line_id, r.payload::jsonb,
          ${uploadId}::uuid
        FROM json_to_recordset(${JSON.stringify(rows)}::json) AS r(seq bigint, kind text, at timestamptz,
          store_id text, camera_id text, track_id bigint, zone_id text, line_id text, payload json)
        ON CONFLICT (${sql.identifier(t.deviceId.name)}, ${sql.identifier(t.seq.name)}, ${sql.identifier(t.at.name)})
          DO NOTHING
        RETURNING ${sql.identifier(t.seq.name)}`,
    );
    return stored.map((r) => Number(r.seq));
  }

  /** Events in [from, to), oldest first, filtered by store, camera, area, device and kind; a page at a time. */
  async list(q: EventQuery): Promise<Page<StoredEvent>> {
    requireRange(q.from, q.to);
    const limit = pageLimit(q.limit);
    const where = this.filters(q);
    if (q.cursor) {
      const c = decodeCursor(q.cursor);
      where.push(
        or(gt(trackingEvents.at, c.at), and(eq(trackingEvents.at, c.at), gt(trackingEvents.id, c.id))),
      );
    }
    const rows = await this.db
      .select()
      .from(trackingEvents)
      .where(and(...where))
      .orderBy(asc(trackingEvents.at), asc(trackingEvents.id))
      .limit(limit + 1);
    const items = rows.slice(0, limit);
    const last = items[items.length - 1];
    return { items, nextCursor: rows.length > limit && last ? encodeCursor(last.at, last.id) : null };
  }

  /** How many events match, per kind. */
  async countByKind(q: Omit<EventQuery, 'limit' | 'cursor'>): Promise<Partial<Record<EventKind, number>>> {
    requireRange(q.from, q.to);
    const rows = await this.db
      .select({ kind: trackingEvents.kind, n: count() })
      .from(trackingEvents)
      .where(and(...this.filters(q)))
      .groupBy(trackingEvents.kind);
    return Object.fromEntries(rows.map((r) => [r.kind, Number(r.n)]));
  }

  /** The highest seq stored for a device; 0 when none. */
  async lastSeq(deviceId: string): Promise<number> {
    const [row] = await this.db
      .select({ seq: max(trackingEvents.seq) })
      .from(trackingEvents)
      .where(eq(trackingEvents.deviceId, deviceId));
    return Number(row?.seq ?? 0);
  }

  /**
   * The end of the run of stored seqs that starts at `fromSeq`: the highest `s` such that every seq in
   * [fromSeq, s] is stored; `fromSeq - 1` when `fromSeq` itself is not. Ingest uses it once per device
   * after a hub start to recover the gap-free point it acknowledges.
   */
  async storedRunEnd(deviceId: string, fromSeq: number): Promise<number> {
    if (!Number.isSafeInteger(fromSeq) || fromSeq < 1) throw new ValidationError('fromSeq must be >= 1');
    const [row] = await queryRows<{ end: unknown }>(
      this.db,
      sql`SELECT max(seq) AS end FROM (
          SELECT ${trackingEvents.seq} AS seq,
            ${trackingEvents.seq} - row_number() OVER (ORDER BY ${trackingEvents.seq}) AS grp
          FROM ${trackingEvents}
          WHERE ${trackingEvents.deviceId} = ${deviceId} AND ${trackingEvents.seq} >= ${fromSeq}
        ) AS run WHERE run.grp = ${fromSeq - 1}`,
    );
    return row?.end === null || row?.end === undefined ? fromSeq - 1 : Number(row.end);
  }

  /**
   * Deletes up to `limit` of a store's raw events that happened before `before` (retention, for the
   * months not dropped whole); returns how many. Call again until it returns less than `limit`.
   */
  async deleteStoreBefore(storeId: string, before: Date, limit: number): Promise<number> {
    requireRange(new Date(0), before);
    const rows = await queryRows<{ id: unknown }>(
      this.db,
      sql`DELETE FROM ${trackingEvents} WHERE (id, at) IN (
            SELECT id, at FROM ${trackingEvents}
            WHERE store_id = ${storeId} AND at < ${before.toISOString()}::timestamptz LIMIT ${limit})
          RETURNING id`,
    );
    return rows.length;
  }

  private filters(q: Omit<EventQuery, 'limit' | 'cursor'>): (SQL | undefined)[] {
    const where: (SQL | undefined)[] = [gte(trackingEvents.at, q.from), lt(trackingEvents.at, q.to)];
    if (q.storeId) where.push(eq(trackingEvents.storeId, q.storeId));
    if (q.cameraId) where.push(eq(trackingEvents.cameraId, q.cameraId));
    if (q.zoneId) where.push(eq(trackingEvents.zoneId, q.zoneId));
    if (q.deviceId) where.push(eq(trackingEvents.deviceId, q.deviceId));
    if (q.uploadId) where.push(eq(trackingEvents.uploadId, q.uploadId));
    else if (!q.includeRecordings) where.push(isNull(trackingEvents.uploadId));
    if (q.kinds) {
      const bad = q.kinds.find((k) => !EVENT_KINDS.includes(k));
      if (bad) throw new ValidationError(`unknown event kind ${JSON.stringify(bad)}`);
      where.push(inArray(trackingEvents.kind, [...q.kinds]));
    }
    return where;
  }
}
