import { and, asc, count, eq, getTableColumns, notInArray, sql } from 'drizzle-orm';
import type { Db } from '../database.ts';
import { ConflictError, guard, NotFoundError, ValidationError } from '../errors.ts';
import { USER_ROLES, type UserRole, userStores, users } from '../schema.ts';
import { defined, isUuid, requireDate } from './common.ts';

const { passwordHash: _hidden, ...publicColumns } = getTableColumns(users);

/** A user without the password hash (use `findForLogin` to check a password). */
export type User = Omit<typeof users.$inferSelect, 'passwordHash'>;
export type UserWithHash = typeof users.$inferSelect;
export interface NewUser {
  name: string;
  passwordHash: string;
  role: UserRole;
  disabled?: boolean;
  /** Stores a manager or viewer may see. */
  storeIds?: readonly string[];
}
export type UserPatch = Partial<Omit<NewUser, 'storeIds'>>;

const USER_NAME = /^[\p{L}\p{N}_.@+-]{1,64}$/u;

function requireUserName(name: unknown): string {
  if (typeof name !== 'string' || !USER_NAME.test(name)) {
    throw new ValidationError('a user name is 1-64 letters, digits or _ . @ + - (no spaces)');
  }
  return name;
}

function requireRole(role: unknown): UserRole {
  if (!USER_ROLES.includes(role as UserRole))
    throw new ValidationError(`role must be one of ${USER_ROLES.join(', ')}`);
  return role as UserRole;
}

function requireHash(hash: unknown): string {
  if (typeof hash !== 'string' || hash.length < 16) {
    throw new ValidationError('a password hash is needed (hash the password before storing it)');
  }
  return hash;
}

export class UsersRepository {
  constructor(private readonly db: Db) {}

  async create(input: NewUser): Promise<User> {
    const row = {
      name: requireUserName(input.name),
      passwordHash: requireHash(input.passwordHash),
      role: requireRole(input.role),
      disabled: input.disabled ?? false,
    };
    return guard(() =>
      this.db.transaction(async (tx) => {
        const [created] = await tx.insert(users).values(row).returning(publicColumns);
        if (input.storeIds && input.storeIds.length > 0) {
          await tx
            .insert(userStores)
            .values(input.storeIds.map((storeId) => ({ userId: created!.id, storeId })));
        }
        return created!;
      }),
    );
  }

  async find(id: string): Promise<User | undefined> {
    if (!isUuid(id)) return undefined;
    const [row] = await this.db.select(publicColumns).from(users).where(eq(users.id, id));
    return row;
  }

  async get(id: string): Promise<User> {
    const row = await this.find(id);
    if (!row) throw new NotFoundError('user', id);
    return row;
  }

  async findByName(name: string): Promise<User | undefined> {
    const [row] = await this.db.select(publicColumns).from(users).where(eq(users.name, name));
    return row;
  }

  /** The user with the password hash, for a login; undefined when unknown. */
  async findForLogin(name: string): Promise<UserWithHash | undefined> {
    const [row] = await this.db.select().from(users).where(eq(users.name, name));
    return row;
  }

  async list(): Promise<User[]> {
    return this.db.select(publicColumns).from(users).orderBy(asc(users.name));
  }

  /** Refuses (ConflictError) to demote, disable or delete the last enabled administrator. */
  async update(id: string, patch: UserPatch): Promise<User> {
    const set = defined({
      name: patch.name === undefined ? undefined : requireUserName(patch.name),
      passwordHash: patch.passwordHash === undefined ? undefined : requireHash(patch.passwordHash),
      role: patch.role === undefined ? undefined : requireRole(patch.role),
      disabled: patch.disabled,
    });
    if (!isUuid(id)) throw new NotFoundError('user', id);
    return guard(() =>
      this.db.transaction(async (tx) => {
        const [row] = await tx
          .update(users)
          .set({ ...set, updatedAt: new Date() })
          .where(eq(users.id, id))
          .returning(publicColumns);
        if (!row) throw new NotFoundError('user', id);
        if (row.role !== 'admin' || row.disabled) await this.keepAnAdmin(tx);
        return row;
      }),
    );
  }

  async recordLogin(id: string, at: Date = new Date()): Promise<void> {
    requireDate(at, 'at');
    if (!isUuid(id)) throw new NotFoundError('user', id);
    const rows = await this.db
      .update(users)
      .set({ lastLoginAt: at })
      .where(eq(users.id, id))
      .returning({ id: users.id });
    if (rows.length === 0) throw new NotFoundError('user', id);
  }

  async delete(id: string): Promise<void> {
    if (!isUuid(id)) throw new NotFoundError('user', id);
    await this.db.transaction(async (tx) => {
      const rows = await tx.delete(users).where(eq(users.id, id)).returning({ id: users.id });
      if (rows.length === 0) throw new NotFoundError('user', id);
      await this.keepAnAdmin(tx);
    });
  }

  /** The stores a manager or viewer may see. */
  async storeIds(userId: string): Promise<string[]> {
    await this.get(userId);
    const rows = await this.db
      .select({ storeId: userStores.storeId })
      .from(userStores)
      .where(eq(userStores.userId, userId))
      .orderBy(asc(userStores.storeId));
    return rows.map((r) => r.storeId);
  }

  /** Replaces the user's store scope. */
  async setStores(userId: string, storeIds: readonly string[]): Promise<void> {
    if (!isUuid(userId)) throw new NotFoundError('user', userId);
    const unique = [...new Set(storeIds)];
    await guard(() =>
      this.db.transaction(async (tx) => {
        const [user] = await tx.select({ id: users.id }).from(users).where(eq(users.id, userId));
        if (!user) throw new NotFoundError('user', userId);
        await tx
          .delete(userStores)
          .where(
            and(
              eq(userStores.userId, userId),
              unique.length ? notInArray(userStores.storeId, unique) : undefined,
            ),
          );
        if (unique.length > 0) {
          await tx
            .insert(userStores)
            .values(unique.map((storeId) => ({ userId, storeId })))
            .onConflictDoNothing();
        }
      }),
    );
  }

  /** After a change: if anybody is left, one of them must be an enabled administrator. */
  private async keepAnAdmin(tx: Db): Promise<void> {
    const [row] = await tx
      .select({
        all: count(),
        admins: count(sql`CASE WHEN ${users.role} = 'admin' AND NOT ${users.disabled} THEN 1 END`),
      })
      .from(users);
    if (Number(row?.all ?? 0) > 0 && Number(row?.admins ?? 0) === 0) {
      throw new ConflictError('the hub needs at least one enabled administrator');
    }
  }
}
