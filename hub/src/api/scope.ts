/**
 * Who may see and change what.
 *
 * - admin: everything, every store.
 * - manager: reads and changes the stores assigned to them (cameras, areas, lines, devices, enrollment
 *   codes, store name and time zone); cannot create or delete stores or manage users.
 * - viewer: reads the stores assigned to them.
 *
 * A store outside the caller's scope answers 404, exactly as a store that does not exist, and so does
 * anything inside it (a camera, an area, a visit): ids never reveal what exists elsewhere. A route the
 * caller's role may not use at all answers 403, before anything is looked up.
 */

import { NotFoundError } from '../db/errors.ts';
import type { UserRole } from '../db/schema.ts';

export interface Principal {
  userId: string;
  name: string;
  role: UserRole;
  /** Assigned stores (ignored for admins). */
  storeIds: readonly string[];
  /** The session the access token belongs to. */
  sessionId: string;
}

const RANK: Record<UserRole, number> = { viewer: 0, manager: 1, admin: 2 };

export function hasRole(p: Principal, least: UserRole): boolean {
  return RANK[p.role] >= RANK[least];
}

export function canSeeStore(p: Principal, storeId: string): boolean {
  return p.role === 'admin' || p.storeIds.includes(storeId);
}

/** Throws the same NotFoundError as a missing row when the store is outside the caller's scope. */
export function requireStore(p: Principal, storeId: string, entity = 'store', id = storeId): void {
  if (!canSeeStore(p, storeId)) throw new NotFoundError(entity, id);
}

/**
 * The stores a list query covers: the requested one (checked), or every store of the caller
 * (undefined for an admin: no filter).
 */
export function storeFilter(p: Principal, requested: string | undefined): readonly string[] | undefined {
  if (requested !== undefined) {
    requireStore(p, requested);
    return [requested];
  }
  return p.role === 'admin' ? undefined : p.storeIds;
}
