import { asc, eq, inArray } from 'drizzle-orm';
import type { Db } from '../database.ts';
import { guard, NotFoundError, ValidationError } from '../errors.ts';
import { stores } from '../schema.ts';
import { defined, idOrNew, requireName } from './common.ts';

export type Store = typeof stores.$inferSelect;
export interface NewStore {
  id?: string;
  name: string;
  /** IANA zone such as `Europe/Berlin`; default `UTC`. */
  timezone?: string;
}
export type StorePatch = Partial<Pick<NewStore, 'name' | 'timezone'>>;

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
    const [row] = await guard(() =>
      this.db
        .update(stores)
        .set({ ...set, updatedAt: new Date() })
        .where(eq(stores.id, id))
        .returning(),
    );
    if (!row) throw new NotFoundError('store', id);
    return row;
  }

  /** Deletes the store and everything in it (devices, cameras, areas, history). */
  async delete(id: string): Promise<void> {
    const rows = await this.db.delete(stores).where(eq(stores.id, id)).returning({ id: stores.id });
    if (rows.length === 0) throw new NotFoundError('store', id);
  }
}
