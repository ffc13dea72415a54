/**
 * The numbers of a report, read through the hub's analytics (the hourly summaries, so a report of a
 * day, a week or a month is counted the same way) and named for people: store and area names, local
 * dates. No ids of people, visits or paths are kept here.
 */
import type { ReportPeriod } from '@oskartrack/protocol';
import type { AnalyticsService, Numbers } from '../api/analytics.ts';
import {
  addDays,
  earlierRange,
  isoDate,
  type LocalDate,
  localDate,
  previousRange,
  type ReportRange,
  sameDatesIn,
  weekdayIndex,
  zonedMidnight,
} from './period.ts';

export interface Figures {
  visitors: number;
  entries: number;
  /** Milliseconds; 0 without visits. */
  averageTimeSpentMs: number;
}

export interface DayFigures extends Figures {
  date: LocalDate;
  /** Monday ... Sunday. */
  weekday: string;
}

export interface AreaFigures {
  name: string;
  visitors: number;
  averageTimeSpentMs: number;
  /** All time spent there together (milliseconds). */
  totalTimeSpentMs: number;
}

export interface StoreReport {
  storeName: string;
  timezone: string;
  range: ReportRange;
  totals: Figures;
  /** The period before (yesterday, last week, last month). */
  previous: Figures;
  /** The same period a week (days) or a year (weeks, months) before. */
  earlier: Figures;
  earlierWords: string;
  days: DayFigures[];
  /** The day with the most visitors and the same weekday a week before (null without data then). */
  busiestDay: { day: DayFigures; weekBefore: number | null } | null;
  /** The local hour of the day (0-23) with the most visitors. */
  busiestHour: { hour: number; visitors: number } | null;
  /** Areas, the one people spent most time in first. */
  areas: AreaFigures[];
}

export interface Report {
  /** The store's name, or "All stores". */
  title: string;
  /** A report of every store (an overview first), not of one. */
  allStores: boolean;
  period: ReportPeriod;
  /** The period the report (and its run) is about. */
  range: ReportRange;
  stores: StoreReport[];
}

export const WEEKDAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];

const figures = (n: Numbers): Figures => ({
  visitors: n.visitors,
  entries: n.entries,
  averageTimeSpentMs: n.averageTimeSpentMs,
});

type Analytics = Pick<AnalyticsService, 'summary' | 'timeSeries' | 'zones' | 'compare'>;

async function totalsOf(analytics: Analytics, storeId: string, r: ReportRange): Promise<Figures> {
  const c = await analytics.compare({ storeIds: [storeId], from: r.start, to: r.end, source: 'summaries' });
  const row = c.stores[0];
  return row ? figures(row) : { visitors: 0, entries: 0, averageTimeSpentMs: 0 };
}

/** Days of the period, plus the week before it (for "than last Tuesday"), by local date. */
async function daysOf(
  analytics: Analytics,
  storeId: string,
  r: ReportRange,
): Promise<Map<string, DayFigures>> {
  const from = zonedMidnight(addDays(r.first, -7), r.timezone);
  const series = await analytics.timeSeries({
    storeId,
    from,
    to: r.end,
    interval: 'day',
    source: 'summaries',
  });
  const out = new Map<string, DayFigures>();
  for (const p of series.points) {
    const date = localDate(p.start, r.timezone);
    out.set(isoDate(date), { date, weekday: WEEKDAYS[weekdayIndex(date)] ?? '', ...figures(p) });
  }
  return out;
}

function busiestDayOf(days: DayFigures[], all: Map<string, DayFigures>): StoreReport['busiestDay'] {
  const best = days.reduce<DayFigures | undefined>(
    (b, d) => (d.visitors > 0 && (!b || d.visitors > b.visitors) ? d : b),
    undefined,
  );
  if (!best) return null;
  const before = all.get(isoDate(addDays(best.date, -7)));
  return { day: best, weekBefore: before ? before.visitors : null };
}

/** One store's numbers for the period (in the store's own time zone). */
export async function storeReport(
  analytics: Analytics,
  store: { id: string; name: string; timezone: string },
  range: ReportRange,
): Promise<StoreReport> {
  const r = sameDatesIn(range, store.timezone);
  const earlier = earlierRange(r);
  const q = { storeId: store.id, from: r.start, to: r.end, source: 'summaries' as const };
  const [summary, allDays, zones, previous, earlierTotals] = await Promise.all([
    analytics.summary(q),
    daysOf(analytics, store.id, r),
    analytics.zones(q),
    totalsOf(analytics, store.id, previousRange(r)),
    totalsOf(analytics, store.id, earlier.range),
  ]);
  const days = [...allDays.values()].filter((d) => isoDate(d.date) >= isoDate(r.first));
  const areas = zones.zones
    .filter((z) => z.visitors > 0)
    .map((z) => ({
      name: z.name ?? 'Unnamed area',
      visitors: z.visitors,
      averageTimeSpentMs: z.averageTimeSpentMs,
      totalTimeSpentMs: z.averageTimeSpentMs * z.visitors,
    }))
    .sort((a, b) => b.totalTimeSpentMs - a.totalTimeSpentMs || a.name.localeCompare(b.name));
  return {
    storeName: store.name,
    timezone: store.timezone,
    range: r,
    totals: figures(summary),
    previous,
    earlier: earlierTotals,
    earlierWords: earlier.words,
    days,
    busiestDay: busiestDayOf(days, allDays),
    busiestHour: summary.busiestHourOfDay,
    areas,
  };
}
