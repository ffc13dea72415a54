// Areas (zones): which people stand in which area, with inertia against border jitter, time spent per
// person per area, and how many people are in each area right now.
import type { TrackingEvent, ZoneDef, ZoneTime } from '@oskartrack/protocol';
import { FALLBACK_FPS, framesFor } from '../timing.ts';
import { distanceToEdges, type PackedPolygon, packPolygon, pointInPolygon, thicknessAt } from './geometry.ts';

/**
 * The counting rules of an area (the README's "A person is counted into an area only after..."):
 *
 * - Entry: the foot point is inside the area for `inertiaSeconds` in a row (as frames at the source's
 *   `fps`); the entry is dated at the first of those frames. Exit: the same outside the area and past
 *   the border band around it. Time spent: from the first frame inside to the first frame outside (or
 *   the last sighting when the track ends inside).
 * - Counting starts (`update` with `presentSince`): a person already inside when counting starts is
 *   inside from that moment, without waiting for the inertia or the band: one `zone_entered` at the
 *   start time, counted in `entries` and also in `presentAtStart`; their time spent runs from then.
 * - Counting stops (`end(..., true)`, `SceneAnalytics.finish`): a person still inside leaves at their
 *   last sighting (`zone_left` with the time spent so far, counted in `exits` and `presentAtStop`); one
 *   who stepped in past the band in the last frames, before the inertia ran out, is counted in and out
 *   the same way. A pending exit is confirmed at its first frame outside, as at a track's end.
 */
export interface ZoneOptions {
  /**
   * How long a foot point must be seen inside (or outside) an area before "entered" (or "left") fires.
   * Default 3/7 s (3 frames at 7 frames/s): ignores a box jittering on the border.
   */
  inertiaSeconds: number;
  /** Frame rate of the source, to turn `inertiaSeconds` into frames. */
  fps: number;
  /** Consecutive frames instead of `inertiaSeconds` (1 reacts at once); unset: from the seconds. */
  inertia: number | undefined;
  /**
   * Width of a band along the outside of each area's border, as a fraction of the person's box height,
   * where a person inside still counts as inside: one walking along the border, whose foot point jitters
   * across it with the box, is not counted in and out again (hysteresis). Entering needs only the foot
   * point inside for the inertia time: a band on that side too held people standing just inside the
   * edge out of the area for their whole stay, all or nothing on a few pixels of box placement (on two
   * sets of tuning areas it doubled the time-spent error and helped no count). 0: off; default 0.2
   * (about 35 cm for an adult).
   */
  borderBand: number;
  /**
   * The band never takes more than this share of the area's own thickness at the foot point (see
   * `thicknessAt`), so a narrow area seen by a close camera (a 90 px shop-front strip, 150 px people)
   * keeps an inside. Default 0.25.
   */
  maxBandShare: number;
}

export const DEFAULT_ZONE_OPTIONS: ZoneOptions = Object.freeze({
  inertiaSeconds: 3 / 7,
  fps: FALLBACK_FPS,
  inertia: undefined,
  borderBand: 0.2,
  maxBandShare: 0.25,
});

export interface ZoneCount {
  zoneId: string;
  name: string;
  /** Confirmed entries ("entered" events) since the area was added. */
  entries: number;
  /** Confirmed exits, including people whose track ended inside the area. */
  exits: number;
  /** Total time spent, summed over closed stays (`zone_left` events), in ms. */
  dwellMs: number;
  /** People in the area now. */
  occupancy: number;
  /** Of `entries`: people already inside when counting started. */
  presentAtStart: number;
  /** Of `exits`: people still inside when counting stopped. */
  presentAtStop: number;
}

interface CompiledZone {
  def: ZoneDef;
  poly: PackedPolygon;
  occupancy: number;
  entries: number;
  exits: number;
  dwellMs: number;
  presentAtStart: number;
  presentAtStop: number;
}

/**
 * Per track, per area (index = the area's position in the scene), kept in typed arrays allocated once
 * per track. Times are integer ms.
 */
