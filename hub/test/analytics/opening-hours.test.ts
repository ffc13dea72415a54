/**
 * Opening hours as rules: `isOpenAt`, `isOpenDuring` and the SQL predicates, across the clocks going
 * forward in London (Sunday 29 March 2026, 01:00 UTC: GMT becomes BST, UTC+1) and back (Sunday 25
 * October 2026, 01:00 UTC: 01:00-02:00 local happens twice). Expectations are worked out by hand from
 * the local times written next to them.
 */
import type { OpeningHours } from '@oskartrack/protocol';
import { isOpenAt, isOpenDuring, openHourCount } from '@oskartrack/protocol';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSql, openSqlByStore, type StoreHours } from '../../src/analytics/opening-hours.ts';
import { queryRows } from '../../src/db/database.ts';
import { BACKENDS, openTestDatabase, type TestDatabase } from '../db/backends.ts';

const LONDON = 'Europe/London';
/** Sunday 10:00-16:00, Monday to Saturday 09:00-18:00; closed Monday 30 March. */
const SHOP: OpeningHours = {
  week: [
    { day: 0, open: '10:00', close: '16:00' },
    ...[1, 2, 3, 4, 5, 6].map((day) => ({ day, open: '09:00', close: '18:00' })),
  ],
  closedDates: ['2026-03-30'],
};
const at = (iso: string) => new Date(iso);

/** [UTC instant, open?] with the London wall clock in the comment. */
const INSTANTS: [string, boolean][] = [
  ['2026-03-28T08:59:00Z', false], // Sat 08:59 GMT
  ['2026-03-28T09:00:00Z', true], // Sat 09:00 GMT: opens
  ['2026-03-28T17:59:00Z', true], // Sat 17:59 GMT
  ['2026-03-28T18:00:00Z', false], // Sat 18:00 GMT: closed
  ['2026-03-29T08:59:00Z', false], // Sun 09:59 BST
  ['2026-03-29T09:00:00Z', true], // Sun 10:00 BST: opens (10:00 GMT a day earlier would be wrong)
  ['2026-03-29T14:59:00Z', true], // Sun 15:59 BST
  ['2026-03-29T15:00:00Z', false], // Sun 16:00 BST: closed
  ['2026-03-30T10:00:00Z', false], // Mon 11:00 BST, a closed date
  ['2026-03-31T07:59:00Z', false], // Tue 08:59 BST
  ['2026-03-31T08:00:00Z', true], // Tue 09:00 BST
];

/** [UTC hour start, open during any part of it?]. */
const HOURS: [string, boolean][] = [
  ['2026-03-28T08:00:00Z', false], // Sat 08:00-09:00 GMT
  ['2026-03-28T17:00:00Z', true], // Sat 17:00-18:00 GMT
  ['2026-03-29T00:00:00Z', false], // Sun 00:00-01:00 GMT (then the clocks skip to 02:00)
  ['2026-03-29T08:00:00Z', false], // Sun 09:00-10:00 BST
  ['2026-03-29T09:00:00Z', true], // Sun 10:00-11:00 BST
  ['2026-03-29T14:00:00Z', true], // Sun 15:00-16:00 BST
  ['2026-03-29T15:00:00Z', false], // Sun 16:00-17:00 BST
  ['2026-03-30T12:00:00Z', false], // Mon 13:00 BST, closed date
];

/** A night shop on the night the clocks go back: Sunday 01:00-03:00 local. */
const NIGHT: OpeningHours = { week: [{ day: 0, open: '01:00', close: '03:00' }], closedDates: [] };
const AUTUMN_INSTANTS: [string, boolean][] = [
  ['2026-10-24T23:59:00Z', false], // 00:59 BST
  ['2026-10-25T00:30:00Z', true], // 01:30 BST
  ['2026-10-25T01:30:00Z', true], // 01:30 GMT, the second time
  ['2026-10-25T02:59:00Z', true], // 02:59 GMT
  ['2026-10-25T03:00:00Z', false], // 03:00 GMT
];
const AUTUMN_HOURS: [string, boolean][] = [
  ['2026-10-24T23:00:00Z', false], // 00:00-01:00 BST
  ['2026-10-25T00:00:00Z', true], // 01:00-02:00 BST
  ['2026-10-25T01:00:00Z', true], // 01:00-02:00 GMT
  ['2026-10-25T02:00:00Z', true], // 02:00-03:00 GMT
  ['2026-10-25T03:00:00Z', false], // 03:00-04:00 GMT
];

