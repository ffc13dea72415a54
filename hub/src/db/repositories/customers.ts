import { and, desc, eq, gte, ilike, lt, type SQL, sql } from 'drizzle-orm';
import type { Db } from '../database.ts';
import { guard, NotFoundError, ValidationError } from '../errors.ts';
import { customers, GENDER_ESTIMATES, type GenderEstimate } from '../schema.ts';
import { isUuid, pageLimit, requireDate, requireRange } from './common.ts';
import { HubSettingsRepository } from './settings.ts';
import { type SightingRow, upsertSightingsStatement } from './visit-inserts.ts';

export type Customer = typeof customers.$inferSelect;
export interface Sighting {
  storeId: string;
  /** Who this is to the tracker or re-identification: unique per store. */
  trackingId: string;
  at: Date;
  /** Count a new visit (true when a visit closed), or only note the sighting. */
  newVisit?: boolean;
}
export interface Demographics {
  ageEstimate?: number | null;
  genderEstimate?: GenderEstimate | null;
  faceEncoding?: number[] | null;
}

const MAX_FACE_ENCODING = 2048;

function checkDemographics(d: Demographics): void {
  if (d.ageEstimate !== undefined && d.ageEstimate !== null) {
    if (!Number.isInteger(d.ageEstimate) || d.ageEstimate < 0 || d.ageEstimate > 130) {
      throw new ValidationError('age estimate must be a whole number from 0 to 130');
    }
  }
  if (
    d.genderEstimate !== undefined &&
    d.genderEstimate !== null &&
    !GENDER_ESTIMATES.includes(d.genderEstimate)
  ) {
    throw new ValidationError(`gender estimate must be one of ${GENDER_ESTIMATES.join(', ')}`);
  }
  if (d.faceEncoding !== undefined && d.faceEncoding !== null) {
    const enc = d.faceEncoding;
    if (!Array.isArray(enc) || enc.length === 0 || enc.length > MAX_FACE_ENCODING) {
      throw new ValidationError(`a face encoding is a list of 1 to ${MAX_FACE_ENCODING} numbers`);
    }
    if (!enc.every((v) => typeof v === 'number' && Number.isFinite(v))) {
      throw new ValidationError('a face encoding holds finite numbers only');
    }
  }
}

/** Anonymous visitor profiles. */
export class CustomersRepository {
  constructor(private readonly db: Db) {}

  /**
   * Creates the profile on first sight, otherwise widens its first/last seen and, for a new visit,
   * adds one to its visit count. One statement; safe under concurrent sightings.
   */
  async recordSighting(s: Sighting): Promise<Customer> {
    requireDate(s.at, 'at');
    if (typeof s.trackingId !== 'string' || s.trackingId.length === 0 || s.trackingId.length > 200) {
      throw new ValidationError('a tracking id is 1 to 200 characters');
    }
    const visits = s.newVisit ? 1 : 0;
    const [row] = await guard(() =>
      this.db
        .insert(customers)
        .values({
          storeId: s.storeId,
          trackingId: s.trackingId,
          firstSeenAt: s.at,
          lastSeenAt: s.at,
          visitCount: visits,
        })
        .onConflictDoUpdate({
          target: [customers.storeId, customers.trackingId],
          set: {
            firstSeenAt: sql`LEAST(${customers.firstSeenAt}, excluded.first_seen_at)`,
            lastSeenAt: sql`GREATEST(${customers.lastSeenAt}, excluded.last_seen_at)`,
            visitCount: sql`${customers.visitCount} + excluded.visit_count`,
            updatedAt: new Date(),
          },
        })
        .returning(),
    );
    return row!;
  }

