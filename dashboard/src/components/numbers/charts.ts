/**
 * The chart settings (ApexCharts) for each graph on the Numbers page, for a chart this many pixels
 * wide: an axis shows only as many labels as fit side by side (every second, third… hour), never
 * rotated and never overlapping; the tooltip still names every bar.
 */
import type { ApexOptions, ApexXAxis, ApexYAxis } from 'apexcharts';
import type { Compare, TimeSeries, ZoneStats } from '../../api/types.ts';
import { spacedLabels, wrappedLabels } from '../../lib/analytics.ts';
import { formatCount, formatDay, formatDuration, hourLabel } from '../../lib/format.ts';

/** Room the value axis on the left takes from a chart's width. */
const VALUE_AXIS_PX = 56;

/** An axis of named bars or points: labels that fit this width, the full name in the tooltip. */
function namedAxis(names: readonly string[], width: number): Pick<ApexOptions, 'xaxis' | 'tooltip'> {
  const xaxis: ApexXAxis = {
    categories: spacedLabels(names, width - VALUE_AXIS_PX),
    labels: { rotate: 0, rotateAlways: false, hideOverlappingLabels: true, trim: false },
    tooltip: { enabled: false },
  };
  return {
    xaxis,
    tooltip: { x: { formatter: (_v, o) => names[o?.dataPointIndex ?? -1] ?? '' } },
  };
}

/** Whole numbers from 0, at most five steps (no "0, 0, 1, 1" with few people). */
function countAxis(values: readonly number[]): ApexYAxis {
  const top = values.reduce((a, v) => Math.max(a, v), 0);
  return {
    min: 0,
    forceNiceScale: true,
    tickAmount: Math.max(1, Math.min(5, Math.ceil(top))),
    labels: { formatter: (v: number) => formatCount(v) },
  };
}

export function hourlyChart(s: TimeSeries, timeZone: string, width: number): ApexOptions {
  const visitors = s.points.map((p) => p.visitors);
  const entries = s.points.map((p) => p.entries);
  return {
    chart: { type: 'bar' },
    series: [
      { name: 'Visitors', data: visitors },
      { name: 'Entrances', data: entries },
    ],
    ...namedAxis(
      s.points.map((p) => hourLabel(p.start, timeZone)),
      width,
    ),
    yaxis: countAxis([...visitors, ...entries]),
  };
}

export function dailyChart(s: TimeSeries, width: number): ApexOptions {
  const visitors = s.points.map((p) => p.visitors);
  const entries = s.points.map((p) => p.entries);
  return {
    chart: { type: 'bar' },
    series: [
      { name: 'Visitors', data: visitors },
      { name: 'Entrances', data: entries },
    ],
    ...namedAxis(
      s.points.map((p) => formatDay(p.start, s.timezone)),
      width,
    ),
    yaxis: countAxis([...visitors, ...entries]),
  };
}

export function busiestChart(perHour: number[], width: number): ApexOptions {
  const top = Math.max(...perHour, 0);
  return {
    chart: { type: 'bar' },
    series: [{ name: 'Visitors', data: perHour }],
    ...namedAxis(
      perHour.map((_, h) => `${String(h).padStart(2, '0')}:00`),
      width,
    ),
    plotOptions: { bar: { distributed: true, columnWidth: '80%' } },
    colors: perHour.map((v) => (v === top && top > 0 ? '#f59e0b' : '#1d4ed8')),
    legend: { show: false },
    yaxis: countAxis(perHour),
  };
}

/** Height for a bar per area, so that area names never run into each other. */
export const areasHeight = (z: ZoneStats): number => Math.max(160, z.zones.length * 34 + 70);

export function areasChart(z: ZoneStats, width: number): ApexOptions {
  const names = z.zones.map((a) => a.name ?? 'Removed area');
  const nameRoom = Math.min(160, names.reduce((a, n) => Math.max(a, n.length), 0) * 7 + 20);
  const plot = width - nameRoom - 24;
  return {
    chart: { type: 'bar' },
    series: [
      {
        name: 'Average time spent',
        data: z.zones.map((a) => Math.round(a.averageTimeSpentMs / 1000)),
      },
    ],
    xaxis: {
      categories: names,
      // Value labels such as "1 min 5 s" are about 80 px wide.
      tickAmount: Math.max(1, Math.min(5, Math.floor(plot / 90))),
      labels: { formatter: (v) => formatDuration(Number(v) * 1000), rotate: 0, hideOverlappingLabels: true },
    },
    yaxis: { labels: { maxWidth: 160 } },
    plotOptions: { bar: { horizontal: true } },
    tooltip: { y: { formatter: (v: number) => formatDuration(v * 1000) } },
  };
}

