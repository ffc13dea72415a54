import { type EventOf, MAX_PATH_POINTS, MAX_ZONES_PER_VISIT, type PathPoint } from '@oskartrack/protocol';
import { and, asc, eq, gt, gte, inArray, isNull, lt, or, type SQL, sql } from 'drizzle-orm';
import { type Db, queryRows } from '../database.ts';
import { guard, NotFoundError, ValidationError } from '../errors.ts';
import { cameras, visits, zones, zoneVisits } from '../schema.ts';
import {
  decodeCursor,
  encodeCursor,
  isUuid,
  type Page,
  pageLimit,
  requireCount,
  requireDate,
  requireRange,
} from './common.ts';
import { MovementSummariesRepository } from './movement-summaries.ts';
import {
  insertVisitsStatement,
  insertZoneVisitsStatement,
  type VisitRow,
  type ZoneVisitRow,
} from './visit-inserts.ts';
import { frameOfCamera } from './zones.ts';

export type Visit = typeof visits.$inferSelect;
export type ZoneVisit = typeof zoneVisits.$inferSelect;
export interface VisitWithZones extends Visit {
  zones: ZoneVisit[];
}
export interface NewVisit {
  cameraId: string;
  customerId?: string | null;
  /** The `visit_closed` event it comes from: with it, creating the same visit twice is a no-op. */
  source?: { deviceId: string; seq: number };
  trackId: number;
  startedAt: Date;
  endedAt: Date;
  path?: PathPoint[];
  zones?: { zoneId: string; dwellMs: number; entries?: number }[];
}
export interface VisitQuery {
  storeId?: string;
  cameraId?: string;
  customerId?: string;
  /** Visits that started in [from, to). */
  from: Date;
  to: Date;
  limit?: number;
  cursor?: string;
  /** Also the visits of uploaded recordings (default: live cameras only). */
  includeRecordings?: boolean;
}
export interface ZoneDwell {
  zoneId: string;
  visits: number;
  totalDwellMs: number;
  avgDwellMs: number;
}

type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];

/** Checks a new visit's times, track id, path and areas before anything is written. */
function validateNewVisit(input: NewVisit): void {
  requireDate(input.startedAt, 'startedAt');
  requireDate(input.endedAt, 'endedAt');
  if (input.endedAt < input.startedAt) throw new ValidationError('a visit cannot end before it starts');
  if (!Number.isSafeInteger(input.trackId) || input.trackId < 1) throw new ValidationError('bad track id');
  if ((input.path ?? []).length > MAX_PATH_POINTS)
    throw new ValidationError(`a path has at most ${MAX_PATH_POINTS} points`);
  const zoneTimes = input.zones ?? [];
  if (zoneTimes.length > MAX_ZONES_PER_VISIT) {
    throw new ValidationError(`a visit has at most ${MAX_ZONES_PER_VISIT} areas`);
  }
  for (const z of zoneTimes) {
    requireCount(z.dwellMs, 'time spent in an area', Number.MAX_SAFE_INTEGER);
    requireCount(z.entries ?? 1, 'entries into an area');
  }
  if (new Set(zoneTimes.map((z) => z.zoneId)).size !== zoneTimes.length) {
    throw new ValidationError('an area appears twice in one visit');
  }
  if (input.customerId && !isUuid(input.customerId)) throw new NotFoundError('customer', input.customerId);
}

/** A camera's picture size, when known (the heatmap needs it). */
export class VisitsRepository {
  constructor(private readonly db: Db) {}

