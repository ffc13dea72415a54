/**
 * The summary math, shared by the incremental path (ingest, per transaction) and the rebuild, so both
 * give the same numbers for the same events.
 *
 * Every event counts in the hour (UTC) and the day (store-local) of its own `at`, never of its arrival.
 * Per store, camera and area (`zoneId` null: the whole camera):
 * - visitors: camera rows count `track_started` (a person appears; live, at arrival); area rows count
 *   the visits whose `visit_closed` lists the area (one per visit however often it went in and out),
 *   in the hour the visit ended;
 * - entries / exits: camera rows count `line_crossed` in / out; area rows `zone_entered` / `zone_left`;
 * - time spent: camera rows add each visit's length (`visit_closed.durationMs`, one stay per visit);
 *   area rows add each stay (`zone_left.dwellMs`); the average is total / count;
 * - peak occupancy: see `OccupancyTracker`.
 * Areas that no longer exist (removed since the event) are left out of area rows; the camera rows
 * still count the event.
 */
import type { TrackingEvent } from '@oskartrack/protocol';
import type { SummaryDelta } from '../db/repositories/summaries.ts';
import type { SummaryPeriod } from '../db/schema.ts';
import { dayStart, hourStart } from './buckets.ts';

export interface AggregateContext {
  storeId: string;
  /** IANA time zone of the store: days start at its local midnight. */
  timezone: string;
  /** The areas that exist, per camera: area rows are written only for these. */
  zonesByCamera: ReadonlyMap<string, ReadonlySet<string>>;
}

interface Values {
  visitors: number;
  entries: number;
  exits: number;
  dwellCount: number;
  totalDwellMs: number;
  peakOccupancy: number;
}

/** Adds counts into hourly and daily buckets; `deltas()` gives one row per bucket. */
export class SummaryAccumulator {
  private readonly rows = new Map<string, SummaryDelta & Values>();

  constructor(private readonly ctx: AggregateContext) {}

  private row(period: SummaryPeriod, bucket: number, cameraId: string, zoneId: string | null) {
    const key = `${period}|${bucket}|${cameraId}|${zoneId ?? ''}`;
    let r = this.rows.get(key);
    if (!r) {
      r = {
        period,
        bucketStart: new Date(bucket),
        storeId: this.ctx.storeId,
        cameraId,
        zoneId,
        visitors: 0,
        entries: 0,
        exits: 0,
        dwellCount: 0,
        totalDwellMs: 0,
        peakOccupancy: 0,
      };
      this.rows.set(key, r);
    }
    return r;
  }

  /** Applies `f` to the hour and the day row of instant `at`. */
  private both(at: number, cameraId: string, zoneId: string | null, f: (v: Values) => void): void {
    f(this.row('hour', hourStart(at), cameraId, zoneId));
    f(this.row('day', dayStart(at, this.ctx.timezone), cameraId, zoneId));
  }

  private knownZone(cameraId: string, zoneId: string): boolean {
    return this.ctx.zonesByCamera.get(cameraId)?.has(zoneId) ?? false;
  }

  /** Counts one event (not its occupancy: see `addPeak`). */
  addEvent(e: TrackingEvent): void {
    const cam = e.cameraId;
    switch (e.kind) {
      case 'track_started':
        this.both(e.at, cam, null, (v) => {
          v.visitors++;
        });
        break;
      case 'line_crossed':
        this.both(e.at, cam, null, (v) => {
          if (e.direction === 'in') v.entries++;
          else v.exits++;
        });
        break;
      case 'zone_entered':
        if (this.knownZone(cam, e.zoneId))
          this.both(e.at, cam, e.zoneId, (v) => {
            v.entries++;
          });
        break;
      case 'zone_left':
        if (this.knownZone(cam, e.zoneId))
          this.both(e.at, cam, e.zoneId, (v) => {
            v.exits++;
            v.dwellCount++;
            v.totalDwellMs += e.dwellMs;
          });
        break;
      case 'visit_closed':
        this.both(e.at, cam, null, (v) => {
          v.dwellCount++;
          v.totalDwellMs += e.durationMs;
        });
        for (const z of new Set(e.zones.map((zt) => zt.zoneId))) {
          if (this.knownZone(cam, z))
            this.both(e.at, cam, z, (v) => {
              v.visitors++;
            });
        }
        break;
      case 'track_ended':
        break;
    }
  }

  /** Notes that `occupancy` people were inside (camera or area) at instant `at`. */
  addPeak(at: number, cameraId: string, zoneId: string | null, occupancy: number): void {
    if (zoneId !== null && !this.knownZone(cameraId, zoneId)) return;
    this.both(at, cameraId, zoneId, (v) => {
      if (occupancy > v.peakOccupancy) v.peakOccupancy = occupancy;
    });
  }

  /** Rows with something in them. */
  deltas(): SummaryDelta[] {
    return [...this.rows.values()].filter(
      (r) => r.visitors || r.entries || r.exits || r.dwellCount || r.totalDwellMs || r.peakOccupancy,
    );
  }

