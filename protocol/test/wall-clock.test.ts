/**
 * The store's wall clock: across daylight-saving changes (either side of the instant the clocks
 * move), in a half-hour and a quarter-hour zone, and against Intl's own formatting (Sweden writes
 * dates in the ISO order) for instants spread over two years.
 */
import { describe, expect, it } from 'vitest';
import { localDate, localDateTime, wallClock } from '../src/wall-clock.ts';

const formats = new Map<string, Intl.DateTimeFormat>();
/** Intl's own `2026-11-24 14:05:00` (Sweden writes dates in the ISO order). */
function intl(ms: number, timeZone: string): string {
  let f = formats.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('sv-SE', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formats.set(timeZone, f);
  }
  return f.format(new Date(ms));
}

/** Intl's offset at `ms` in minutes (its wall clock read as UTC, minus the instant). */
function intlOffset(ms: number, timeZone: string): number {
  return (Date.parse(`${intl(ms, timeZone).replace(' ', 'T')}Z`) - Math.floor(ms / 1000) * 1000) / 60_000;
}

describe('local times for exports', () => {
  it('follows the clocks as they change for summer time', () => {
    const spring = Date.parse('2026-03-29T01:00:00Z'); // London: 01:00 GMT becomes 02:00 BST
    expect(localDateTime(new Date(spring - 1000), 'Europe/London')).toBe('2026-03-29 00:59:59');
    expect(localDateTime(new Date(spring), 'Europe/London')).toBe('2026-03-29 02:00:00');
    const autumn = Date.parse('2026-11-01T06:00:00Z'); // New York: 02:00 EDT becomes 01:00 EST
    expect(localDateTime(new Date(autumn - 1000), 'America/New_York')).toBe('2026-11-01 01:59:59');
    expect(localDateTime(new Date(autumn), 'America/New_York')).toBe('2026-11-01 01:00:00');
  });

  it('writes the day and the time in zones off the whole hour, dropping milliseconds', () => {
    const at = new Date('2026-11-24T19:05:00.999Z');
    expect(localDateTime(at, 'Asia/Kolkata')).toBe('2026-11-25 00:35:00');
    expect(localDate(at, 'Asia/Kolkata')).toBe('2026-11-25');
    expect(localDateTime(at, 'Asia/Kathmandu')).toBe('2026-11-25 00:50:00');
    expect(localDate(at, 'America/New_York')).toBe('2026-11-24');
    expect(wallClock(at, 'UTC').toISOString()).toBe('2026-11-24T19:05:00.000Z');
  });

  it('agrees with Intl for instants spread over two years in several zones', () => {
    const zones = ['Europe/Berlin', 'America/Los_Angeles', 'Australia/Lord_Howe', 'Pacific/Chatham', 'UTC'];
    const start = Date.parse('2025-01-01T00:00:00Z');
    for (let i = 0; i < 2000; i++) {
      // 7 h 13 min 17 s apart: every hour of the day and every quarter, both sides of each change.
      const ms = start + i * 26_000_000 + (i % 7) * 1000;
      for (const zone of zones) expect(localDateTime(new Date(ms), zone)).toBe(intl(ms, zone));
    }
  });

  it('agrees with Intl minute by minute in every hour the clocks change in 2026', () => {
    const zones = ['Europe/Berlin', 'America/Los_Angeles', 'Australia/Lord_Howe', 'Pacific/Chatham'];
    const start = Date.parse('2026-01-01T00:00:00Z');
    let changes = 0;
    for (const zone of zones) {
      for (let h = start; h < start + 365 * 24 * 3_600_000; h += 3_600_000) {
        if (intlOffset(h, zone) === intlOffset(h + 3_600_000, zone)) continue;
        changes++;
        for (let ms = h; ms <= h + 3_600_000; ms += 60_000 + 7_000) {
          expect(localDateTime(new Date(ms), zone), `${zone} at ${new Date(ms).toISOString()}`).toBe(
            intl(ms, zone),
          );
        }
      }
    }
    // Each of these zones changes twice a year.
    expect(changes).toBe(2 * zones.length);
  });
});
