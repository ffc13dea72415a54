/**
 * Read-only broker accounts for building systems (issue 14): each may only read the alerts of one store,
 * or of every store. The id is the MQTT user name and client id; only an argon2id hash of the password
 * is kept. Rows leave this module without the hash, except through `secretHash` for the login check.
 */
import { randomBytes } from 'node:crypto';
import { asc, eq, getTableColumns } from 'drizzle-orm';
import type { Db } from '../database.ts';
import { guard, NotFoundError, ValidationError } from '../errors.ts';
import { alertListeners } from '../schema.ts';
import { requireName } from './common.ts';

const { secretHash: _hidden, ...publicColumns } = getTableColumns(alertListeners);

/** Every listener's user name starts with this, so the broker knows which rules apply. */
export const LISTENER_PREFIX = 'listener-';

/** A listener account as the API may show it: never its password hash. */
export type AlertListener = Omit<typeof alertListeners.$inferSelect, 'secretHash'>;

export interface NewAlertListener {
  name: string;
  /** null: every store. */
  storeId: string | null;
  secretHash: string;
  createdBy?: string | null | undefined;
}

/** What the broker needs for a login: the hash to check, and the store it may read. */
export interface ListenerCredential {
  secretHash: string;
  storeId: string | null;
}

/** A new listener id: the prefix and 16 random characters (fits protocol's Id and MQTT client ids). */
export function newListenerId(): string {
  return `${LISTENER_PREFIX}${randomBytes(12).toString('base64url')}`;
}

export class AlertListenersRepository {
  constructor(private readonly db: Db) {}

  async create(input: NewAlertListener): Promise<AlertListener> {
    if (input.secretHash.length < 16) throw new ValidationError('a password hash looks too short');
    const row = {
      id: newListenerId(),
      name: requireName(input.name, 'a building-system account'),
      storeId: input.storeId,
      secretHash: input.secretHash,
      createdBy: input.createdBy ?? null,
    };
    const [created] = await guard(() => this.db.insert(alertListeners).values(row).returning(publicColumns));
    return created!;
  }

  /** Every account, oldest first (there are few: one per building system). */
  list(): Promise<AlertListener[]> {
    return this.db
      .select(publicColumns)
      .from(alertListeners)
      .orderBy(asc(alertListeners.createdAt), asc(alertListeners.id));
  }

  async get(id: string): Promise<AlertListener> {
    const [row] = await this.db.select(publicColumns).from(alertListeners).where(eq(alertListeners.id, id));
    if (!row) throw new NotFoundError('building-system account', id);
    return row;
  }

  /** The login check's data; undefined for an unknown (or deleted) account. */
  async credential(id: string): Promise<ListenerCredential | undefined> {
    const [row] = await this.db
      .select({ secretHash: alertListeners.secretHash, storeId: alertListeners.storeId })
      .from(alertListeners)
      .where(eq(alertListeners.id, id));
    return row;
  }

  async delete(id: string): Promise<void> {
    const rows = await this.db
      .delete(alertListeners)
      .where(eq(alertListeners.id, id))
      .returning({ id: alertListeners.id });
    if (rows.length === 0) throw new NotFoundError('building-system account', id);
  }
}
