/**
 * The callers behind access tokens (user, role, stores, session), kept in this process so that a
 * request with a known token does not read its user and session from the database again.
 *
 * Exact only where every write to users, sessions and store lists happens in this process: the
 * embedded database, which one process holds (db/lock.ts). The auth plugin drops every kept caller
 * (`changed`) when any request that may write finishes (every method but GET, HEAD and OPTIONS,
 * whatever its status: a refused refresh may still end a session), before its answer leaves. A read
 * that started before such a change is not kept (the generation moved meanwhile). A session past its
 * end is never answered from here: its end is kept with it and checked against the caller's clock.
 */
import type { SessionPrincipal } from '../db/repositories/sessions.ts';

export class PrincipalCache {
  /** Moves on every change: a read that saw an older generation is answered but not kept. */
  private generation = 0;
  /** Insertion order is use order: the first entry is the least recently used. */
  private readonly entries = new Map<string, SessionPrincipal>();

  constructor(private readonly maxEntries = 10_000) {}

  get size(): number {
    return this.entries.size;
  }

  /** The caller of a live session, from here or from `load` (the database). */
  async read(
    userId: string,
    sessionId: string,
    now: Date,
    load: () => Promise<SessionPrincipal | undefined>,
  ): Promise<SessionPrincipal | undefined> {
    const key = `${userId}/${sessionId}`;
    const kept = this.entries.get(key);
    if (kept !== undefined) {
      if (kept.expiresAt.getTime() > now.getTime()) {
        this.entries.delete(key);
        this.entries.set(key, kept);
        return kept;
      }
      this.entries.delete(key);
    }
    const generation = this.generation;
    const p = await load();
    if (p !== undefined && generation === this.generation) {
      this.entries.set(key, p);
      if (this.entries.size > this.maxEntries) {
        const oldest = this.entries.keys().next();
        if (!oldest.done) this.entries.delete(oldest.value);
      }
    }
    return p;
  }

  /** Users, sessions or store lists may have changed: forget every caller. */
  changed(): void {
    this.generation++;
    this.entries.clear();
  }
}
