/**
 * Summary buckets. Hours are UTC hours (every real time zone is a whole number of hours from UTC
 * except a few half- and quarter-hour ones, where an hour row straddles two local hours: acceptable
 * for charts). Days follow the store's own time zone (`stores.timezone`, an IANA name, UTC by
 * default): a day bucket starts at the store's local midnight, written as the UTC instant.
 */
import { zoneOffsetMs } from '@oskartrack/protocol';

export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

export function hourStart(ms: number): number {
  return Math.floor(ms / HOUR_MS) * HOUR_MS;
}

const dayCache = new Map<string, number>();

/**
 * The instant the store-local day holding `ms` started. Where midnight does not exist (a daylight
 * saving jump at 00:00) the day starts at the first local minute that does.
 */
export function dayStart(ms: number, timeZone = 'UTC'): number {
  if (timeZone === 'UTC' || timeZone === 'Etc/UTC') return Math.floor(ms / DAY_MS) * DAY_MS;
  // Every instant of one UTC hour lies in one local day unless that zone's midnight falls inside the
  // hour (half-hour zones): cache by the minute then, by the hour otherwise.
  const key = `${timeZone}|${Math.floor(ms / 60_000)}`;
  const hit = dayCache.get(key);
  if (hit !== undefined) return hit;
  const local = ms + zoneOffsetMs(ms, timeZone);
  const midnightWall = Math.floor(local / DAY_MS) * DAY_MS;
  let t = midnightWall - zoneOffsetMs(midnightWall, timeZone);
  t = midnightWall - zoneOffsetMs(t, timeZone);
  // Past a DST gap the computed instant can land on the previous day's late evening, or after `ms`.
  if (t > ms) t = midnightWall - zoneOffsetMs(ms, timeZone);
  t = Math.floor(t / 60_000) * 60_000;
  if (dayCache.size > 50_000) dayCache.clear();
  dayCache.set(key, t);
  return t;
}

/** The start of the store-local day after the one holding `ms`. */
export function nextDayStart(ms: number, timeZone = 'UTC'): number {
  const start = dayStart(ms, timeZone);
  // A local day lasts 23 to 25 hours: 26 hours on is always inside the next one.
  return dayStart(start + 26 * HOUR_MS, timeZone);
}