/** The most people inside per store-local day, in day order. */
function perDay(o: readonly { start: number; people: number }[], timeZone: string) {
  const days = new Map<string, number>();
  for (const p of o) {
    const day = formatDay(p.start, timeZone);
    days.set(day, Math.max(days.get(day) ?? 0, p.people));
  }
  return { labels: [...days.keys()], people: [...days.values()] };
}

/** Per hour over one or two days; per day (the busiest hour's count) over more. */
export function occupancyChart(
  o: { start: number; people: number }[],
  timeZone: string,
  width: number,
): ApexOptions {
  const hourly = o.length <= 48;
  const { labels, people } = hourly
    ? {
        labels: o.map((p) =>
          o.length <= 25
            ? hourLabel(p.start, timeZone)
            : `${formatDay(p.start, timeZone)} ${hourLabel(p.start, timeZone)}`,
        ),
        people: o.map((p) => p.people),
      }
    : perDay(o, timeZone);
  // Bars, not an area: a bar's label stands under its middle, while an area's first and last labels
  // stand on the chart's edges and are cut in half.
  return {
    chart: { type: 'bar' },
    series: [
      { name: hourly ? 'Most people inside in the hour' : 'Most people inside in the day', data: people },
    ],
    plotOptions: { bar: { columnWidth: '90%' } },
    ...namedAxis(labels, width),
    yaxis: countAxis(people),
    noData: { text: 'Nobody was counted on these days' },
  };
}

export function compareChart(c: Compare, width: number): ApexOptions {
  const visitors = c.stores.map((s) => s.visitors);
  const entries = c.stores.map((s) => s.entries);
  const names = c.stores.map((s) => s.name);
  const axis = namedAxis(names, width);
  return {
    chart: { type: 'bar' },
    series: [
      { name: 'Visitors', data: visitors },
      { name: 'Entrances', data: entries },
    ],
    ...axis,
    // Every store named: a word a line, when whole names do not fit side by side.
    xaxis: { ...axis.xaxis, categories: wrappedLabels(names, width - VALUE_AXIS_PX) },
    yaxis: countAxis([...visitors, ...entries]),
  };
}

/** One period's visitors for the compare chart: its name and its points in time order. */
export interface PeriodSeries {
  name: string;
  series: TimeSeries;
}

/**
 * Visitors of two periods as two series on one chart, aligned by offset from each start (the first
 * hour or day with the first): the axis names the first period's hours or days, the tooltip both.
 */
export function twoPeriodsChart(
  a: PeriodSeries,
  b: PeriodSeries,
  timeZone: string,
  width: number,
): ApexOptions {
  const hourly = a.series.interval === 'hour';
  const label = (start: string, tz: string) => (hourly ? hourLabel(start, tz) : formatDay(start, tz));
  const count = Math.max(a.series.points.length, b.series.points.length);
  const at = (s: PeriodSeries, i: number) => s.series.points[i];
  const names = Array.from({ length: count }, (_, i) => {
    const p = at(a, i) ?? at(b, i)!;
    return label(p.start, hourly ? timeZone : a.series.timezone);
  });
  const values = (s: PeriodSeries) => Array.from({ length: count }, (_, i) => at(s, i)?.visitors ?? null);
  const first = values(a);
  const second = values(b);
  const axis = namedAxis(names, width);
  return {
    chart: { type: 'bar' },
    series: [
      { name: a.name, data: first },
      { name: b.name, data: second },
    ],
    colors: ['#1d4ed8', '#94a3b8'],
    ...axis,
    tooltip: {
      x: {
        formatter: (_v, o) => {
          const i = o?.dataPointIndex ?? -1;
          const other = at(b, i);
          const tz = hourly ? timeZone : b.series.timezone;
          return other ? `${names[i] ?? ''} / ${label(other.start, tz)}` : (names[i] ?? '');
        },
      },
    },
    yaxis: countAxis([...first, ...second].map((v) => v ?? 0)),
  };
}