interface TrackZones {
  /** 1 when the person is confirmed inside. */
  inside: Uint8Array;
  /** Frames in a row seen on the other side of `inside` (0 when agreeing). */
  streak: Uint32Array;
  /** Stays entered so far. */
  entries: Uint32Array;
  /** Time of the first frame of the current streak. */
  streakAt: Float64Array;
  /**
   * While inside: when the foot point last left the polygon (NaN while it is in it), so an exit
   * confirmed past the band is dated when the person stepped out, as the entry is when they stepped in.
   */
  outAt: Float64Array;
  /** When the current stay began (valid while inside). */
  enteredAt: Float64Array;
  /** Time spent in closed stays. */
  dwell: Float64Array;
  /** Last time the track was seen. */
  lastAt: number;
  /** Time per area for areas removed from the scene while this track was alive. */
  retired: ZoneTime[] | undefined;
}

export class ZoneTracker {
  readonly #cameraId: string;
  readonly #inertia: number;
  readonly #borderBand: number;
  readonly #maxBandShare: number;
  #zones: CompiledZone[] = [];
  readonly #tracks = new Map<number, TrackZones>();

  constructor(cameraId: string, zones: readonly ZoneDef[], options: Partial<ZoneOptions> = {}) {
    const inertia =
      options.inertia ??
      framesFor(
        options.inertiaSeconds ?? DEFAULT_ZONE_OPTIONS.inertiaSeconds,
        options.fps ?? DEFAULT_ZONE_OPTIONS.fps,
      );
    if (!Number.isInteger(inertia) || inertia < 1 || inertia > 10_000) {
      throw new RangeError(`zone inertia must be a whole number of frames from 1 to 10000, got ${inertia}`);
    }
    const borderBand = options.borderBand ?? DEFAULT_ZONE_OPTIONS.borderBand;
    if (!(borderBand >= 0 && borderBand <= 1)) {
      throw new RangeError(`zone border band must be from 0 to 1 (of a box height), got ${borderBand}`);
    }
    this.#cameraId = cameraId;
    this.#inertia = inertia;
    this.#borderBand = borderBand;
    const share = options.maxBandShare ?? DEFAULT_ZONE_OPTIONS.maxBandShare;
    if (!(share >= 0 && share <= 0.5)) {
      throw new RangeError(`zone band share must be from 0 to 0.5 (of the area's thickness), got ${share}`);
    }
    this.#maxBandShare = share;
    this.#zones = zones.map(compile);
  }

  /** Number of tracks holding state here (0 once every track has ended). */
  get size(): number {
    return this.#tracks.size;
  }

  /** Frames in a row that confirm an entry or an exit. */
  get inertiaFrames(): number {
    return this.#inertia;
  }

  get zones(): readonly ZoneDef[] {
    return this.#zones.map((z) => z.def);
  }

  /**
   * One observation of a track's foot point at time `at` (integer ms), with the height of its box (for
   * the border band; 0 turns the band off for this observation); events are pushed onto `out`.
   * `presentSince`, on a track's first observation: the person was already there when counting
   * started at that time, so the areas holding the foot point count them inside from then.
   */
  update(
    trackId: number,
    x: number,
    y: number,
    at: number,
    out: TrackingEvent[],
    boxHeight = 0,
    presentSince?: number,
  ): void {
    const zones = this.#zones;
    const nz = zones.length;
    let t = this.#tracks.get(trackId);
    if (t === undefined) {
      t = newTrackZones(nz, at);
      this.#tracks.set(trackId, t);
      if (presentSince !== undefined) this.#presentAtStart(trackId, t, x, y, Math.min(at, presentSince), out);
    }
    t.lastAt = at;
    const inertia = this.#inertia;
    const band = this.#borderBand * boxHeight;
    for (let z = 0; z < nz; z++) {
      const zone = zones[z]!;
      let raw = pointInPolygon(zone.poly, x, y) ? 1 : 0;
      // First frame outside the polygon in the current run: the time an exit is dated at.
      if (raw === 1) t.outAt[z] = Number.NaN;
      else if (t.inside[z] === 1 && Number.isNaN(t.outAt[z]!)) t.outAt[z] = at;
      // Within the border band outside the area a person inside stays inside (hysteresis on leaving only:
      // a band on entering too kept people lingering just inside the edge out for good).
      if (
        raw === 0 &&
        t.inside[z] === 1 &&
        band > 0 &&
        distanceToEdges(zone.poly, x, y) < this.#bandAt(zone, band, x, y)
      ) {
        raw = 1;
      }
      if (raw === t.inside[z]) {
        t.streak[z] = 0;
        continue;
      }
      if (t.streak[z] === 0) t.streakAt[z] = at;
      t.streak[z]! += 1;
      if (t.streak[z]! < inertia) continue;
      const since = t.streakAt[z]!;
      t.streak[z] = 0;
      if (raw === 1) this.#enter(trackId, t, z, since, out);
      else this.#leave(trackId, t, z, steppedOut(t, z, since), out);
    }
  }

