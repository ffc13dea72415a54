/**
 * The hub's shared cache of analytics answers (the `answer-cache` plugin puts routes in front of it).
 *
 * An answer is kept only for a range that had ended when it was computed, under a key that holds the
 * route, the normalized query and the caller's scope. It stays valid only while the data versions it
 * was computed under are unchanged:
 *
 * - one version per store, moved when events are stored for it (this hub's ingest and uploads, another
 *   hub's notice); a store-less answer (every store the caller sees) watches every store's (`anyStore`);
 * - one global version, moved by every change of anything else answers depend on (settings, stores,
 *   cameras, areas, users, retention): every successful non-GET request, here or on another hub.
 *
 * Concurrent identical misses compute once (`begin`: one leads, the others wait for its answer).
 * Entries are capped by count and bytes (least recently used go first) and by a safety age.
 */

/** The stores an answer reads; undefined: every store (the caller's, or all for an administrator). */
export type StoreDeps = readonly string[] | undefined;

/** The versions an answer was computed under. */
export interface Stamp {
  global: number;
  /** Per named store; undefined: the answer watches every store. */
  stores: readonly (readonly [string, number])[] | undefined;
  anyStore: number;
}

/** A response exactly as it was sent. */
export interface Answer {
  statusCode: number;
  contentType: string;
  body: string;
}

export interface AnswerCacheOptions {
  /** Entries at most (default 2000). */
  maxEntries?: number;
  /** Bytes of bodies at most (default 64 MiB). */
  maxBytes?: number;
  /** Safety age: an entry older than this is computed again whatever the versions say (default 5 min). */
  ttlMs?: number;
  now?: () => number;
  /** A device's store, for events stored by device; without it stored events change everything. */
  storeOf?: (deviceId: string) => Promise<string | undefined>;
  /**
   * False: keep no answer, but still tell the other hubs of changes made here (`serve
   * --no-answer-cache` beside hubs that keep answers). Default true.
   */
  keep?: boolean;
}

export interface AnswerCacheStats {
  hits: number;
  misses: number;
  /** Misses that waited for an identical request's computation instead of computing. */
  joined: number;
  stored: number;
  evicted: number;
}

interface Entry {
  answer: Answer;
  stamp: Stamp;
  bytes: number;
  at: number;
}

interface Flight {
  stamp: Stamp;
  answer: Promise<Answer | undefined>;
}

/** A miss's part in single-flight: compute and `finish` (lead), or wait for the leader (follow). */
export type Turn =
  | { lead: true; finish(answer: Answer | undefined): void }
  | { lead: false; answer: Promise<Answer | undefined> };

/** Tells the other hub processes (live-bridge.ts); storeId undefined: anything may have changed. */
export type ChangeTeller = (storeId: string | undefined) => Promise<void>;

export class AnswerCache {
  readonly stats: AnswerCacheStats = { hits: 0, misses: 0, joined: 0, stored: 0, evicted: 0 };
  private readonly maxEntries: number;
  private readonly maxBytes: number;
  private readonly ttlMs: number;
  private readonly now: () => number;
  private readonly storeOf: ((deviceId: string) => Promise<string | undefined>) | undefined;
  private global = 0;
  private anyStore = 0;
  private readonly stores = new Map<string, number>();
  /** Device -> store, learned as events arrive; forgotten on every change of settings (a device may move). */
  private readonly devices = new Map<string, string>();
  /** Moves when `devices` is forgotten: a store learned before must not be kept. */
  private devicesEpoch = 0;
  /** Insertion order is use order: the first entry is the least recently used. */
  private readonly entries = new Map<string, Entry>();
  private bytes = 0;
  private readonly flights = new Map<string, Flight>();
  private teller: ChangeTeller | undefined;
  /** Whether answers are kept at all (AnswerCacheOptions.keep). */
  readonly keeps: boolean;

  constructor(o: AnswerCacheOptions = {}) {
    this.keeps = o.keep ?? true;
    this.maxEntries = o.maxEntries ?? 2000;
    this.maxBytes = o.maxBytes ?? 64 * 1024 * 1024;
    this.ttlMs = o.ttlMs ?? 300_000;
    this.now = o.now ?? Date.now;
    this.storeOf = o.storeOf;
  }

  get size(): { entries: number; bytes: number } {
    return { entries: this.entries.size, bytes: this.bytes };
  }

