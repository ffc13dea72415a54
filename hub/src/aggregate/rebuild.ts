/**
 * Recomputes a store's hourly and daily summaries, daily flows and heatmap cells from its stored
 * events and visits (only the days retention has not thinned), for repairs (a bug, a hub
 * restart that lost who was inside, an area deleted and re-created) and for tests that compare the
 * incremental numbers with a recomputation.
 */
import { localDate } from '@oskartrack/protocol';
import type { Db } from '../db/database.ts';
import type { StoredEvent } from '../db/repositories/events.ts';
import { createRepositories, type Repositories } from '../db/repositories/index.ts';
import { MovementSummariesRepository } from '../db/repositories/movement-summaries.ts';
import { dayStart, HOUR_MS, hourStart, nextDayStart } from './buckets.ts';
import {
  type AggregateContext,
  OCCUPANCY_STALE_MS,
  OccupancyTracker,
  SummaryAccumulator,
} from './summarize.ts';

export interface RebuildOptions {
  storeId: string;
  /** The range to recompute; it is widened to whole store-local days (and whole hours). */
  from: Date;
  to: Date;
  /**
   * How far before the range events are read to know who was already inside at its start
   * (default `OCCUPANCY_STALE_MS`, 12 hours: the incremental path forgets people after that too).
   */
  lookbackMs?: number;
}

export interface RebuildResult {
  /** The widened range whose day buckets were rewritten. */
  from: Date;
  to: Date;
  /** Events read, the look-back included. */
  events: number;
  hourRows: number;
  dayRows: number;
}

/** The store's time zone and the areas of each of its cameras. */
export async function loadStoreContext(repos: Repositories, storeId: string): Promise<AggregateContext> {
  const store = await repos.stores.get(storeId);
  const cameras = await repos.cameras.list({ storeId });
  const zonesByCamera = await repos.zones.zoneIdsByCamera(cameras.map((c) => c.id));
  return { storeId, timezone: store.timezone, zonesByCamera };
}

/**
 * Replaces the store's hour and day buckets in the range with numbers computed from the stored
 * events, in one transaction. Peak occupancy replays each device's events in `seq` order from
 * `lookbackMs` before the range. Events that arrive for the range while it runs may be missed:
 * rebuild a range that is not receiving events (or rebuild it again).
 */
export async function rebuildSummaries(db: Db, options: RebuildOptions): Promise<RebuildResult> {
  const repos = createRepositories(db);
  const ctx = await loadStoreContext(repos, options.storeId);
  const tz = ctx.timezone;
  const toMs = options.to.getTime();
  if (!(toMs > options.from.getTime())) throw new RangeError('rebuildSummaries: `to` must be after `from`');
  // Days whose detail retention removed keep the numbers they had: a rebuild would count nothing there.
  const keptFrom = await firstKeptDay(repos, options.storeId, tz);
  const fromMs = Math.max(options.from.getTime(), keptFrom);
  if (fromMs >= toMs) {
    return { from: new Date(fromMs), to: new Date(fromMs), events: 0, hourRows: 0, dayRows: 0 };
  }
  const dayFrom = dayStart(fromMs, tz);
  const dayTo = dayStart(toMs, tz) === toMs ? toMs : nextDayStart(toMs, tz);
  const hourFrom = hourStart(dayFrom);
  const hourTo = hourStart(dayTo - 1) + HOUR_MS;
  const readFrom = Math.min(dayFrom, hourFrom) - (options.lookbackMs ?? OCCUPANCY_STALE_MS);
  const readTo = Math.max(dayTo, hourTo);

  const events: StoredEvent[] = [];
  let cursor: string | undefined;
  do {
    const page = await repos.events.list({
      storeId: options.storeId,
      from: new Date(readFrom),
      to: new Date(readTo),
      limit: 1000,
      ...(cursor ? { cursor } : {}),
    });
    events.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);

  const rows = computeSummaries(events, ctx);
  const hourRows = rows.filter(
    (r) => r.period === 'hour' && r.bucketStart.getTime() >= hourFrom && r.bucketStart.getTime() < hourTo,
  );
  const dayRows = rows.filter(
    (r) => r.period === 'day' && r.bucketStart.getTime() >= dayFrom && r.bucketStart.getTime() < dayTo,
  );
  await db.transaction(async (txDb) => {
    const tx = createRepositories(txDb);
    const storeId = options.storeId;
    await tx.summaries.deleteRange({
      storeId,
      period: 'hour',
      from: new Date(hourFrom),
      to: new Date(hourTo),
    });
    await tx.summaries.deleteRange({ storeId, period: 'day', from: new Date(dayFrom), to: new Date(dayTo) });
    await tx.summaries.replace([...hourRows, ...dayRows]);
    await new MovementSummariesRepository(txDb).rebuildDays(
      storeId,
      localDate(new Date(dayFrom), tz),
      localDate(new Date(dayTo), tz),
    );
  });
  return {
    from: new Date(dayFrom),
    to: new Date(dayTo),
    events: events.length,
    hourRows: hourRows.length,
    dayRows: dayRows.length,
  };
}

/**
 * The start of the first store-local day whose detail retention has not touched (`raw_removed_before`);
 * days before it are never rebuilt.
 */
async function firstKeptDay(repos: Repositories, storeId: string, tz: string): Promise<number> {
  const removed = (await repos.stores.get(storeId)).rawRemovedBefore;
  if (!removed) return Number.NEGATIVE_INFINITY;
  const cut = removed.getTime();
  return dayStart(cut, tz) === cut ? cut : nextDayStart(cut, tz);
}

/** Summary rows for stored events of one store: counts per event, occupancy per device in seq order. */
export function computeSummaries(events: readonly StoredEvent[], ctx: AggregateContext) {
  const acc = new SummaryAccumulator(ctx);
  const ordered = [...events].sort((a, b) =>
    a.deviceId === b.deviceId ? a.seq - b.seq : a.deviceId < b.deviceId ? -1 : 1,
  );
  const trackers = new Map<string, OccupancyTracker>();
  for (const e of ordered) {
    acc.addEvent(e.payload);
    let t = trackers.get(e.deviceId);
    if (!t) {
      t = new OccupancyTracker();
      trackers.set(e.deviceId, t);
    }
    t.apply(e.payload, acc);
  }
  return acc.deltas();
}