  /**
   * Stores a visit and its time per area in one transaction. Returns `created: false` (and the stored
   * visit) when a visit from the same source event exists. Areas must belong to the visit's camera;
   * with `unknownZones: 'skip'` areas removed since are left out instead of failing.
   */
  async create(
    input: NewVisit,
    options: { unknownZones?: 'reject' | 'skip' } = {},
  ): Promise<{ visit: VisitWithZones; created: boolean }> {
    validateNewVisit(input);
    const path = input.path ?? [];
    const zoneTimes = input.zones ?? [];

    return guard(() =>
      this.db.transaction(async (tx) => {
        const [camera] = await tx
          .select({ storeId: cameras.storeId, width: cameras.frameWidth, height: cameras.frameHeight })
          .from(cameras)
          .where(eq(cameras.id, input.cameraId));
        if (!camera) throw new NotFoundError('camera', input.cameraId);

        const known = await this.knownZones(tx, input.cameraId, zoneTimes, options.unknownZones);

        const [inserted] = await tx
          .insert(visits)
          .values({
            storeId: camera.storeId,
            cameraId: input.cameraId,
            customerId: input.customerId ?? null,
            sourceDeviceId: input.source?.deviceId ?? null,
            sourceSeq: input.source?.seq ?? null,
            trackId: input.trackId,
            startedAt: input.startedAt,
            endedAt: input.endedAt,
            durationMs: input.endedAt.getTime() - input.startedAt.getTime(),
            path,
          })
          .onConflictDoNothing({ target: [visits.sourceDeviceId, visits.sourceSeq] })
          .returning();
        if (!inserted) return { visit: await this.bySource(tx, input.source!), created: false };
        const rows = zoneTimes
          .filter((z) => known.has(z.zoneId))
          .map((z) => ({
            visitId: inserted.id,
            zoneId: z.zoneId,
            storeId: camera.storeId,
            startedAt: input.startedAt,
            dwellMs: z.dwellMs,
            entries: z.entries ?? 1,
          }));
        const zoneRows = rows.length > 0 ? await tx.insert(zoneVisits).values(rows).returning() : [];
        await new MovementSummariesRepository(tx).addHeatmapOfVisits([
          { ...inserted, frame: frameOfCamera(camera), startedAt: input.startedAt, path },
        ]);
        return { visit: { ...inserted, zones: zoneRows }, created: true };
      }),
    );
  }

  /**
   * Ids among `zoneTimes` that are areas of the camera; throws for one that is not unless `unknown` is
   * `'skip'`.
   */
  private async knownZones(
    tx: Tx,
    cameraId: string,
    zoneTimes: NonNullable<NewVisit['zones']>,
    unknown: 'reject' | 'skip' | undefined,
  ): Promise<Set<string>> {
    if (zoneTimes.length === 0) return new Set<string>();
    const rows = await tx
      .select({ id: zones.id })
      .from(zones)
      .where(
        and(
          eq(zones.cameraId, cameraId),
          inArray(
            zones.id,
            zoneTimes.map((z) => z.zoneId),
          ),
        ),
      );
    const known = new Set(rows.map((r) => r.id));
    const missing = zoneTimes.find((z) => !known.has(z.zoneId));
    if (missing && unknown !== 'skip') throw new NotFoundError('area', missing.zoneId);
    return known;
  }

  /** The visit stored from the source event, with its areas. */
  private async bySource(tx: Tx, source: NonNullable<NewVisit['source']>): Promise<VisitWithZones> {
    const [existing] = await tx
      .select()
      .from(visits)
      .where(and(eq(visits.sourceDeviceId, source.deviceId), eq(visits.sourceSeq, source.seq)));
    const zoneRows = await tx.select().from(zoneVisits).where(eq(zoneVisits.visitId, existing!.id));
    return { ...existing!, zones: zoneRows };
  }

  /** Builds the visit from a `visit_closed` event; areas removed since the event are skipped. */
  async createFromEvent(
    deviceId: string,
    seq: number,
    event: EventOf<'visit_closed'>,
    customerId?: string | null,
  ): Promise<{ visit: VisitWithZones; created: boolean }> {
    return this.create(
      {
        cameraId: event.cameraId,
        customerId: customerId ?? null,
        source: { deviceId, seq },
        trackId: event.trackId,
        startedAt: new Date(event.startedAt),
        endedAt: new Date(event.startedAt + event.durationMs),
        path: event.path,
        zones: event.zones.map((z) => ({ zoneId: z.zoneId, dwellMs: z.dwellMs, entries: z.entries })),
      },
      { unknownZones: 'skip' },
    );
  }