  /** Every row touched, zero or not (a rebuild writes them all). */
  allRows(): SummaryDelta[] {
    return [...this.rows.values()];
  }
}

/** People inside are forgotten when nothing was heard of them for this long (a lost "left" event). */
export const OCCUPANCY_STALE_MS = 12 * 3_600_000;
const PRUNE_EVERY_MS = 10 * 60_000;

/**
 * Who is inside each camera picture and each area, for one device, from its events applied in `seq`
 * order: `track_started` / `track_ended` for the camera, `zone_entered` / `zone_left` for areas.
 * Each such event reports the larger of the occupancy before and after it as a peak candidate in its
 * own hour and day, so an hour with only departures still shows the people who were inside.
 *
 * It keeps sets of track ids, not counters: a "left" of someone never seen entering (the hub started
 * after they came in) changes nothing instead of going negative, and a repeated "entered" counts once.
 * Someone not heard of for `OCCUPANCY_STALE_MS` is dropped (a "left" that was never sent).
 */
/** An `OccupancyTracker` as JSON: per key, [track id, last heard] pairs. */
export interface OccupancyState {
  lastPrune: number;
  inside: [string, [number, number][]][];
}

function isOccupancyState(v: unknown): v is OccupancyState {
  if (typeof v !== 'object' || v === null) return false;
  const { lastPrune, inside } = v as Partial<OccupancyState>;
  const pair = (p: unknown) =>
    Array.isArray(p) && p.length === 2 && Number.isFinite(p[0]) && Number.isFinite(p[1]);
  return (
    Number.isFinite(lastPrune) &&
    Array.isArray(inside) &&
    inside.every(
      (e) => Array.isArray(e) && typeof e[0] === 'string' && Array.isArray(e[1]) && e[1].every(pair),
    )
  );
}

export class OccupancyTracker {
  /** `${cameraId}|${zoneId}` ('' for the whole camera) → track id → last heard (event time). */
  private readonly inside = new Map<string, Map<number, number>>();
  private lastPrune = 0;

  /** A deep copy: ingest works on one inside a transaction and keeps it only if the commit succeeds. */
  clone(): OccupancyTracker {
    const c = new OccupancyTracker();
    for (const [k, m] of this.inside) c.inside.set(k, new Map(m));
    c.lastPrune = this.lastPrune;
    return c;
  }

  /** Who is inside as plain data: kept in `device_progress` so another hub process can go on. */
  toState(): OccupancyState {
    return { lastPrune: this.lastPrune, inside: [...this.inside].map(([k, m]) => [k, [...m]]) };
  }

  /** The tracker `toState` wrote; undefined when `value` is not one (then it is rebuilt from events). */
  static fromState(value: unknown): OccupancyTracker | undefined {
    if (!isOccupancyState(value)) return undefined;
    const t = new OccupancyTracker();
    t.lastPrune = value.lastPrune;
    for (const [k, tracks] of value.inside) t.inside.set(k, new Map(tracks));
    return t;
  }

  /** People inside now, per `${cameraId}|${zoneId}` key ('' zone: the camera). */
  snapshot(): Map<string, number> {
    return new Map([...this.inside].map(([k, m]) => [k, m.size]));
  }

  apply(e: TrackingEvent, acc: SummaryAccumulator): void {
    let zoneId: string | null;
    let enter: boolean;
    switch (e.kind) {
      case 'track_started':
        zoneId = null;
        enter = true;
        break;
      case 'track_ended':
        zoneId = null;
        enter = false;
        break;
      case 'zone_entered':
        zoneId = e.zoneId;
        enter = true;
        break;
      case 'zone_left':
        zoneId = e.zoneId;
        enter = false;
        break;
      default:
        return;
    }
    if (e.at - this.lastPrune >= PRUNE_EVERY_MS) this.prune(e.at);
    const key = `${e.cameraId}|${zoneId ?? ''}`;
    let set = this.inside.get(key);
    if (!set) {
      set = new Map();
      this.inside.set(key, set);
    }
    const before = set.size;
    if (enter) set.set(e.trackId, e.at);
    else set.delete(e.trackId);
    if (!enter && zoneId === null) {
      // A track that ends has left every area of its camera, whatever events got lost.
      const prefix = `${e.cameraId}|`;
      for (const [k, m] of this.inside) {
        if (k === key || !k.startsWith(prefix)) continue;
        m.delete(e.trackId);
        if (m.size === 0) this.inside.delete(k);
      }
    }
    acc.addPeak(e.at, e.cameraId, zoneId, Math.max(before, set.size));
    if (set.size === 0) this.inside.delete(key);
  }

  private prune(now: number): void {
    this.lastPrune = now;
    for (const [k, m] of this.inside) {
      for (const [track, at] of m) if (now - at > OCCUPANCY_STALE_MS) m.delete(track);
      if (m.size === 0) this.inside.delete(k);
    }
  }
}
