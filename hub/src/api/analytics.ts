/**
 * The analytics query layer: what the REST routes answer, reusable by the live feed and uploads. It
 * picks the data source per request (see `pickSource`) and turns counts into the numbers people read.
 *
 * Sources: ranges up to `rawMaxHours` (48 by default) are answered from the raw visits and events,
 * exact to the millisecond; longer ranges from the hourly summaries (fast over years of data; they
 * cover the hours that start inside the range). Every answer says which source it used.
 *
 * Every number counts the store's opening hours only (the repositories filter by them); series leave
 * closed hours and closed days out, so averages over their points count open time only.
 */
import { isOpenDate, isOpenDuring, localDate, type OpeningHours } from '@oskartrack/protocol';
import { NotFoundError, ValidationError } from '../db/errors.ts';
import {
  type BucketCounts,
  type Counts,
  type HeatCell,
  type Interval,
  type Repositories,
  type StoreScope,
  wholeStoreLive,
  type ZoneFlow,
} from '../db/repositories/index.ts';
import { daysOf, movementSource } from './movement-days.ts';

export type Source = 'raw' | 'summaries';
export type SourceChoice = Source | 'auto';

export interface AnalyticsOptions {
  /** Ranges up to this many hours use the raw tables; longer ones the summaries. */
  rawMaxHours?: number;
  /** The longest range heatmaps and flows read from raw data (days); longer ones read the daily summaries. */
  maxRawRangeDays?: number;
}

export interface Numbers {
  visitors: number;
  entries: number;
  exits: number;
  /** Average visit duration in milliseconds; 0 without visits. */
  averageTimeSpentMs: number;
}

export interface SummaryResult extends Numbers {
  storeId: string;
  from: Date;
  to: Date;
  source: Source;
  /** The single hour with the most visitors. */
  busiestHour: { start: Date; visitors: number } | null;
  /** The hour of the day (store-local, 0-23) with the most visitors over the range. */
  busiestHourOfDay: { hour: number; visitors: number } | null;
}

export interface SeriesPoint extends Numbers {
  start: Date;
}

export interface ZoneStat extends Numbers {
  zoneId: string;
  name: string | null;
  cameraId: string | null;
}

export interface HeatmapResult {
  cameraId: string;
  source: Source;
  width: number;
  height: number;
  cols: number;
  rows: number;
  /** `rows` arrays of `cols` counts, top row first. */
  grid: number[][];
  max: number;
  total: number;
}

const HOUR = 3_600_000;

function numbers(c: Counts): Numbers {
  return {
    visitors: c.visitors,
    entries: c.entries,
    exits: c.exits,
    averageTimeSpentMs: c.dwellCount > 0 ? Math.round(c.totalDwellMs / c.dwellCount) : 0,
  };
}

export interface RangeQuery {
  storeId: string;
  cameraId?: string;
  from: Date;
  to: Date;
  source?: SourceChoice;
  /** Also count uploaded recordings (default: live cameras only). */
  includeRecordings?: boolean;
}

/** `{ includeRecordings: true }` when asked, so the queries' default (live cameras only) holds otherwise. */
function withRecordings(q: { includeRecordings?: boolean | undefined }): { includeRecordings?: boolean } {
  return q.includeRecordings ? { includeRecordings: true } : {};
}

type Repos = Pick<Repositories, 'analytics' | 'stores' | 'zones' | 'cameras'>;

export class AnalyticsService {
  readonly rawMaxMs: number;
  readonly maxRawRangeMs: number;

  constructor(
    private readonly repos: Repos,
    options: AnalyticsOptions = {},
  ) {
    this.rawMaxMs = (options.rawMaxHours ?? 48) * HOUR;
    this.maxRawRangeMs = (options.maxRawRangeDays ?? 93) * 24 * HOUR;
  }

  pickSource(from: Date, to: Date, choice: SourceChoice = 'auto'): Source {
    checkRange(from, to);
    if (choice !== 'auto') return choice;
    return to.getTime() - from.getTime() <= this.rawMaxMs ? 'raw' : 'summaries';
  }

