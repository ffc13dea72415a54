/**
 * When a failed delivery is tried again, and when it is given up. Pure, so the rule is tested alone.
 *
 * The rule: after the n-th failed attempt the next one is due 30 s × 2^(n−1) later, at most 1 h,
 * shortened by up to a fifth at random (jitter, so many deliveries that failed together do not all
 * retry in the same second). A delivery not delivered within 24 h of its creation is given up: its
 * `last_error` starts with "Gave up" and its `next_attempt_at` is GIVEN_UP_AT, which no clock reaches,
 * so no worker claims it again; `delivered_at` stays null.
 */

export const FIRST_RETRY_MS = 30_000;
export const LONGEST_RETRY_MS = 3_600_000;
export const GIVE_UP_AFTER_MS = 24 * 3_600_000;
/** The `next_attempt_at` of a given-up delivery (a real timestamp, so every reader can parse it). */
export const GIVEN_UP_AT = new Date('9999-12-31T00:00:00.000Z');
export const GAVE_UP_PREFIX = 'Gave up';

/** The wait after the `attempts`-th failure (attempts ≥ 1); `random` in [0, 1). */
export function retryDelayMs(attempts: number, random: number): number {
  const base = Math.min(FIRST_RETRY_MS * 2 ** Math.max(0, attempts - 1), LONGEST_RETRY_MS);
  return Math.round(base * (1 - 0.2 * random));
}

/** The next attempt after a failure at `now`, or null when the delivery is to be given up. */
export function nextAttempt(createdAt: Date, attempts: number, now: number, random: number): Date | null {
  const next = now + retryDelayMs(attempts, random);
  return next > createdAt.getTime() + GIVE_UP_AFTER_MS ? null : new Date(next);
}

/** Whether a delivery is past its 24 hours (it is given up instead of sent). */
export function expired(createdAt: Date, now: number): boolean {
  return now > createdAt.getTime() + GIVE_UP_AFTER_MS;
}

export type DeliveryState = 'delivered' | 'waiting' | 'failed';

/** What the dashboard shows for a delivery row. */
export function deliveryState(row: { deliveredAt: Date | null; nextAttemptAt: Date }): DeliveryState {
  if (row.deliveredAt) return 'delivered';
  return row.nextAttemptAt.getTime() >= GIVEN_UP_AT.getTime() ? 'failed' : 'waiting';
}
