/**
 * Which source answers flows and heatmaps, and the store-local days a range covers when the daily
 * summaries answer. Raw events and visits answer while the range is short (`maxRawRangeMs`) and all
 * its detail is still there; longer ranges, and ranges reaching where retention removed detail, are read
 * from the daily summaries, widened to the whole store-local days they touch.
 */
import { isOpenDate, localDate, type OpeningHours } from '@oskartrack/protocol';
import { ValidationError } from '../db/errors.ts';
import type { Source } from './analytics.ts';

const DAY_MS = 86_400_000;
/** The longest range the daily summaries answer (ten years of days). */
export const MAX_SUMMARY_DAYS = 3660;

export interface StoreKeeping {
  timezone: string;
  openingHours: OpeningHours | null;
  /** Set by the retention job: detail before it may be gone. */
  rawRemovedBefore: Date | null;
}

export function movementSource(store: StoreKeeping, from: Date, to: Date, maxRawRangeMs: number): Source {
  const short = to.getTime() - from.getTime() <= maxRawRangeMs;
  const kept = !store.rawRemovedBefore || from.getTime() >= store.rawRemovedBefore.getTime();
  return short && kept ? 'raw' : 'summaries';
}

export function addDays(day: string, n: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + n * DAY_MS).toISOString().slice(0, 10);
}

/** The store-local days [fromDay, toDay) that [from, to) touches, and those the store is closed all day. */
export function daysOf(
  store: StoreKeeping,
  from: Date,
  to: Date,
): { fromDay: string; toDay: string; closedDays: string[] } {
  const fromDay = localDate(from, store.timezone);
  const toDay = addDays(localDate(new Date(to.getTime() - 1), store.timezone), 1);
  const closedDays: string[] = [];
  let n = 0;
  for (let d = fromDay; d < toDay; d = addDays(d, 1)) {
    if (++n > MAX_SUMMARY_DAYS)
      throw new ValidationError(`choose a range of at most ${MAX_SUMMARY_DAYS} days`);
    if (!isOpenDate(store.openingHours, d)) closedDays.push(d);
  }
  return { fromDay, toDay, closedDays };
}