  /** The border band at a foot point: never more than `maxBandShare` of the area's thickness there. */
  #bandAt(zone: CompiledZone, band: number, x: number, y: number): number {
    return Math.min(band, this.#maxBandShare * thicknessAt(zone.poly, x, y));
  }

  #presentAtStart(
    trackId: number,
    t: TrackZones,
    x: number,
    y: number,
    since: number,
    out: TrackingEvent[],
  ): void {
    for (let z = 0; z < this.#zones.length; z++) {
      const zone = this.#zones[z]!;
      if (!pointInPolygon(zone.poly, x, y)) continue;
      this.#enter(trackId, t, z, since, out);
      zone.presentAtStart++;
    }
  }

  #enter(trackId: number, t: TrackZones, z: number, since: number, out: TrackingEvent[]): void {
    const zone = this.#zones[z]!;
    t.inside[z] = 1;
    t.outAt[z] = Number.NaN;
    t.streak[z] = 0;
    t.enteredAt[z] = since;
    t.entries[z]! += 1;
    zone.entries++;
    zone.occupancy++;
    out.push({ kind: 'zone_entered', cameraId: this.#cameraId, at: since, trackId, zoneId: zone.def.id });
  }

  /**
   * Closes the track: a person still inside an area leaves it at their last sighting (or when they were
   * first seen outside, if that was not yet confirmed). `stopped`: counting stops here (end of a
   * recording, see `ZoneOptions`): an entry still waiting for the inertia counts, and those inside are
   * tallied in `presentAtStop`. Returns the time spent per area for the visit and forgets the track.
   */
  end(trackId: number, out: TrackingEvent[], stopped = false): ZoneTime[] {
    const t = this.#tracks.get(trackId);
    if (t === undefined) return [];
    this.#tracks.delete(trackId);
    const zones = this.#zones;
    const times: ZoneTime[] = t.retired ?? [];
    for (let z = 0; z < zones.length; z++) {
      // A stay still open when counting stops: pending entries count, and it closes at the last sighting.
      if (stopped && t.streak[z]! > 0 && t.inside[z] === 0) this.#enter(trackId, t, z, t.streakAt[z]!, out);
      const pendingExit = t.streak[z]! > 0;
      if (t.inside[z] === 1 && stopped && !pendingExit) zones[z]!.presentAtStop++;
      if (t.inside[z] === 1)
        this.#leave(trackId, t, z, steppedOut(t, z, pendingExit ? t.streakAt[z]! : t.lastAt), out);
      if (t.entries[z]! > 0)
        times.push({ zoneId: zones[z]!.def.id, dwellMs: t.dwell[z]!, entries: t.entries[z]! });
    }
    return times;
  }

  /** Closes every track as counting stops (end of a recording). */
  endAll(out: TrackingEvent[]): Map<number, ZoneTime[]> {
    const result = new Map<number, ZoneTime[]>();
    for (const id of [...this.#tracks.keys()]) result.set(id, this.end(id, out, true));
    return result;
  }

  /** Time spent by a track in an area so far, the current stay included up to `at` (default: its last sighting). */
  dwell(trackId: number, zoneId: string, at?: number): number {
    const t = this.#tracks.get(trackId);
    const z = this.#zones.findIndex((zone) => zone.def.id === zoneId);
    if (t === undefined || z < 0) return 0;
    const open = t.inside[z] === 1 ? Math.max(0, (at ?? t.lastAt) - t.enteredAt[z]!) : 0;
    return t.dwell[z]! + open;
  }

  /** Ids of the areas the track is confirmed inside. */
  insideOf(trackId: number): string[] {
    const t = this.#tracks.get(trackId);
    if (t === undefined) return [];
    return this.#zones.filter((_, z) => t.inside[z] === 1).map((zone) => zone.def.id);
  }

  occupancy(): Map<string, number> {
    return new Map(this.#zones.map((z) => [z.def.id, z.occupancy]));
  }

  counts(): ZoneCount[] {
    return this.#zones.map((z) => ({
      zoneId: z.def.id,
      name: z.def.name,
      entries: z.entries,
      exits: z.exits,
      dwellMs: z.dwellMs,
      occupancy: z.occupancy,
      presentAtStart: z.presentAtStart,
      presentAtStop: z.presentAtStop,
    }));
  }

  /**
   * Replaces the areas without losing the people: areas kept (same id) keep who is inside and their
   * totals (a changed polygon takes effect through the usual inertia); people inside a removed area
   * leave it now (events on `out`); new areas start empty.
   */
  setZones(zones: readonly ZoneDef[], out: TrackingEvent[]): void {
    const old = this.#zones;
    const next = zones.map((def) => {
      const kept = old.find((z) => z.def.id === def.id);
      return kept ? { ...kept, def, poly: packPolygon(def.polygon) } : compile(def);
    });
    const from = next.map((z) => old.findIndex((o) => o.def.id === z.def.id));
    const removed = old.map((_, i) => i).filter((i) => !from.includes(i));
    for (const [trackId, t] of this.#tracks) {
      for (const z of removed) {
        if (t.inside[z] === 1)
          this.#leave(trackId, t, z, steppedOut(t, z, t.streak[z]! > 0 ? t.streakAt[z]! : t.lastAt), out);
        if (t.entries[z]! > 0) {
          t.retired ??= [];
          t.retired.push({ zoneId: old[z]!.def.id, dwellMs: t.dwell[z]!, entries: t.entries[z]! });
        }
      }
      const moved = newTrackZones(next.length, t.lastAt);
      moved.retired = t.retired;
      from.forEach((o, z) => {
        if (o < 0) return;
        moved.inside[z] = t.inside[o]!;
        moved.streak[z] = t.streak[o]!;
        moved.entries[z] = t.entries[o]!;
        moved.streakAt[z] = t.streakAt[o]!;
        moved.outAt[z] = t.outAt[o]!;
        moved.enteredAt[z] = t.enteredAt[o]!;
        moved.dwell[z] = t.dwell[o]!;
      });
      this.#tracks.set(trackId, moved);
    }
    this.#zones = next;
  }

  #leave(trackId: number, t: TrackZones, z: number, at: number, out: TrackingEvent[]): void {
    const zone = this.#zones[z]!;
    const dwellMs = Math.max(0, at - t.enteredAt[z]!);
    t.inside[z] = 0;
    t.outAt[z] = Number.NaN;
    t.streak[z] = 0;
    t.dwell[z]! += dwellMs;
    zone.exits++;
    zone.occupancy--;
    zone.dwellMs += dwellMs;
    out.push({ kind: 'zone_left', cameraId: this.#cameraId, at, trackId, zoneId: zone.def.id, dwellMs });
  }
}

/** When a person leaving area `z` at `at` stepped out of its polygon (earlier when they were in the band). */
function steppedOut(t: TrackZones, z: number, at: number): number {
  const o = t.outAt[z]!;
  return Number.isNaN(o) ? at : Math.min(o, at);
}

function compile(def: ZoneDef): CompiledZone {
  return {
    def,
    poly: packPolygon(def.polygon),
    occupancy: 0,
    entries: 0,
    exits: 0,
    dwellMs: 0,
    presentAtStart: 0,
    presentAtStop: 0,
  };
}

function newTrackZones(n: number, at: number): TrackZones {
  return {
    inside: new Uint8Array(n),
    streak: new Uint32Array(n),
    entries: new Uint32Array(n),
    streakAt: new Float64Array(n),
    outAt: new Float64Array(n).fill(Number.NaN),
    enteredAt: new Float64Array(n),
    dwell: new Float64Array(n),
    lastAt: at,
    retired: undefined,
  };
}
