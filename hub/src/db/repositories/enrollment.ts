import { and, asc, eq, gt, isNull, lte, type SQL } from 'drizzle-orm';
import type { Db } from '../database.ts';
import { guard, NotFoundError, ValidationError } from '../errors.ts';
import { enrollmentCodes } from '../schema.ts';
import { isUuid, requireDate } from './common.ts';

export type EnrollmentCode = typeof enrollmentCodes.$inferSelect;
export interface NewEnrollmentCode {
  storeId: string;
  /** A hash of the code (for example SHA-256 hex); the code itself is shown once and never stored. */
  codeHash: string;
  expiresAt: Date;
  createdBy?: string | null;
}
export type ConsumeResult =
  | { ok: true; code: EnrollmentCode }
  | { ok: false; reason: 'unknown' | 'used' | 'expired' };

/** One-time codes a new box presents to join a store. */
export class EnrollmentRepository {
  constructor(private readonly db: Db) {}

  async create(input: NewEnrollmentCode): Promise<EnrollmentCode> {
    requireDate(input.expiresAt, 'expiresAt');
    if (typeof input.codeHash !== 'string' || input.codeHash.length < 16) {
      throw new ValidationError('an enrollment code is stored as a hash (at least 16 characters)');
    }
    if (input.createdBy && !isUuid(input.createdBy)) throw new NotFoundError('user', input.createdBy);
    const [row] = await guard(() =>
      this.db
        .insert(enrollmentCodes)
        .values({
          storeId: input.storeId,
          codeHash: input.codeHash,
          expiresAt: input.expiresAt,
          createdBy: input.createdBy ?? null,
        })
        .returning(),
    );
    return row!;
  }

  async find(id: string): Promise<EnrollmentCode | undefined> {
    if (!isUuid(id)) return undefined;
    const [row] = await this.db.select().from(enrollmentCodes).where(eq(enrollmentCodes.id, id));
    return row;
  }

  /**
   * Uses a code: atomically marks it used if it exists, is unused and has not expired, so two boxes
   * presenting the same code cannot both get in. Otherwise says why not.
   */
  async consume(codeHash: string, options: { deviceId?: string; now?: Date } = {}): Promise<ConsumeResult> {
    const now = requireDate(options.now ?? new Date(), 'now');
    const [row] = await guard(() =>
      this.db
        .update(enrollmentCodes)
        .set({ usedAt: now, deviceId: options.deviceId ?? null })
        .where(
          and(
            eq(enrollmentCodes.codeHash, codeHash),
            isNull(enrollmentCodes.usedAt),
            gt(enrollmentCodes.expiresAt, now),
          ),
        )
        .returning(),
    );
    if (row) return { ok: true, code: row };
    const [existing] = await this.db
      .select({ usedAt: enrollmentCodes.usedAt })
      .from(enrollmentCodes)
      .where(eq(enrollmentCodes.codeHash, codeHash));
    if (!existing) return { ok: false, reason: 'unknown' };
    return { ok: false, reason: existing.usedAt ? 'used' : 'expired' };
  }

  /** Records which device a used code created (the device row is made after the code is consumed). */
  async attachDevice(id: string, deviceId: string): Promise<void> {
    if (!isUuid(id)) throw new NotFoundError('enrollment code', id);
    const rows = await guard(() =>
      this.db
        .update(enrollmentCodes)
        .set({ deviceId })
        .where(eq(enrollmentCodes.id, id))
        .returning({ id: enrollmentCodes.id }),
    );
    if (rows.length === 0) throw new NotFoundError('enrollment code', id);
  }

  /** A store's codes, newest first; by default only those still usable at `now`. */
  async list(
    storeId: string,
    options: { includeUsedAndExpired?: boolean; now?: Date } = {},
  ): Promise<EnrollmentCode[]> {
    const where: SQL[] = [eq(enrollmentCodes.storeId, storeId)];
    if (!options.includeUsedAndExpired) {
      where.push(isNull(enrollmentCodes.usedAt), gt(enrollmentCodes.expiresAt, options.now ?? new Date()));
    }
    return this.db
      .select()
      .from(enrollmentCodes)
      .where(and(...where))
      .orderBy(asc(enrollmentCodes.expiresAt));
  }

  async delete(id: string): Promise<void> {
    const rows = isUuid(id)
      ? await this.db
          .delete(enrollmentCodes)
          .where(eq(enrollmentCodes.id, id))
          .returning({ id: enrollmentCodes.id })
      : [];
    if (rows.length === 0) throw new NotFoundError('enrollment code', id);
  }

  /** Removes codes that expired unused before `now`; returns how many. */
  async deleteExpired(now: Date = new Date()): Promise<number> {
    const rows = await this.db
      .delete(enrollmentCodes)
      .where(and(isNull(enrollmentCodes.usedAt), lte(enrollmentCodes.expiresAt, now)))
      .returning({ id: enrollmentCodes.id });
    return rows.length;
  }
}
