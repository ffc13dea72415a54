/**
 * Instants as the store's clocks show them, for people reading an export (machines get UTC ISO
 * times from the other endpoints).
 */

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/**
 * The store's wall-clock time at `at` (to the second) as a Date whose UTC fields hold it: what a
 * spreadsheet shows, since its dates carry no zone.
 */
export function wallClock(at: Date, timeZone: string): Date {
  const ms = Math.floor(at.getTime() / 1000) * 1000;
  return new Date(ms + zoneOffsetMs(ms, timeZone));
}

/** Offsets by zone and quarter hour: zones change offset only on a quarter hour of UTC. */
const offsets = new Map<string, number>();
const QUARTER_MS = 900_000;

/**
 * The zone's offset from UTC at `ms` (the wall clock read as UTC, minus the instant, to the second),
 * from Intl once per quarter hour.
 */
export function zoneOffsetMs(at: number, timeZone: string): number {
  const ms = Math.floor(at / 1000) * 1000;
  const key = `${timeZone}|${Math.floor(ms / QUARTER_MS)}`;
  let offset = offsets.get(key);
  if (offset === undefined) {
    const p: Record<string, number> = {};
    for (const part of formatter(timeZone).formatToParts(new Date(ms))) {
      if (part.type !== 'literal') p[part.type] = Number(part.value);
    }
    offset = Date.UTC(p.year!, p.month! - 1, p.day!, p.hour!, p.minute!, p.second!) - ms;
    if (offsets.size > 50_000) offsets.clear();
    offsets.set(key, offset);
  }
  return offset;
}

/** `2026-11-24 14:05:00` in the store's zone. */
export function localDateTime(at: Date, timeZone: string): string {
  return wallClock(at, timeZone).toISOString().slice(0, 19).replace('T', ' ');
}

/** `2026-11-24` in the store's zone. */
export function localDate(at: Date, timeZone: string): string {
  return wallClock(at, timeZone).toISOString().slice(0, 10);
}

/**
 * The instant the store's clock shows as `wall` (a Date whose UTC fields hold the local time). In the
 * hour skipped when clocks go forward there is none: the first instant after the gap is taken (a day
 * whose midnight is skipped starts when the clocks jump).
 */
export function fromWallClock(wall: Date, timeZone: string): Date {
  const w = wall.getTime();
  const guess = w - zoneOffsetMs(w, timeZone);
  const t = w - zoneOffsetMs(guess, timeZone);
  const seen = wallClock(new Date(t), timeZone).getTime();
  const wanted = Math.floor(w / 1000) * 1000;
  return new Date(seen < wanted ? t + (wanted - seen) : t);
}

/** The wall clock of `at` to the millisecond (wallClock keeps whole seconds). */
function exactWall(at: Date, timeZone: string): Date {
  const ms = at.getTime();
  return new Date(wallClock(at, timeZone).getTime() + (ms - Math.floor(ms / 1000) * 1000));
}

/** The same clock time `days` days away on the store's clock (across a clock change too). */
export function shiftLocalDays(at: Date, days: number, timeZone: string): Date {
  const wall = exactWall(at, timeZone);
  wall.setUTCDate(wall.getUTCDate() + days);
  return fromWallClock(wall, timeZone);
}

/** The same date and clock time `years` years away on the store's clock (29 February: 1 March). */
export function shiftLocalYears(at: Date, years: number, timeZone: string): Date {
  const wall = exactWall(at, timeZone);
  wall.setUTCFullYear(wall.getUTCFullYear() + years);
  return fromWallClock(wall, timeZone);
}
