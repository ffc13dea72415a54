import type { OpeningHours } from '@oskartrack/protocol';
import { asc, eq, inArray, sql } from 'drizzle-orm';
import type { StoreHours } from '../../analytics/opening-hours.ts';
import type { Db } from '../database.ts';
import { guard, NotFoundError, ValidationError } from '../errors.ts';
import { cameras, DEFAULT_RAW_RETENTION_DAYS, stores } from '../schema.ts';
import { defined, idOrNew, requireName } from './common.ts';
import { requireOpeningHours } from './opening-hours-rules.ts';

export type Store = typeof stores.$inferSelect;
export interface NewStore {
  id?: string;
  name: string;
  /** IANA zone such as `Europe/Berlin`; default `UTC`. */
  timezone?: string;
  /** Weekly hours and closed dates; null or absent: open around the clock. */
  openingHours?: OpeningHours | null;
  /** Days the detailed data is kept; null: forever; absent: `DEFAULT_RAW_RETENTION_DAYS`. */
  rawRetentionDays?: number | null;
}
export type StorePatch = Partial<Pick<NewStore, 'name' | 'timezone' | 'openingHours' | 'rawRetentionDays'>>;

/** The most days a store may keep detailed data (a hundred years; null keeps it forever). */
export const MAX_RAW_RETENTION_DAYS = 36_500;

function requireRetention(days: number | null): number | null {
  if (days === null) return null;
  if (!Number.isInteger(days) || days < 1 || days > MAX_RAW_RETENTION_DAYS) {
    throw new ValidationError(
      `keep detailed data for 1 to ${MAX_RAW_RETENTION_DAYS} days, or leave it empty to keep it forever`,
    );
  }
  return days;
}

const checkedHours = (h: OpeningHours | null | undefined): OpeningHours | null | undefined =>
  h === undefined || h === null ? h : requireOpeningHours(h);

function requireTimezone(timezone: string): string {
  try {
    new Intl.DateTimeFormat('en', { timeZone: timezone });
  } catch {
    throw new ValidationError(
      `unknown time zone ${JSON.stringify(timezone)}: use a name like Europe/London or America/New_York (region/city)`,
    );
  }
  return timezone;
}

export class StoresRepository {
  constructor(private readonly db: Db) {}

  async create(input: NewStore): Promise<Store> {
    const row = {
      id: idOrNew(input.id, 'store', 'store'),
      name: requireName(input.name, 'a store'),
      timezone: requireTimezone(input.timezone ?? 'UTC'),
      openingHours: checkedHours(input.openingHours) ?? null,
      rawRetentionDays:
        input.rawRetentionDays === undefined
          ? DEFAULT_RAW_RETENTION_DAYS
          : requireRetention(input.rawRetentionDays),
    };
    const [created] = await guard(() => this.db.insert(stores).values(row).returning());
    return created!;
  }

  async find(id: string): Promise<Store | undefined> {
    const [row] = await this.db.select().from(stores).where(eq(stores.id, id));
    return row;
  }

  async get(id: string): Promise<Store> {
    const row = await this.find(id);
    if (!row) throw new NotFoundError('store', id);
    return row;
  }

  /** All stores by name, or only those in `ids` (a manager's scope). */
  async list(options: { ids?: readonly string[] } = {}): Promise<Store[]> {
    if (options.ids && options.ids.length === 0) return [];
    const query = this.db.select().from(stores);
    const filtered = options.ids ? query.where(inArray(stores.id, [...options.ids])) : query;
    return filtered.orderBy(asc(stores.name), asc(stores.id));
  }

  async update(id: string, patch: StorePatch): Promise<Store> {
    const set = defined({
      name: patch.name === undefined ? undefined : requireName(patch.name, 'a store'),
      timezone: patch.timezone === undefined ? undefined : requireTimezone(patch.timezone),
    });
    const retention =
      patch.rawRetentionDays === undefined
        ? {}
        : { rawRetentionDays: requireRetention(patch.rawRetentionDays) };
    const hours = checkedHours(patch.openingHours);
    const [row] = await guard(() =>
      this.db
        .update(stores)
        .set({
          ...set,
          ...retention,
          ...(hours === undefined ? {} : { openingHours: hours }),
          updatedAt: new Date(),
        })
        .where(eq(stores.id, id))
        .returning(),
    );
    if (!row) throw new NotFoundError('store', id);
    return row;
  }

  /** The time zone and opening hours of these stores (unknown ids left out): what analytics filter by. */
  async hoursOf(ids: readonly string[]): Promise<Map<string, StoreHours>> {
    if (ids.length === 0) return new Map();
    const rows = await this.db
      .select({ id: stores.id, timezone: stores.timezone, openingHours: stores.openingHours })
      .from(stores)
      .where(inArray(stores.id, [...ids]));
    return new Map(rows.map((r) => [r.id, { timezone: r.timezone, openingHours: r.openingHours ?? null }]));
  }

  /** The same for the store a camera belongs to (undefined: no such camera). */
  async hoursOfCamera(cameraId: string): Promise<{ storeId: string; hours: StoreHours } | undefined> {
    const [row] = await this.db
      .select({ id: stores.id, timezone: stores.timezone, openingHours: stores.openingHours })
      .from(cameras)
      .innerJoin(stores, eq(stores.id, cameras.storeId))
      .where(eq(cameras.id, cameraId));
    if (!row) return undefined;
    return { storeId: row.id, hours: { timezone: row.timezone, openingHours: row.openingHours ?? null } };
  }

  /** Each store's detailed-data retention in days (null: kept forever), for the retention job. */
  async retentions(): Promise<{ id: string; rawRetentionDays: number | null }[]> {
    return this.db
      .select({ id: stores.id, rawRetentionDays: stores.rawRetentionDays })
      .from(stores)
      .orderBy(asc(stores.id));
  }

  /**
   * Records that detail before `before` may be removed now (never moves back); `storeId` undefined:
   * every store (whole months dropped).
   */
  async markRawRemovedBefore(before: Date, storeId?: string): Promise<void> {
    await this.db.execute(
      sql`UPDATE ${stores} SET raw_removed_before = greatest(coalesce(raw_removed_before, '-infinity'), ${before.toISOString()}::timestamptz)
          ${storeId === undefined ? sql`` : sql`WHERE id = ${storeId}`}`,
    );
  }

  /** Deletes the store and everything in it (devices, cameras, areas, history). */
  async delete(id: string): Promise<void> {
    const rows = await this.db.delete(stores).where(eq(stores.id, id)).returning({ id: stores.id });
    if (rows.length === 0) throw new NotFoundError('store', id);
  }
}