  /**
   * `createFromEvent` for many `visit_closed` events of one device at once (ingest): four statements
   * in all, whatever their number (visit-inserts.ts). Visits already built from the same (device, seq) are left alone;
   * areas removed since are skipped. Every camera must exist. Returns how many visits were created.
   */
  async createManyFromEvents(
    deviceId: string,
    items: readonly { seq: number; event: EventOf<'visit_closed'>; customerId?: string | null }[],
    options: { uploadId?: string } = {},
  ): Promise<number> {
    const uploadId = options.uploadId ?? null;
    if (items.length === 0) return 0;
    const cameraIds = [...new Set(items.map((i) => i.event.cameraId))];
    const [cams, zoneRows] = await Promise.all([
      this.db
        .select({
          id: cameras.id,
          storeId: cameras.storeId,
          width: cameras.frameWidth,
          height: cameras.frameHeight,
        })
        .from(cameras)
        .where(inArray(cameras.id, cameraIds)),
      this.db
        .select({ id: zones.id, cameraId: zones.cameraId })
        .from(zones)
        .where(inArray(zones.cameraId, cameraIds)),
    ]);
    const storeOf = new Map(cams.map((c) => [c.id, c.storeId]));
    const frames = new Map(cams.map((c) => [c.id, frameOfCamera(c)]));
    const knownZones = new Set(zoneRows.map((z) => `${z.cameraId}|${z.id}`));
    const rows = items.map(({ seq, event, customerId }): VisitRow => {
      const storeId = storeOf.get(event.cameraId);
      if (!storeId) throw new NotFoundError('camera', event.cameraId);
      return {
        store_id: storeId,
        camera_id: event.cameraId,
        customer_id: customerId ?? null,
        source_device_id: deviceId,
        source_seq: seq,
        track_id: event.trackId,
        started_at: new Date(event.startedAt).toISOString(),
        ended_at: new Date(event.startedAt + event.durationMs).toISOString(),
        duration_ms: event.durationMs,
        path: event.path,
        upload_id: uploadId,
      };
    });
    return guard(async () => {
      const created = (await insertVisitsStatement(this.db).execute({ rows: JSON.stringify(rows) })).map(
        (r) => ({ id: Number(r.id), seq: Number(r.seq) }),
      );
      const bySeq = new Map(items.map((i) => [i.seq, i.event]));
      const zoneValues = created.flatMap(({ id, seq }) => {
        const event = bySeq.get(seq)!;
        const seen = new Set<string>();
        return event.zones
          .filter(
            (z) =>
              knownZones.has(`${event.cameraId}|${z.zoneId}`) && !seen.has(z.zoneId) && seen.add(z.zoneId),
          )
          .map(
            (z): ZoneVisitRow => ({
              visit_id: id,
              zone_id: z.zoneId,
              store_id: storeOf.get(event.cameraId)!,
              started_at: new Date(event.startedAt).toISOString(),
              dwell_ms: z.dwellMs,
              entries: z.entries,
              upload_id: uploadId,
            }),
          );
      });
      if (zoneValues.length > 0) {
        await insertZoneVisitsStatement(this.db).execute({ rows: JSON.stringify(zoneValues) });
      }
      // Only visits created now add to the heatmap, so a redelivery never counts twice.
      await new MovementSummariesRepository(this.db).addHeatmapOfVisits(
        created.map(({ seq }) => {
          const event = bySeq.get(seq)!;
          return {
            storeId: storeOf.get(event.cameraId)!,
            cameraId: event.cameraId,
            uploadId,
            startedAt: new Date(event.startedAt),
            path: event.path,
            frame: frames.get(event.cameraId),
          };
        }),
      );
      return created.length;
    });
  }

  async find(id: number): Promise<VisitWithZones | undefined> {
    if (!Number.isSafeInteger(id)) return undefined;
    const [row] = await this.db.select().from(visits).where(eq(visits.id, id));
    if (!row) return undefined;
    const zoneRows = await this.db
      .select()
      .from(zoneVisits)
      .where(eq(zoneVisits.visitId, id))
      .orderBy(asc(zoneVisits.zoneId));
    return { ...row, zones: zoneRows };
  }

  async get(id: number): Promise<VisitWithZones> {
    const row = await this.find(id);
    if (!row) throw new NotFoundError('visit', String(id));
    return row;
  }

