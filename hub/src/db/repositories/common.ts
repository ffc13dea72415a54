import { randomBytes } from 'node:crypto';
import { check, Id } from '@oskartrack/protocol';
import { ValidationError } from '../errors.ts';

/** A new id that fits protocol's `Id` (it travels in MQTT topics and device configs). */
export function newId(prefix: string): string {
  return `${prefix}_${randomBytes(9).toString('base64url')}`;
}

/** A caller-chosen id, checked against protocol's `Id`, or a new one. */
export function idOrNew(id: string | undefined, prefix: string, what: string): string {
  if (id === undefined) return newId(prefix);
  if (!check(Id, id).ok) {
    throw new ValidationError(`${what} id ${JSON.stringify(id)} must be 1-64 letters, digits or _ . : -`);
  }
  return id;
}

export function requireName(name: unknown, what: string, max = 100): string {
  if (typeof name !== 'string' || name.trim().length === 0) throw new ValidationError(`${what} needs a name`);
  const trimmed = name.trim();
  if (trimmed.length > max) throw new ValidationError(`${what} name is longer than ${max} characters`);
  return trimmed;
}

export function requireDate(value: unknown, what: string): Date {
  if (!(value instanceof Date) || Number.isNaN(value.getTime())) {
    throw new ValidationError(`${what} must be a valid date`);
  }
  return value;
}

export function requireRange(from: Date, to: Date): void {
  requireDate(from, 'range start');
  requireDate(to, 'range end');
  if (to.getTime() < from.getTime()) throw new ValidationError('the range ends before it starts');
}

export function requireCount(value: unknown, what: string, max = 2_147_483_647): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > max) {
    throw new ValidationError(`${what} must be a whole number from 0 to ${max}`);
  }
  return value;
}

export const MAX_PAGE = 1000;
export const DEFAULT_PAGE = 100;

export function pageLimit(limit: number | undefined): number {
  if (limit === undefined) return DEFAULT_PAGE;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE) {
    throw new ValidationError(`page size must be from 1 to ${MAX_PAGE}`);
  }
  return limit;
}

/** Removes keys whose value is undefined, so a partial update only sets what was given. */
export function defined<T extends object>(patch: T): Partial<T> {
  return Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) as Partial<T>;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Rows keyed by uuid: anything else cannot exist (and PostgreSQL would reject it as a bad value). */
export function isUuid(id: string): boolean {
  return UUID.test(id);
}

/** An opaque paging cursor: the sort position (time, id) of the last row of a page. */
export function encodeCursor(at: Date, id: number): string {
  return Buffer.from(JSON.stringify([at.getTime(), id])).toString('base64url');
}

export function decodeCursor(cursor: string): { at: Date; id: number } {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (
      Array.isArray(value) &&
      value.length === 2 &&
      Number.isInteger(value[0]) &&
      Number.isSafeInteger(value[1]) &&
      Math.abs(value[0] as number) <= 8.64e15
    ) {
      return { at: new Date(value[0] as number), id: value[1] as number };
    }
  } catch {
    // falls through
  }
  throw new ValidationError('invalid page cursor');
}

export interface Page<T> {
  items: T[];
  /** Pass back as `cursor` for the next page; null on the last page. */
  nextCursor: string | null;
}