  /**
   * `pickSource`, and the summaries also where retention may have removed the stores' detail in the
   * range (`raw_removed_before`): the raw tables would count nothing there.
   */
  async sourceFor(
    storeIds: readonly string[],
    from: Date,
    to: Date,
    choice: SourceChoice = 'auto',
  ): Promise<Source> {
    const source = this.pickSource(from, to, choice);
    if (source === 'summaries' || choice !== 'auto' || storeIds.length === 0) return source;
    const stores = await this.repos.stores.list({ ids: storeIds });
    return stores.some((s) => s.rawRemovedBefore && from.getTime() < s.rawRemovedBefore.getTime())
      ? 'summaries'
      : 'raw';
  }

  private async timezone(storeId: string): Promise<string> {
    return (await this.repos.stores.get(storeId)).timezone;
  }

  async summary(q: RangeQuery): Promise<SummaryResult> {
    const source = await this.sourceFor([q.storeId], q.from, q.to, q.source);
    const timezone = await this.timezone(q.storeId);
    const scope = {
      storeIds: [q.storeId],
      from: q.from,
      to: q.to,
      ...(q.cameraId ? { cameraId: q.cameraId } : {}),
      ...withRecordings(q),
    };
    const one = {
      storeId: q.storeId,
      from: q.from,
      to: q.to,
      ...(q.cameraId ? { cameraId: q.cameraId } : {}),
      ...withRecordings(q),
    };
    const [totals, busiest] = await Promise.all([
      source === 'raw'
        ? this.repos.analytics.totalsFromRaw(scope)
        : this.repos.analytics.totalsFromSummaries(scope),
      this.busiest(source, { ...one, timezone }),
    ]);
    return {
      storeId: q.storeId,
      from: q.from,
      to: q.to,
      source,
      ...numbers(totals[0]!),
      ...busiest,
    };
  }

  /** The busiest hour of the range and the busiest hour of the day (earliest of equals; null: none). */
  private async busiest(
    source: Source,
    q: StoreScope & { timezone: string; includeRecordings?: boolean },
  ): Promise<Pick<SummaryResult, 'busiestHour' | 'busiestHourOfDay'>> {
    const top = <T extends { visitors: number }>(rows: readonly T[]) =>
      rows.reduce<T | undefined>(
        (best, h) => (h.visitors > 0 && (!best || h.visitors > best.visitors) ? h : best),
        undefined,
      );
    if (source === 'summaries' && wholeStoreLive(q)) {
      const days = await this.repos.analytics.busiestFromDays(q);
      return { busiestHour: days.hour, busiestHourOfDay: top(days.hoursOfDay) ?? null };
    }
    const [hours, byHour] = await Promise.all([
      this.series(source, { ...q, interval: 'hour' }),
      this.repos.analytics.visitorsByHourOfDay({ ...q, source }),
    ]);
    const hour = top(hours);
    return {
      busiestHour: hour ? { start: hour.bucketStart, visitors: hour.visitors } : null,
      busiestHourOfDay: top(byHour) ?? null,
    };
  }

  private series(
    source: Source,
    q: {
      storeId: string;
      cameraId?: string;
      from: Date;
      to: Date;
      interval: Interval;
      timezone: string;
      includeRecordings?: boolean;
    },
  ): Promise<BucketCounts[]> {
    return source === 'raw'
      ? this.repos.analytics.seriesFromRaw(q)
      : this.repos.analytics.seriesFromSummaries(q);
  }

  /**
   * Counts per UTC hour or per store-local day; open buckets without data are filled with zeros, closed
   * ones (no part of the hour open, a day without opening) are left out.
   */
  async timeSeries(
    q: RangeQuery & { interval: Interval },
  ): Promise<{ source: Source; interval: Interval; timezone: string; points: SeriesPoint[] }> {
    const source = await this.sourceFor([q.storeId], q.from, q.to, q.source);
    const limit = q.interval === 'hour' ? 24 * 400 : 366 * 10;
    const span = q.to.getTime() - q.from.getTime();
    if (span / (q.interval === 'hour' ? HOUR : 24 * HOUR) > limit) {
      throw new ValidationError(
        `too many ${q.interval}s in the range (at most ${limit}); choose a shorter range or days`,
      );
    }
    const { timezone, openingHours } = await this.repos.stores.get(q.storeId);
    const rows = await this.series(source, {
      storeId: q.storeId,
      from: q.from,
      to: q.to,
      interval: q.interval,
      timezone,
      ...(q.cameraId ? { cameraId: q.cameraId } : {}),
      ...withRecordings(q),
    });
    const points = fillBuckets(rows, q.from, q.to, q.interval, timezone, openingHours ?? null).map((r) => ({
      start: r.bucketStart,
      ...numbers(r),
    }));
    return { source, interval: q.interval, timezone, points };
  }

