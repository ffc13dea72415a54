import { and, eq, gt, isNull, lte, ne, or, sql } from 'drizzle-orm';
import type { Db } from '../database.ts';
import { guard, NotFoundError, ValidationError } from '../errors.ts';
import { authSessions, type UserRole, userStores, users } from '../schema.ts';
import { isUuid, requireDate } from './common.ts';

export type AuthSession = typeof authSessions.$inferSelect;
export interface NewAuthSession {
  userId: string;
  /** A hash of the refresh secret (SHA-256 hex); the secret itself is never stored. */
  refreshHash: string;
  expiresAt: Date;
  userAgent?: string | null;
  address?: string | null;
}
/** What a request needs to know about its caller, read fresh on every request. */
export interface SessionPrincipal {
  userId: string;
  name: string;
  role: UserRole;
  disabled: boolean;
  /** The stores assigned to the user (admins see every store regardless). */
  storeIds: string[];
  /** When the session ends (api/principal-cache.ts keeps a caller no longer). */
  expiresAt: Date;
}
export type RotateResult =
  | { ok: true; session: AuthSession }
  | { ok: false; reason: 'unknown' | 'revoked' | 'expired' | 'reused' };

function requireHash(hash: string): string {
  if (typeof hash !== 'string' || hash.length < 16)
    throw new ValidationError('a refresh token hash is needed');
  return hash;
}

/** Signed-in sessions: one per login, holding the hash of its current (rotating) refresh token. */
export class SessionsRepository {
  constructor(private readonly db: Db) {}

  async create(input: NewAuthSession): Promise<AuthSession> {
    requireDate(input.expiresAt, 'expiresAt');
    if (!isUuid(input.userId)) throw new NotFoundError('user', input.userId);
    const [row] = await guard(() =>
      this.db
        .insert(authSessions)
        .values({
          userId: input.userId,
          refreshHash: requireHash(input.refreshHash),
          expiresAt: input.expiresAt,
          userAgent: input.userAgent?.slice(0, 300) ?? null,
          address: input.address?.slice(0, 100) ?? null,
        })
        .returning(),
    );
    return row!;
  }

  async find(id: string): Promise<AuthSession | undefined> {
    if (!isUuid(id)) return undefined;
    const [row] = await this.db.select().from(authSessions).where(eq(authSessions.id, id));
    return row;
  }

  /**
   * Swaps the session's refresh hash atomically: succeeds only when `oldHash` is the current one and the
   * session is live. A known session presented with an older hash means the token was copied and used
   * twice (or two refreshes raced): the session is revoked and `reused` returned.
   */
  async rotate(
    id: string,
    oldHash: string,
    newHash: string,
    options: { now?: Date; expiresAt?: Date } = {},
  ): Promise<RotateResult> {
    const now = requireDate(options.now ?? new Date(), 'now');
    if (!isUuid(id)) return { ok: false, reason: 'unknown' };
    const [row] = await this.db
      .update(authSessions)
      .set({
        refreshHash: requireHash(newHash),
        lastUsedAt: now,
        ...(options.expiresAt ? { expiresAt: requireDate(options.expiresAt, 'expiresAt') } : {}),
      })
      .where(
        and(
          eq(authSessions.id, id),
          eq(authSessions.refreshHash, oldHash),
          isNull(authSessions.revokedAt),
          gt(authSessions.expiresAt, now),
        ),
      )
      .returning();
    if (row) return { ok: true, session: row };
    const existing = await this.find(id);
    if (!existing) return { ok: false, reason: 'unknown' };
    if (existing.revokedAt) return { ok: false, reason: 'revoked' };
    if (existing.expiresAt <= now) return { ok: false, reason: 'expired' };
    await this.revoke(id, now);
    return { ok: false, reason: 'reused' };
  }

  /** Ends one session (logout). Returns false when it was unknown or already ended. */
  async revoke(id: string, now: Date = new Date()): Promise<boolean> {
    if (!isUuid(id)) return false;
    const rows = await this.db
      .update(authSessions)
      .set({ revokedAt: now })
      .where(and(eq(authSessions.id, id), isNull(authSessions.revokedAt)))
      .returning({ id: authSessions.id });
    return rows.length > 0;
  }

  /**
   * Ends every session of a user (disabled, password or role changed, "log out everywhere"), but
   * `keep` (the session that changed its own password stays signed in).
   */
  async revokeAllForUser(userId: string, now: Date = new Date(), keep?: string): Promise<number> {
    if (!isUuid(userId)) return 0;
    const others = keep && isUuid(keep) ? ne(authSessions.id, keep) : undefined;
    const rows = await this.db
      .update(authSessions)
      .set({ revokedAt: now })
      .where(and(eq(authSessions.userId, userId), isNull(authSessions.revokedAt), others))
      .returning({ id: authSessions.id });
    return rows.length;
  }

  /**
   * The caller behind an access token, in one query: undefined unless the user exists and the session
   * is theirs, unrevoked and unexpired. Disabled users come back with `disabled: true`.
   */
  async principal(
    userId: string,
    sessionId: string,
    now: Date = new Date(),
  ): Promise<SessionPrincipal | undefined> {
    if (!isUuid(userId) || !isUuid(sessionId)) return undefined;
    const [row] = await this.db
      .select({
        userId: users.id,
        name: users.name,
        role: users.role,
        disabled: users.disabled,
        expiresAt: authSessions.expiresAt,
        storeIds: sql<
          string[]
        >`coalesce((SELECT array_agg(${userStores.storeId} ORDER BY ${userStores.storeId}) FROM ${userStores} WHERE ${userStores.userId} = ${users.id}), '{}')`,
      })
      .from(authSessions)
      .innerJoin(users, eq(users.id, authSessions.userId))
      .where(
        and(
          eq(authSessions.id, sessionId),
          eq(authSessions.userId, userId),
          isNull(authSessions.revokedAt),
          gt(authSessions.expiresAt, now),
        ),
      );
    return row ? { ...row, storeIds: [...(row.storeIds ?? [])] } : undefined;
  }

  /** Removes sessions that expired or were revoked before `before`; returns how many. */
  async deleteEnded(before: Date = new Date()): Promise<number> {
    const rows = await this.db
      .delete(authSessions)
      .where(or(lte(authSessions.expiresAt, before), lte(authSessions.revokedAt, before)))
      .returning({ id: authSessions.id });
    return rows.length;
  }
}