  // ---- versions ----

  stamp(deps: StoreDeps): Stamp {
    return {
      global: this.global,
      stores: deps?.map((id) => [id, this.stores.get(id) ?? 0] as const),
      anyStore: this.anyStore,
    };
  }

  /** Whether nothing the stamp watches has changed since. */
  current(s: Stamp): boolean {
    if (s.global !== this.global) return false;
    if (s.stores === undefined) return s.anyStore === this.anyStore;
    return s.stores.every(([id, v]) => (this.stores.get(id) ?? 0) === v);
  }

  /** A store's data changed (events stored, here or told by another hub). */
  storeChanged(storeId: string): void {
    this.stores.set(storeId, (this.stores.get(storeId) ?? 0) + 1);
    this.anyStore++;
  }

  /**
   * Events of a device were stored. Its store is known once learned through `storeOf`; until then
   * everything counts as changed (a moment's lost hits, never a stale answer).
   */
  eventsStored(deviceId: string): void {
    const known = this.devices.get(deviceId);
    if (known !== undefined) {
      this.storeChanged(known);
      return;
    }
    this.dropAll();
    if (!this.storeOf) return;
    const epoch = this.devicesEpoch;
    this.storeOf(deviceId).then(
      (storeId) => {
        // A change of settings since may have moved the device: learn it next time.
        if (storeId !== undefined && epoch === this.devicesEpoch) this.devices.set(deviceId, storeId);
      },
      () => {},
    );
  }

  /** Anything may have changed (in this process only: see `changedEverywhere`). */
  changed(): void {
    this.devices.clear();
    this.devicesEpoch++;
    this.dropAll();
  }

  private dropAll(): void {
    this.global++;
    // Every entry is out of date now: free them at once.
    this.entries.clear();
    this.bytes = 0;
  }

  /** Where another hub's notices are sent (the live bridge, on PostgreSQL). */
  tellOthersWith(teller: ChangeTeller | undefined): void {
    this.teller = teller;
  }

  /** A change made here: moved here, and told to the other hubs (awaited, failures are the teller's). */
  async changedEverywhere(storeId?: string): Promise<void> {
    if (storeId === undefined) this.changed();
    else this.storeChanged(storeId);
    await this.teller?.(storeId);
  }

  // ---- entries ----

  get(key: string): Answer | undefined {
    const e = this.entries.get(key);
    if (e === undefined) return undefined;
    if (!this.current(e.stamp) || this.now() - e.at > this.ttlMs) {
      this.drop(key, e);
      return undefined;
    }
    this.entries.delete(key);
    this.entries.set(key, e);
    this.stats.hits++;
    return e.answer;
  }

  /** Keeps an answer computed under `stamp`, unless something changed meanwhile or it is too big. */
  set(key: string, stamp: Stamp, answer: Answer): void {
    if (!this.current(stamp)) return;
    const bytes = Buffer.byteLength(answer.body) + key.length;
    if (bytes > this.maxBytes / 4) return;
    const old = this.entries.get(key);
    if (old) this.drop(key, old);
    this.entries.set(key, { answer, stamp, bytes, at: this.now() });
    this.bytes += bytes;
    this.stats.stored++;
    for (const [k, e] of this.entries) {
      if (this.entries.size <= this.maxEntries && this.bytes <= this.maxBytes) break;
      this.drop(k, e);
      this.stats.evicted++;
    }
  }

  /**
   * A miss: lead (compute, then `finish` with the answer, or undefined for an error) or follow an
   * identical computation that started under the versions that are current now.
   */
  begin(key: string, stamp: Stamp): Turn {
    this.stats.misses++;
    const flight = this.flights.get(key);
    if (flight && this.current(flight.stamp)) {
      this.stats.joined++;
      return { lead: false, answer: flight.answer };
    }
    let resolve: (answer: Answer | undefined) => void = () => {};
    const mine: Flight = { stamp, answer: new Promise((r) => (resolve = r)) };
    this.flights.set(key, mine);
    let finished = false;
    return {
      lead: true,
      finish: (answer) => {
        if (finished) return;
        finished = true;
        if (this.flights.get(key) === mine) this.flights.delete(key);
        if (answer) this.set(key, stamp, answer);
        resolve(answer);
      },
    };
  }

  private drop(key: string, e: Entry): void {
    this.entries.delete(key);
    this.bytes -= e.bytes;
  }
}
