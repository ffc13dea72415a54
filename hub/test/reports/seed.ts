/**
 * A store with two weeks of hourly numbers (16-29 November 2026, Europe/Berlin, UTC+1 then), written
 * as the hub's hourly summaries, and what the report of the second week must say, worked out here
 * from the seeded hours (never from the report code).
 */
import type { Repositories, SummaryDelta } from '../../src/db/repositories/index.ts';
import { uid } from '../db/backends.ts';

export interface SeedHour {
  /** Local date, YYYY-MM-DD. */
  date: string;
  /** Local hour of the day. */
  hour: number;
  visitors: number;
  entries: number;
  totalDwellMs: number;
}

export interface SeedArea {
  name: string;
  visitorsPerHour: number;
  dwellMsPerVisitor: number;
}

export const WEEK = { first: '2026-11-23', last: '2026-11-29' };
/** Wednesday after the week: its report is due. */
export const AFTER_WEEK = Date.parse('2026-12-02T09:00:00Z');
export const AREAS: SeedArea[] = [
  { name: 'Entrance', visitorsPerHour: 1, dwellMsPerVisitor: 30_000 },
  { name: 'Bakery', visitorsPerHour: 2, dwellMsPerVisitor: 300_000 },
];
const OPEN_HOURS = [9, 10, 11, 12, 13, 14, 15, 16, 17];

const isoDay = (day: number) => `2026-11-${String(day).padStart(2, '0')}`;

/** The seeded hours: a quiet week (16-22 Nov) and a growing one (23-29 Nov) with a rush at 14:00. */
export function seedHours(): SeedHour[] {
  const out: SeedHour[] = [];
  for (let day = 16; day <= 29; day++) {
    const k = day - 23;
    for (const hour of OPEN_HOURS) {
      const visitors = k < 0 ? 2 : k + 1 + (hour === 14 ? 5 : 0);
      out.push({
        date: isoDay(day),
        hour,
        visitors,
        entries: visitors,
        totalDwellMs: visitors * (k < 0 ? 60_000 : 120_000),
      });
    }
  }
  return out;
}

export async function seedReportStore(repos: Repositories, name = 'Demo store') {
  const u = uid();
  const store = await repos.stores.create({ id: `rep-${u}`, name, timezone: 'Europe/Berlin' });
  const camera = await repos.cameras.create({
    id: `repcam-${u}`,
    storeId: store.id,
    name: 'Door camera',
    source: '0',
  });
  const square = (x: number): [number, number][] => [
    [x, 0],
    [x + 100, 0],
    [x + 100, 100],
    [x, 100],
  ];
  const zones = await Promise.all(
    AREAS.map((a, i) =>
      repos.zones.createZone({ cameraId: camera.id, name: a.name, polygon: square(i * 200) }),
    ),
  );
  const hours = seedHours();
  const rows: SummaryDelta[] = [];
  for (const h of hours) {
    const [y, m, d] = h.date.split('-').map(Number) as [number, number, number];
    // Berlin is UTC+1 in November.
    const bucketStart = new Date(Date.UTC(y, m - 1, d, h.hour - 1));
    const base = { period: 'hour' as const, bucketStart, storeId: store.id, cameraId: camera.id };
    rows.push({
      ...base,
      zoneId: null,
      visitors: h.visitors,
      entries: h.entries,
      exits: h.entries,
      dwellCount: h.visitors,
      totalDwellMs: h.totalDwellMs,
    });
    if (h.date < WEEK.first) continue;
    for (const [i, a] of AREAS.entries())
      rows.push({
        ...base,
        zoneId: zones[i]!.id,
        visitors: a.visitorsPerHour,
        entries: a.visitorsPerHour,
        dwellCount: a.visitorsPerHour,
        totalDwellMs: a.visitorsPerHour * a.dwellMsPerVisitor,
      });
  }
  await repos.summaries.replace(rows);
  return { store, camera, zones, hours };
}

/** What the report of WEEK must show, from the seeded hours. */
export function expectedWeek(hours: SeedHour[]) {
  const inWeek = hours.filter((h) => h.date >= WEEK.first && h.date <= WEEK.last);
  const before = hours.filter((h) => h.date < WEEK.first);
  const sum = (hs: SeedHour[], k: 'visitors' | 'entries' | 'totalDwellMs') =>
    hs.reduce((n, h) => n + h[k], 0);
  const days = [...new Set(inWeek.map((h) => h.date))].sort().map((date) => {
    const hs = inWeek.filter((h) => h.date === date);
    return {
      date,
      visitors: sum(hs, 'visitors'),
      entries: sum(hs, 'entries'),
      totalDwellMs: sum(hs, 'totalDwellMs'),
    };
  });
  const busiest = days.reduce((b, d) => (d.visitors > b.visitors ? d : b));
  const byHour = new Map<number, number>();
  for (const h of inWeek) byHour.set(h.hour, (byHour.get(h.hour) ?? 0) + h.visitors);
  const busiestHour = [...byHour.entries()].reduce((b, e) => (e[1] > b[1] ? e : b))[0];
  return {
    visitors: sum(inWeek, 'visitors'),
    entries: sum(inWeek, 'entries'),
    averageMinutes: sum(inWeek, 'totalDwellMs') / sum(inWeek, 'visitors') / 60_000,
    previousVisitors: sum(before, 'visitors'),
    days,
    busiest,
    busiestHour,
  };
}
