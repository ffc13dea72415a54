/**
 * Which store a device or a camera belongs to, for the live feed's scoping: looked up through the
 * repositories and cached. A fresh entry answers at once; an entry older than `ttlMs` still answers
 * (so the hot path never waits) while it is looked up again in the background; an unknown id is
 * remembered for `negativeTtlMs`. `forget()` clears everything (the hub calls it after any change of
 * stores, devices or cameras through the API), so a device moved to another store is followed at once.
 */
import type { Repositories } from '../db/repositories/index.ts';

interface Entry {
  storeId: string | undefined;
  at: number;
  /** A lookup in flight (the first one, or a background refresh). */
  pending: Promise<string | undefined> | undefined;
}

export interface DirectoryOptions {
  repos: Pick<Repositories, 'devices' | 'cameras'>;
  ttlMs?: number;
  negativeTtlMs?: number;
  now?: () => number;
}

class Cache {
  private readonly entries = new Map<string, Entry>();
  private generation = 0;

  constructor(
    private readonly load: (id: string) => Promise<string | undefined>,
    private readonly ttlMs: number,
    private readonly negativeTtlMs: number,
    private readonly now: () => number,
  ) {}

  /** The store id at once when known (possibly stale, refreshed behind), else a promise of it. */
  get(id: string): string | undefined | Promise<string | undefined> {
    const e = this.entries.get(id);
    if (!e) return this.fetch(id);
    if (e.pending && e.at === 0) return e.pending;
    const age = this.now() - e.at;
    if (age > (e.storeId === undefined ? this.negativeTtlMs : this.ttlMs) && !e.pending) {
      if (e.storeId === undefined) return this.fetch(id);
      void this.fetch(id).catch(() => undefined);
    }
    return e.storeId;
  }

  forget(): void {
    this.generation++;
    this.entries.clear();
  }

  private fetch(id: string): Promise<string | undefined> {
    const generation = this.generation;
    const existing = this.entries.get(id);
    const entry: Entry = existing ?? { storeId: undefined, at: 0, pending: undefined };
    const pending = this.load(id).then(
      (storeId) => {
        if (generation === this.generation) {
          entry.storeId = storeId;
          entry.at = this.now();
          entry.pending = undefined;
        }
        return storeId;
      },
      (err: unknown) => {
        if (generation === this.generation) {
          entry.pending = undefined;
          if (entry.at === 0) this.entries.delete(id);
        }
        throw err;
      },
    );
    entry.pending = pending;
    if (!existing) this.entries.set(id, entry);
    return pending;
  }
}

export class StoreDirectory {
  private readonly devices: Cache;
  private readonly cameras: Cache;

  constructor(options: DirectoryOptions) {
    const now = options.now ?? Date.now;
    const ttl = options.ttlMs ?? 30_000;
    const negative = options.negativeTtlMs ?? 5_000;
    const { repos } = options;
    this.devices = new Cache(async (id) => (await repos.devices.find(id))?.storeId, ttl, negative, now);
    this.cameras = new Cache(async (id) => (await repos.cameras.find(id))?.storeId, ttl, negative, now);
  }

  deviceStore(deviceId: string): string | undefined | Promise<string | undefined> {
    return this.devices.get(deviceId);
  }

  cameraStore(cameraId: string): string | undefined | Promise<string | undefined> {
    return this.cameras.get(cameraId);
  }

  forget(): void {
    this.devices.forget();
    this.cameras.forget();
  }
}