  /** Visitors, entries and time spent per area, with the areas' names. */
  async zones(q: RangeQuery): Promise<{ source: Source; zones: ZoneStat[] }> {
    const source = await this.sourceFor([q.storeId], q.from, q.to, q.source);
    const one = {
      storeId: q.storeId,
      from: q.from,
      to: q.to,
      ...(q.cameraId ? { cameraId: q.cameraId } : {}),
      ...withRecordings(q),
    };
    const rows =
      source === 'raw'
        ? await this.repos.analytics.zonesFromRaw(one)
        : await this.repos.analytics.zonesFromSummaries(one);
    const names = await this.zoneNames(q.storeId);
    return {
      source,
      zones: rows.map((r) => ({
        zoneId: r.zoneId,
        name: names.get(r.zoneId)?.name ?? null,
        cameraId: names.get(r.zoneId)?.cameraId ?? null,
        ...numbers(r),
      })),
    };
  }

  private async zoneNames(storeId: string): Promise<Map<string, { name: string; cameraId: string }>> {
    const out = new Map<string, { name: string; cameraId: string }>();
    for (const camera of await this.repos.cameras.list({ storeId })) {
      for (const z of await this.repos.zones.listZones(camera.id))
        out.set(z.id, { name: z.name, cameraId: camera.id });
    }
    return out;
  }

  /**
   * Walks from area to area (from the order visitors entered them): from the raw events for short
   * ranges whose detail is kept, else from the daily flows (movement-days.ts).
   */
  async flows(
    q: Omit<RangeQuery, 'source'> & { limit?: number },
  ): Promise<{ source: Source; flows: ZoneFlow[] }> {
    checkRange(q.from, q.to);
    const store = await this.repos.stores.get(q.storeId);
    const source = movementSource(store, q.from, q.to, this.maxRawRangeMs);
    if (source === 'raw') {
      return { source, flows: await this.repos.analytics.flows({ ...q, ...withRecordings(q) }) };
    }
    const flows = await this.repos.analytics.movement.flows({
      storeId: q.storeId,
      ...(q.cameraId ? { cameraId: q.cameraId } : {}),
      ...daysOf(store, q.from, q.to),
      ...withRecordings(q),
      limit: Math.min(Math.max(1, Math.trunc(q.limit ?? 200)), 1000),
    });
    return { source, flows };
  }

  /**
   * Where people walked on one camera's picture: foot points of visit paths counted per grid cell, from
   * the raw visits or, like flows, from the daily cells (exact for grids that divide 64 x 48).
   */
  async heatmap(q: {
    cameraId: string;
    from: Date;
    to: Date;
    cols?: number;
    rows?: number;
    width?: number;
    height?: number;
    includeRecordings?: boolean;
  }): Promise<HeatmapResult> {
    checkRange(q.from, q.to);
    const camera = await this.repos.cameras.get(q.cameraId);
    const store = await this.repos.stores.get(camera.storeId);
    const width = q.width ?? camera.frameWidth;
    const height = q.height ?? camera.frameHeight;
    if (!width || !height) {
      throw new ValidationError(
        "the camera's picture size is unknown: set its frame width and height, or pass width and height",
      );
    }
    const cols = q.cols ?? 32;
    const rows = q.rows ?? 24;
    const source = movementSource(store, q.from, q.to, this.maxRawRangeMs);
    const cells: HeatCell[] =
      source === 'raw'
        ? await this.repos.analytics.heatmap({ ...q, width, height, cols, rows })
        : await this.repos.analytics.movement.heatmap({
            cameraId: q.cameraId,
            ...daysOf(store, q.from, q.to),
            ...withRecordings(q),
            cols,
            rows,
          });
    const grid = Array.from({ length: rows }, () => new Array<number>(cols).fill(0));
    let max = 0;
    let total = 0;
    for (const c of cells) {
      const row = grid[c.row];
      if (!row || c.col >= cols) continue;
      row[c.col] = c.count;
      max = Math.max(max, c.count);
      total += c.count;
    }
    return { cameraId: camera.id, source, width, height, cols, rows, grid, max, total };
  }

