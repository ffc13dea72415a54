/**
 * A store's opening hours in its own time zone: every figure and chart counts only open time, so nights
 * and closed days do not dilute averages. No opening hours means open around the clock.
 */
import { type Static, Type } from '@sinclair/typebox';

/** `HH:MM`, 24-hour clock, local time. `24:00` may close a day. */
export const ClockTime = Type.String({ pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$|^24:00$' });

/** One opening on a weekday (0 Sunday ... 6 Saturday); `close` after `open` (no overnight spans). */
export const OpeningPeriod = Type.Object({
  day: Type.Integer({ minimum: 0, maximum: 6 }),
  open: ClockTime,
  close: ClockTime,
});
export type OpeningPeriod = Static<typeof OpeningPeriod>;

export const OpeningHours = Type.Object({
  /** The weekly hours; a weekday without a period is a closed day. */
  week: Type.Array(OpeningPeriod, { maxItems: 28 }),
  /** Local dates (`YYYY-MM-DD`) the store is closed although the week says open (holidays). */
  closedDates: Type.Array(Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$' }), { maxItems: 366 }),
});
export type OpeningHours = Static<typeof OpeningHours>;
