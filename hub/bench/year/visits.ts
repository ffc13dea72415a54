/**
 * One store's day of visitors as the box would report them: per visit a track start, the door line in,
 * zero to two areas (entered, left), the door line out, the closed visit with its path and the track
 * end. Events come back sorted by time, as the box's outbox numbers them.
 */
import type { EventOf, TrackingEvent } from '@oskartrack/protocol';
import { arrivalFraction, type SimCamera, type SimStore } from './chain.ts';

/** Events of a visit that passes `z` areas. */
export const eventsPerVisit = (z: number) => 5 + 2 * z;
/** Areas visited: none 20 %, one 50 %, two 30 % (7.2 events per visit on average). */
export const AVERAGE_EVENTS_PER_VISIT = 0.2 * 5 + 0.5 * 7 + 0.3 * 9;
const PATH_POINTS = 10;

export interface SimVisit {
  camera: SimCamera;
  closed: EventOf<'visit_closed'>;
}

/** Track ids per camera keep growing over the year, as a box's tracker numbers them. */
export type TrackCounters = Map<string, number>;

function pickCamera(store: SimStore, r: number): SimCamera {
  let acc = 0;
  for (const c of store.cameras) {
    acc += c.weight;
    if (r < acc) return c;
  }
  return store.cameras.at(-1)!;
}

/** A stay of one to forty minutes, most around six (log-normal-ish). */
function durationMs(rnd: () => number): number {
  const minutes = Math.exp(Math.log(6) + 0.8 * (rnd() + rnd() + rnd() - 1.5));
  return Math.round(Math.min(40, Math.max(1, minutes)) * 60_000);
}

function visitEvents(
  camera: SimCamera,
  trackId: number,
  at: number,
  dur: number,
  rnd: () => number,
): { events: TrackingEvent[]; closed: EventOf<'visit_closed'> } {
  const cameraId = camera.id;
  const end = at + dur;
  const r = rnd();
  const areaCount = Math.min(camera.zoneIds.length, r < 0.2 ? 0 : r < 0.7 ? 1 : 2);
  const first = Math.floor(rnd() * camera.zoneIds.length);
  const events: TrackingEvent[] = [
    { kind: 'track_started', cameraId, at, trackId, box: [200, 300, 60, 160] },
    { kind: 'line_crossed', cameraId, at: at + 1000, trackId, lineId: camera.lineId, direction: 'in' },
  ];
  const zones: { zoneId: string; dwellMs: number; entries: number }[] = [];
  const slot = (dur - 4000) / Math.max(1, areaCount);
  for (let k = 0; k < areaCount; k++) {
    const zoneId = camera.zoneIds[(first + k) % camera.zoneIds.length]!;
    const enter = at + 2000 + Math.round(k * slot);
    const dwellMs = Math.round(slot * (0.4 + 0.5 * rnd()));
    events.push(
      { kind: 'zone_entered', cameraId, at: enter, trackId, zoneId },
      { kind: 'zone_left', cameraId, at: enter + dwellMs, trackId, zoneId, dwellMs },
    );
    zones.push({ zoneId, dwellMs, entries: 1 });
  }
  const x0 = 40 + rnd() * 560;
  const path = Array.from({ length: PATH_POINTS }, (_, k) => ({
    at: at + Math.round((k * dur) / (PATH_POINTS - 1)),
    point: [
      Math.round(Math.min(639, Math.max(0, x0 + (rnd() - 0.5) * 160))),
      Math.round(470 - (k * 430) / (PATH_POINTS - 1)),
    ] as [number, number],
  }));
  const closed: EventOf<'visit_closed'> = {
    kind: 'visit_closed',
    cameraId,
    at: end,
    trackId,
    startedAt: at,
    durationMs: dur,
    path,
    zones,
  };
  events.push(
    { kind: 'line_crossed', cameraId, at: end - 1000, trackId, lineId: camera.lineId, direction: 'out' },
    closed,
    { kind: 'track_ended', cameraId, at: end, trackId, firstSeen: at, durationMs: dur },
  );
  return { events, closed };
}

/** `count` visits between `open` and `close`; everyone has left by closing time. */
export function storeDay(
  store: SimStore,
  open: number,
  close: number,
  count: number,
  tracks: TrackCounters,
  rnd: () => number,
): { events: TrackingEvent[]; visits: SimVisit[] } {
  const all: { e: TrackingEvent; i: number }[] = [];
  const visits: SimVisit[] = [];
  const span = close - open;
  for (let v = 0; v < count; v++) {
    const camera = pickCamera(store, rnd());
    const dur = Math.min(durationMs(rnd), Math.max(60_000, span / 4));
    const at = Math.round(open + arrivalFraction(rnd) * (span - dur));
    const trackId = (tracks.get(camera.id) ?? 0) + 1;
    tracks.set(camera.id, trackId);
    const { events, closed } = visitEvents(camera, trackId, at, dur, rnd);
    for (const e of events) all.push({ e, i: all.length });
    visits.push({ camera, closed });
  }
  all.sort((a, b) => a.e.at - b.e.at || a.i - b.i);
  return { events: all.map((x) => x.e), visits };
}