  /** The same numbers for several stores side by side (head office). */
  async compare(q: {
    storeIds: readonly string[];
    from: Date;
    to: Date;
    source?: SourceChoice;
    includeRecordings?: boolean;
  }): Promise<{ source: Source; stores: ({ storeId: string; name: string } & Numbers)[] }> {
    const source = await this.sourceFor(q.storeIds, q.from, q.to, q.source);
    const scope = { storeIds: q.storeIds, from: q.from, to: q.to, ...withRecordings(q) };
    const rows =
      source === 'raw'
        ? await this.repos.analytics.totalsFromRaw(scope)
        : await this.repos.analytics.totalsFromSummaries(scope);
    const stores = new Map((await this.repos.stores.list({ ids: q.storeIds })).map((s) => [s.id, s.name]));
    return {
      source,
      stores: rows.map((r) => {
        const name = stores.get(r.storeId);
        if (name === undefined) throw new NotFoundError('store', r.storeId);
        return { storeId: r.storeId, name, ...numbers(r) };
      }),
    };
  }
}

export function checkRange(from: Date, to: Date, maxMs?: number): void {
  if (Number.isNaN(from.getTime()) || Number.isNaN(to.getTime()))
    throw new ValidationError('from and to must be dates');
  if (to.getTime() <= from.getTime())
    throw new ValidationError('the range must end after it starts (to > from)');
  if (maxMs !== undefined && to.getTime() - from.getTime() > maxMs) {
    throw new ValidationError(`choose a range of at most ${Math.round(maxMs / (24 * HOUR))} days`);
  }
}

const dateFormats = new Map<string, Intl.DateTimeFormat>();
const partFormats = new Map<string, Intl.DateTimeFormat>();

function cached(map: Map<string, Intl.DateTimeFormat>, timezone: string, make: () => Intl.DateTimeFormat) {
  let f = map.get(timezone);
  if (!f) {
    f = make();
    map.set(timezone, f);
  }
  return f;
}

/** Start of the store-local day containing `at`, as an instant. */
function localDayStart(at: Date, timezone: string): Date {
  const dateOf = cached(
    dateFormats,
    timezone,
    () =>
      new Intl.DateTimeFormat('en-CA', {
        timeZone: timezone,
        year: 'numeric',
        month: '2-digit',
        day: '2-digit',
      }),
  );
  const parts = cached(
    partFormats,
    timezone,
    () =>
      new Intl.DateTimeFormat('en-US', {
        timeZone: timezone,
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
      }),
  );
  // Local midnight: guess UTC midnight of that date, then correct by the zone's offset there.
  const guess = Date.parse(`${dateOf.format(at)}T00:00:00Z`);
  const offset = (t: number) => {
    const f = parts.formatToParts(new Date(t));
    const get = (type: string) => Number(f.find((p) => p.type === type)?.value);
    return Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second')) - t;
  };
  const first = guess - offset(guess);
  return new Date(guess - offset(first));
}

function fillBuckets(
  rows: BucketCounts[],
  from: Date,
  to: Date,
  interval: Interval,
  timezone: string,
  hours: OpeningHours | null,
): BucketCounts[] {
  const byStart = new Map(rows.map((r) => [r.bucketStart.getTime(), r]));
  const out: BucketCounts[] = [];
  const zero = { visitors: 0, entries: 0, exits: 0, dwellCount: 0, totalDwellMs: 0 };
  if (interval === 'hour') {
    for (let t = Math.floor(from.getTime() / HOUR) * HOUR; t < to.getTime(); t += HOUR) {
      const open = isOpenDuring(hours, timezone, new Date(t), new Date(t + HOUR));
      if (open || byStart.has(t)) out.push(byStart.get(t) ?? { bucketStart: new Date(t), ...zero });
    }
  } else {
    let day = localDayStart(from, timezone);
    while (day.getTime() < to.getTime()) {
      const open = isOpenDate(hours, localDate(day, timezone));
      if (open || byStart.has(day.getTime()))
        out.push(byStart.get(day.getTime()) ?? { bucketStart: day, ...zero });
      // The next local midnight: 26 h later always lands in the next day, whatever DST does.
      day = localDayStart(new Date(day.getTime() + 26 * HOUR), timezone);
    }
  }
  // Rows outside the generated grid (odd time zones) are kept rather than lost.
  const seen = new Set(out.map((r) => r.bucketStart.getTime()));
  for (const r of rows) if (!seen.has(r.bucketStart.getTime())) out.push(r);
  return out.sort((a, b) => a.bucketStart.getTime() - b.bucketStart.getTime());
}
