/**
 * The simulated chain of a year benchmark: stores with opening hours, a box each, two or three
 * cameras with a door line and a few areas each, and how busy each store is on each day. Everything
 * comes from a seeded random generator, so two runs with the same arguments give the same data.
 */
import type { OpeningHours } from '@oskartrack/protocol';
import { zoneOffsetMs } from '@oskartrack/protocol';

export const DAY_MS = 86_400_000;
const TIME_ZONES = ['Europe/Berlin', 'Europe/London', 'Europe/Paris', 'Europe/Madrid', 'Europe/Warsaw'];

/** mulberry32: small, fast, seedable (the data must repeat run to run, not be secure). */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface SimCamera {
  id: string;
  lineId: string;
  zoneIds: string[];
  /** Share of the store's visits this camera sees. */
  weight: number;
}

export interface SimStore {
  id: string;
  name: string;
  deviceId: string;
  timezone: string;
  openingHours: OpeningHours;
  /** How busy this store is against the chain's average. */
  size: number;
  cameras: SimCamera[];
}

const pad = (n: number, w: number) => String(n).padStart(w, '0');

/** Mon-Fri 09:00-20:00, Saturday 09:00-18:00; a third of the stores also open Sunday 12:00-17:00. */
function hoursOf(openSunday: boolean, year: number): OpeningHours {
  const week = [1, 2, 3, 4, 5].map((day) => ({ day, open: '09:00', close: '20:00' }));
  week.push({ day: 6, open: '09:00', close: '18:00' });
  if (openSunday) week.push({ day: 0, open: '12:00', close: '17:00' });
  const closedDates = [year, year + 1].flatMap((y) => [`${y}-01-01`, `${y}-12-25`, `${y}-12-26`]);
  return { week, closedDates };
}

export function buildChain(stores: number, year: number, seed = 42): SimStore[] {
  const rnd = seeded(seed);
  return Array.from({ length: stores }, (_, s) => {
    const id = `year-store-${pad(s + 1, 3)}`;
    const cameraCount = rnd() < 0.5 ? 2 : 3;
    const cameras = Array.from({ length: cameraCount }, (_, c) => {
      const camId = `${id}-cam-${c + 1}`;
      const zones = c === 0 ? 2 : 2 + Math.floor(rnd() * 2);
      return {
        id: camId,
        lineId: `${camId}-door`,
        zoneIds: Array.from({ length: zones }, (_, z) => `${camId}-area-${z + 1}`),
        weight: c === 0 ? 0.5 : 0.5 / (cameraCount - 1),
      };
    });
    return {
      id,
      name: `Store ${pad(s + 1, 3)}`,
      deviceId: `${id}-box`,
      timezone: TIME_ZONES[s % TIME_ZONES.length]!,
      openingHours: hoursOf(rnd() < 0.33, year),
      size: 0.5 + rnd(),
      cameras,
    };
  });
}

/** A store's opening on one local date (`wallDate`: its midnight written as UTC): UTC instants, or null. */
export function openingOn(store: SimStore, wallDate: number): { open: number; close: number } | null {
  const date = new Date(wallDate);
  const iso = date.toISOString().slice(0, 10);
  if (store.openingHours.closedDates.includes(iso)) return null;
  const period = store.openingHours.week.find((p) => p.day === date.getUTCDay());
  if (!period) return null;
  const at = (hhmm: string) => {
    const [h, m] = hhmm.split(':').map(Number);
    const wall = wallDate + (h! * 60 + m!) * 60_000;
    // Openings are in the day, never at a daylight saving switch: the offset at noon holds.
    return wall - zoneOffsetMs(wallDate + 12 * 3_600_000, store.timezone);
  };
  return { open: at(period.open), close: at(period.close) };
}

/** Busy Saturdays, quiet Mondays, a December peak and a summer dip. */
export function dayWeight(wallDate: number): number {
  const d = new Date(wallDate);
  const weekday = [0.6, 0.8, 0.85, 0.9, 1.0, 1.25, 1.7][d.getUTCDay()]!;
  const month = d.getUTCMonth();
  const season = month === 11 ? 1.5 : month === 10 ? 1.15 : month === 6 || month === 7 ? 0.85 : 1;
  return weekday * season;
}

/**
 * When in the opening a visitor arrives: a lunch peak and an after-work peak over a steady base,
 * as a fraction of the opening (0..1).
 */
export function arrivalFraction(rnd: () => number): number {
  for (;;) {
    const x = rnd();
    const density =
      0.6 + 0.9 * Math.exp(-(((x - 0.35) / 0.08) ** 2)) + 1.2 * Math.exp(-(((x - 0.78) / 0.1) ** 2));
    if (rnd() * 2.2 < density) return x;
  }
}
