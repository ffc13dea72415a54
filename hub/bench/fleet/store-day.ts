/**
 * What one shop's box reports on a busy day: people come in through the door, walk through the fresh
 * food area, half of them queue at the tills, and leave; several are inside at once, so their events
 * interleave. Each visit gives 7 or 9 events (track started, line crossed in, area entered / left once
 * or twice, line crossed out, track ended, visit closed with its path and areas).
 *
 * Times: `at` is the real clock when the event is made (the hub checks it against its own clock);
 * dwell times and visit lengths are the shop's own, a few seconds to minutes.
 */
import type { TrackingEvent } from '@oskartrack/protocol';

/** Mean events per visit (7 or 9 with even odds). */
export const EVENTS_PER_VISIT = 8;

export interface ShopLayout {
  cameraId: string;
  lineId: string;
  /** Tills first, then the fresh food area. */
  zoneIds: string[];
}

/** A busy shop's day (08:00-21:00): how busy each hour is against its peak (lunch and after work). */
export function busyness(hourOfDay: number): number {
  const lunch = Math.exp(-((hourOfDay - 12.5) ** 2) / 2);
  const evening = Math.exp(-((hourOfDay - 18) ** 2) / 2.5);
  return Math.min(1, 0.25 + 0.75 * Math.max(lunch, evening));
}

/** Events of one visit, made lazily: the next one when asked. */
function* visit(shop: ShopLayout, trackId: number, random: () => number): Generator<TrackingEvent> {
  const cameraId = shop.cameraId;
  const started = Date.now();
  const x = Math.round(100 + random() * 1000);
  yield { kind: 'track_started', cameraId, at: Date.now(), trackId, box: [x, 500, 80, 200] };
  yield { kind: 'line_crossed', cameraId, at: Date.now(), trackId, lineId: shop.lineId, direction: 'in' };
  const fresh = shop.zoneIds[1]!;
  const freshDwell = Math.round(20_000 + random() * 240_000);
  yield { kind: 'zone_entered', cameraId, at: Date.now(), trackId, zoneId: fresh };
  yield { kind: 'zone_left', cameraId, at: Date.now(), trackId, zoneId: fresh, dwellMs: freshDwell };
  const zones = [{ zoneId: fresh, dwellMs: freshDwell, entries: 1 }];
  if (random() < 0.5) {
    const tills = shop.zoneIds[0]!;
    const tillsDwell = Math.round(30_000 + random() * 180_000);
    yield { kind: 'zone_entered', cameraId, at: Date.now(), trackId, zoneId: tills };
    yield { kind: 'zone_left', cameraId, at: Date.now(), trackId, zoneId: tills, dwellMs: tillsDwell };
    zones.push({ zoneId: tills, dwellMs: tillsDwell, entries: 1 });
  }
  yield { kind: 'line_crossed', cameraId, at: Date.now(), trackId, lineId: shop.lineId, direction: 'out' };
  const durationMs = Math.max(
    Date.now() - started,
    zones.reduce((s, z) => s + z.dwellMs, 0),
  );
  const firstSeen = Math.max(0, Date.now() - durationMs);
  yield { kind: 'track_ended', cameraId, at: Date.now(), trackId, firstSeen, durationMs };
  const path = Array.from({ length: 12 }, (_, k) => ({
    at: firstSeen + Math.round((durationMs * k) / 11),
    point: [Math.round(100 + random() * 1000), Math.round(150 + random() * 500)] as [number, number],
  }));
  yield {
    kind: 'visit_closed',
    cameraId,
    at: Date.now(),
    trackId,
    startedAt: firstSeen,
    durationMs,
    path,
    zones,
  };
}

/** A tiny seeded generator (mulberry32): each box's day differs, every run is the same. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The shop's stream of events: up to `inside` visits open at once, their events interleaved. */
export class ShopDay {
  private readonly random: () => number;
  private readonly open: Generator<TrackingEvent>[] = [];
  private nextTrack = 1;

  constructor(
    private readonly shop: ShopLayout,
    seed: number,
    private readonly inside = 12,
  ) {
    this.random = seeded(seed);
  }

  next(count: number): TrackingEvent[] {
    const out: TrackingEvent[] = [];
    while (out.length < count) {
      if (this.open.length < this.inside) this.open.push(visit(this.shop, this.nextTrack++, this.random));
      const k = Math.floor(this.random() * this.open.length);
      const step = this.open[k]!.next();
      if (step.done) this.open.splice(k, 1);
      else out.push(step.value);
    }
    return out;
  }
}