  /**
   * `recordSighting` for many at once: one upsert statement (ingest, one per transaction). Sightings of
   * the same visitor are merged first. Returns the profiles' ids by tracking id.
   */
  async recordSightings(sightings: readonly Sighting[]): Promise<Map<string, string>> {
    const merged = new Map<
      string,
      { storeId: string; trackingId: string; first: Date; last: Date; visits: number }
    >();
    for (const s of sightings) {
      requireDate(s.at, 'at');
      if (typeof s.trackingId !== 'string' || s.trackingId.length === 0 || s.trackingId.length > 200) {
        throw new ValidationError('a tracking id is 1 to 200 characters');
      }
      const key = JSON.stringify([s.storeId, s.trackingId]);
      const m = merged.get(key);
      if (!m) {
        merged.set(key, {
          storeId: s.storeId,
          trackingId: s.trackingId,
          first: s.at,
          last: s.at,
          visits: s.newVisit ? 1 : 0,
        });
      } else {
        if (s.at < m.first) m.first = s.at;
        if (s.at > m.last) m.last = s.at;
        m.visits += s.newVisit ? 1 : 0;
      }
    }
    if (merged.size === 0) return new Map();
    const rows = await guard(() =>
      upsertSightingsStatement(this.db).execute({
        rows: JSON.stringify(
          [...merged.values()].map(
            (m): SightingRow => ({
              store_id: m.storeId,
              tracking_id: m.trackingId,
              first_seen_at: m.first.toISOString(),
              last_seen_at: m.last.toISOString(),
              visit_count: m.visits,
            }),
          ),
        ),
      }),
    );
    return new Map(rows.map((r) => [r.trackingId, r.id]));
  }

  async find(id: string): Promise<Customer | undefined> {
    if (!isUuid(id)) return undefined;
    const [row] = await this.db.select().from(customers).where(eq(customers.id, id));
    return row;
  }

  async get(id: string): Promise<Customer> {
    const row = await this.find(id);
    if (!row) throw new NotFoundError('customer', id);
    return row;
  }

  async findByTrackingId(storeId: string, trackingId: string): Promise<Customer | undefined> {
    const [row] = await this.db
      .select()
      .from(customers)
      .where(and(eq(customers.storeId, storeId), eq(customers.trackingId, trackingId)));
    return row;
  }

  /** A store's visitors last seen in [from, to), most recent first. */
  async list(q: {
    storeId: string;
    from?: Date;
    to?: Date;
    limit?: number;
    offset?: number;
    /** Part of the tracking id (case-insensitive). */
    search?: string;
  }): Promise<Customer[]> {
    const where: SQL[] = [eq(customers.storeId, q.storeId)];
    if (q.search) {
      const pattern = `%${q.search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      where.push(ilike(customers.trackingId, pattern));
    }
    if (q.from && q.to) requireRange(q.from, q.to);
    if (q.from) where.push(gte(customers.lastSeenAt, requireDate(q.from, 'from')));
    if (q.to) where.push(lt(customers.lastSeenAt, requireDate(q.to, 'to')));
    return this.db
      .select()
      .from(customers)
      .where(and(...where))
      .orderBy(desc(customers.lastSeenAt), desc(customers.id))
      .limit(pageLimit(q.limit))
      .offset(q.offset ?? 0);
  }

  /**
   * Stores age, gender and face estimates. Refused (ValidationError) unless an administrator turned on
   * the demographics setting; null erases a value.
   */
  async setDemographics(id: string, d: Demographics): Promise<Customer> {
    checkDemographics(d);
    return this.db.transaction(async (tx) => {
      if (!(await new HubSettingsRepository(tx).demographicsEnabled())) {
        throw new ValidationError(
          'age, gender and face data are turned off; an administrator can turn them on',
        );
      }
      const set = Object.fromEntries(Object.entries(d).filter(([, v]) => v !== undefined)) as Demographics;
      if (!isUuid(id)) throw new NotFoundError('customer', id);
      const [row] = await tx
        .update(customers)
        .set({ ...set, updatedAt: new Date() })
        .where(eq(customers.id, id))
        .returning();
      if (!row) throw new NotFoundError('customer', id);
      return row;
    });
  }

  async delete(id: string): Promise<void> {
    if (!isUuid(id)) throw new NotFoundError('customer', id);
    const rows = await this.db.delete(customers).where(eq(customers.id, id)).returning({ id: customers.id });
    if (rows.length === 0) throw new NotFoundError('customer', id);
  }
}
