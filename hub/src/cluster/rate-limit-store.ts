/**
 * A @fastify/rate-limit store kept in PostgreSQL (`rate_limit_hits`), so a limit holds over every hub
 * process on the database: ten tries on hub A and ten on hub B are twenty. Windows are fixed (from a
 * key's first hit); `continueExceeding` and `exponentialBackoff` are not supported (the hub uses
 * neither). Ended windows are deleted at most once a minute, by whichever hub counts.
 */
import type { FastifyRateLimitStore, FastifyRateLimitStoreCtor } from '@fastify/rate-limit';
import type { RateLimitsRepository } from '../db/repositories/index.ts';

const SWEEP_EVERY_MS = 60_000;

type Incr = FastifyRateLimitStore['incr'];

class PgStore {
  constructor(
    private readonly repo: RateLimitsRepository,
    private readonly prefix: string,
    private readonly sweep: () => void,
  ) {}

  incr(key: string, callback: Parameters<Incr>[1], timeWindow?: number): void {
    this.sweep();
    this.repo.hit(this.prefix + key, timeWindow ?? 60_000).then(
      (r) => callback(null, { current: r.hits, ttl: r.ttlMs }),
      (err: unknown) => callback(err instanceof Error ? err : new Error(String(err))),
    );
  }

  /** A route's own limits count apart from the others (the same key on another route). */
  child(routeOptions: { routeInfo?: { method?: string; url?: string } }): PgStore {
    const route = routeOptions.routeInfo;
    const prefix = route?.method && route.url ? `${this.prefix}${route.method}${route.url}-` : this.prefix;
    return new PgStore(this.repo, prefix, this.sweep);
  }
}

/** The store's constructor for @fastify/rate-limit's `store` option. */
export function pgRateLimitStore(
  repo: RateLimitsRepository,
  log: { warn(obj: object, msg?: string): void },
): FastifyRateLimitStoreCtor {
  let lastSweep = 0;
  const sweep = () => {
    const now = Date.now();
    if (now - lastSweep < SWEEP_EVERY_MS) return;
    lastSweep = now;
    repo.deleteEnded(new Date(now - SWEEP_EVERY_MS)).catch((err: unknown) => {
      log.warn({ error: String(err) }, 'could not delete ended rate-limit counters; will try again');
    });
  };
  return class {
    constructor() {
      // biome-ignore lint/correctness/noConstructorReturn: @fastify/rate-limit calls `new Store(options)`
      return new PgStore(repo, '', sweep);
    }
  } as unknown as FastifyRateLimitStoreCtor;
}