  /** Visits that started in [from, to), oldest first, a page at a time. */
  async list(q: VisitQuery): Promise<Page<Visit>> {
    requireRange(q.from, q.to);
    const limit = pageLimit(q.limit);
    const where: (SQL | undefined)[] = [gte(visits.startedAt, q.from), lt(visits.startedAt, q.to)];
    if (q.storeId) where.push(eq(visits.storeId, q.storeId));
    if (q.cameraId) where.push(eq(visits.cameraId, q.cameraId));
    if (!q.includeRecordings) where.push(isNull(visits.uploadId));
    if (q.customerId) {
      if (!isUuid(q.customerId)) return { items: [], nextCursor: null };
      where.push(eq(visits.customerId, q.customerId));
    }
    if (q.cursor) {
      const c = decodeCursor(q.cursor);
      where.push(or(gt(visits.startedAt, c.at), and(eq(visits.startedAt, c.at), gt(visits.id, c.id))));
    }
    const rows = await this.db
      .select()
      .from(visits)
      .where(and(...where))
      .orderBy(asc(visits.startedAt), asc(visits.id))
      .limit(limit + 1);
    const items = rows.slice(0, limit);
    const last = items[items.length - 1];
    return { items, nextCursor: rows.length > limit && last ? encodeCursor(last.startedAt, last.id) : null };
  }

  /** Time per area for visits that started in [from, to), per store or per area. */
  async listZoneVisits(q: {
    storeId?: string;
    zoneId?: string;
    from: Date;
    to: Date;
    limit?: number;
  }): Promise<ZoneVisit[]> {
    requireRange(q.from, q.to);
    const where: SQL[] = [gte(zoneVisits.startedAt, q.from), lt(zoneVisits.startedAt, q.to)];
    if (q.storeId) where.push(eq(zoneVisits.storeId, q.storeId));
    if (q.zoneId) where.push(eq(zoneVisits.zoneId, q.zoneId));
    return this.db
      .select()
      .from(zoneVisits)
      .where(and(...where))
      .orderBy(asc(zoneVisits.startedAt), asc(zoneVisits.visitId), asc(zoneVisits.zoneId))
      .limit(pageLimit(q.limit));
  }

  /** Visits and time spent per area of a store, for visits that started in [from, to). */
  async dwellByZone(q: { storeId: string; from: Date; to: Date }): Promise<ZoneDwell[]> {
    requireRange(q.from, q.to);
    const rows = await this.db
      .select({
        zoneId: zoneVisits.zoneId,
        visits: sql<number>`count(*)::int`.mapWith(Number),
        totalDwellMs: sql<number>`coalesce(sum(${zoneVisits.dwellMs}), 0)::float8`.mapWith(Number),
      })
      .from(zoneVisits)
      .where(
        and(
          eq(zoneVisits.storeId, q.storeId),
          gte(zoneVisits.startedAt, q.from),
          lt(zoneVisits.startedAt, q.to),
        ),
      )
      .groupBy(zoneVisits.zoneId)
      .orderBy(asc(zoneVisits.zoneId));
    return rows.map((r) => ({
      ...r,
      avgDwellMs: r.visits ? Math.round(r.totalDwellMs / r.visits) : 0,
    }));
  }

  /**
   * Deletes up to `limit` of a store's visits that started before `before`, their time per area with
   * them (retention; the daily summaries and heatmap cells stay); returns how many.
   */
  async deleteStoreBefore(storeId: string, before: Date, limit: number): Promise<number> {
    requireDate(before, 'before');
    const rows = await queryRows<{ id: unknown }>(
      this.db,
      sql`DELETE FROM ${visits} WHERE id IN (
            SELECT id FROM ${visits} WHERE store_id = ${storeId} AND started_at < ${before.toISOString()}::timestamptz
            LIMIT ${limit})
          RETURNING id`,
    );
    return rows.length;
  }

  async delete(id: number): Promise<void> {
    const rows = Number.isSafeInteger(id)
      ? await this.db.delete(visits).where(eq(visits.id, id)).returning({ id: visits.id })
      : [];
    if (rows.length === 0) throw new NotFoundError('visit', String(id));
  }
}
