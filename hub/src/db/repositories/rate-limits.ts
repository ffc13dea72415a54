import { lt, sql } from 'drizzle-orm';
import { type Db, queryRows } from '../database.ts';
import { rateLimitHits } from '../schema.ts';

/** A key's count in its current window, and how long until that window ends. */
export interface RateLimitCount {
  hits: number;
  ttlMs: number;
}

/**
 * The API's rate-limit counters, one row per key, shared by every hub process on the database. A
 * window starts with a key's first hit and lasts `windowMs`; the database's clock decides, so hubs
 * with clocks slightly apart still count in the same window.
 */
export class RateLimitsRepository {
  constructor(private readonly db: Db) {}

  /** Counts one hit of `key` (a new window when the last one ended) in one statement. */
  async hit(key: string, windowMs: number): Promise<RateLimitCount> {
    const window = sql`make_interval(secs => ${windowMs / 1000})`;
    const [row] = await queryRows<{ hits: number; ttl_ms: unknown }>(
      this.db,
      sql`INSERT INTO rate_limit_hits AS r (key, hits, reset_at) VALUES (${key}, 1, now() + ${window})
        ON CONFLICT (key) DO UPDATE SET
          hits = CASE WHEN r.reset_at <= now() THEN 1 ELSE r.hits + 1 END,
          reset_at = CASE WHEN r.reset_at <= now() THEN now() + ${window} ELSE r.reset_at END
        RETURNING hits, ceil(extract(epoch FROM reset_at - now()) * 1000) AS ttl_ms`,
    );
    if (!row) throw new Error('counting a rate-limit hit returned no row');
    return { hits: Number(row.hits), ttlMs: Math.max(0, Number(row.ttl_ms)) };
  }

  /** Deletes the counters whose window ended before `before`; returns how many. */
  async deleteEnded(before: Date): Promise<number> {
    const rows = await this.db
      .delete(rateLimitHits)
      .where(lt(rateLimitHits.resetAt, before))
      .returning({ key: rateLimitHits.key });
    return rows.length;
  }
}