describe('isOpenAt and isOpenDuring', () => {
  it('count both times through the hour that repeats when the clocks go back', () => {
    for (const [iso, open] of AUTUMN_INSTANTS)
      expect([iso, isOpenAt(NIGHT, LONDON, at(iso))]).toEqual([iso, open]);
    for (const [iso, open] of AUTUMN_HOURS) {
      const start = at(iso);
      expect([iso, isOpenDuring(NIGHT, LONDON, start, new Date(start.getTime() + 3_600_000))]).toEqual([
        iso,
        open,
      ]);
    }
  });

  it('follow the local wall clock across the change to summer time', () => {
    for (const [iso, open] of INSTANTS) expect([iso, isOpenAt(SHOP, LONDON, at(iso))]).toEqual([iso, open]);
    for (const [iso, open] of HOURS) {
      const start = at(iso);
      const end = new Date(start.getTime() + 3_600_000);
      expect([iso, isOpenDuring(SHOP, LONDON, start, end)]).toEqual([iso, open]);
    }
  });

  it('count an hour the store is open only part of', () => {
    const halves: OpeningHours = { week: [{ day: 6, open: '09:30', close: '17:15' }], closedDates: [] };
    const hour = (iso: string) =>
      isOpenDuring(halves, LONDON, at(iso), new Date(at(iso).getTime() + 3_600_000));
    expect(hour('2026-03-28T08:00:00Z')).toBe(false); // 08:00-09:00
    expect(hour('2026-03-28T09:00:00Z')).toBe(true); // 09:00-10:00, open from 09:30
    expect(hour('2026-03-28T17:00:00Z')).toBe(true); // 17:00-18:00, open until 17:15
    expect(hour('2026-03-28T18:00:00Z')).toBe(false);
    expect(isOpenAt(halves, LONDON, at('2026-03-28T09:29:00Z'))).toBe(false);
  });

  it('counts an hour that crosses local midnight on both days (India, UTC+5:30)', () => {
    const earlyTuesday: OpeningHours = { week: [{ day: 2, open: '00:00', close: '01:00' }], closedDates: [] };
    const hour = (iso: string) =>
      isOpenDuring(earlyTuesday, 'Asia/Kolkata', at(iso), new Date(at(iso).getTime() + 3_600_000));
    expect(hour('2026-03-30T18:00:00Z')).toBe(true); // Mon 23:30 - Tue 00:30
    expect(hour('2026-03-30T17:00:00Z')).toBe(false); // Mon 22:30 - 23:30
  });

  it('treats no opening hours as open around the clock, and counts open hours', () => {
    expect(isOpenAt(null, LONDON, at('2026-03-29T03:00:00Z'))).toBe(true);
    // Sat 09-18 GMT (9 hours) and Sun 10-16 BST (6 hours).
    expect(openHourCount(SHOP, LONDON, at('2026-03-28T00:00:00Z'), at('2026-03-30T00:00:00Z'))).toBe(15);
    expect(openHourCount(null, LONDON, at('2026-03-28T00:00:00Z'), at('2026-03-29T00:00:00Z'))).toBe(24);
  });
});

describe.each(BACKENDS)('the SQL predicates on %s', (kind) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await openTestDatabase(kind);
  });
  afterAll(async () => {
    await t?.close();
  });

  const store: StoreHours = { timezone: LONDON, openingHours: SHOP };
  const ask = async (iso: string, span: 'instant' | 'hour', hours = store) => {
    const [row] = await queryRows<{ open: boolean }>(
      t.db,
      sql`SELECT ${openSql(hours, sql`${iso}::timestamptz`, span)} AS open`,
    );
    return row?.open;
  };

  it('agree with the hand-worked instants and hours across the change to summer time', async () => {
    for (const [iso, open] of INSTANTS) expect([iso, await ask(iso, 'instant')]).toEqual([iso, open]);
    for (const [iso, open] of HOURS) expect([iso, await ask(iso, 'hour')]).toEqual([iso, open]);
  });

  it('count both times through the hour that repeats when the clocks go back', async () => {
    const night: StoreHours = { timezone: LONDON, openingHours: NIGHT };
    for (const [iso, open] of AUTUMN_INSTANTS)
      expect([iso, await ask(iso, 'instant', night)]).toEqual([iso, open]);
    for (const [iso, open] of AUTUMN_HOURS) expect([iso, await ask(iso, 'hour', night)]).toEqual([iso, open]);
  });

  it('check each row against its own store; stores without hours always pass', async () => {
    const stores = new Map<string, StoreHours>([
      ['shop', store],
      ['allday', { timezone: LONDON, openingHours: null }],
      ['never', { timezone: LONDON, openingHours: { week: [], closedDates: [] } }],
    ]);
    const night = '2026-03-28T03:00:00Z';
    const rows = await queryRows<{ id: string; open: boolean }>(
      t.db,
      sql`SELECT id, ${openSqlByStore(stores, sql.raw('id'), sql`${night}::timestamptz`, 'instant')} AS open
          FROM (VALUES ('shop'), ('allday'), ('never')) AS s(id) ORDER BY id`,
    );
    expect(rows).toEqual([
      { id: 'allday', open: true },
      { id: 'never', open: false },
      { id: 'shop', open: false },
    ]);
  });
});
