/** The retry rule: 30 s doubling to 1 h, jitter only shortening (by at most a fifth), 24 h in all. */
import { describe, expect, it } from 'vitest';
import {
  deliveryState,
  GIVEN_UP_AT,
  nextAttempt,
  retryDelayMs,
} from '../../../src/alerts/delivery/schedule.ts';

const S = 1000;
const H = 3_600_000;

describe('retry schedule', () => {
  it('waits 30 s after the first failure, doubling, never more than an hour', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8, 9, 30].map((n) => retryDelayMs(n, 0))).toEqual([
      30 * S,
      60 * S,
      120 * S,
      240 * S,
      480 * S,
      960 * S,
      1920 * S,
      H,
      H,
      H,
    ]);
  });

  it('jitter shortens a wait by at most a fifth and never lengthens it', () => {
    expect(retryDelayMs(1, 0.999_999)).toBe(24 * S);
    expect(retryDelayMs(20, 0.5)).toBe(0.9 * H);
    for (const r of [0, 0.25, 0.5, 0.75, 0.99]) {
      expect(retryDelayMs(8, r)).toBeLessThanOrEqual(H);
      expect(retryDelayMs(8, r)).toBeGreaterThanOrEqual(0.8 * H);
    }
  });

  it('gives up when the next try would fall after 24 hours', () => {
    const created = new Date('2026-01-01T00:00:00Z');
    const t0 = created.getTime();
    expect(nextAttempt(created, 1, t0, 0)?.getTime()).toBe(t0 + 30 * S);
    expect(nextAttempt(created, 20, t0 + 23 * H, 0)?.getTime()).toBe(t0 + 24 * H);
    expect(nextAttempt(created, 20, t0 + 23 * H + 1, 0)).toBeNull();
  });

  it('tells delivered, waiting and failed apart', () => {
    const now = new Date();
    expect(deliveryState({ deliveredAt: now, nextAttemptAt: now })).toBe('delivered');
    expect(deliveryState({ deliveredAt: null, nextAttemptAt: now })).toBe('waiting');
    expect(deliveryState({ deliveredAt: null, nextAttemptAt: GIVEN_UP_AT })).toBe('failed');
  });
});
