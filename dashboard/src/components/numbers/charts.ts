/** The chart settings (ApexCharts) for each graph on the Numbers page. */
import type { ApexOptions } from 'apexcharts';
import type { Compare, TimeSeries, ZoneStats } from '../../api/types.ts';
import { formatCount, formatDay, formatDuration } from '../../lib/format.ts';

export function hourlyChart(s: TimeSeries, timeZone = 'UTC'): ApexOptions {
  return {
    chart: { type: 'bar' },
    series: [
      { name: 'Visitors', data: s.points.map((p) => p.visitors) },
      { name: 'Entrances', data: s.points.map((p) => p.entries) },
    ],
    xaxis: {
      categories: s.points.map((p) =>
        new Date(p.start).toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit', timeZone }),
      ),
      labels: { rotate: -45, hideOverlappingLabels: true },
    },
    yaxis: { labels: { formatter: (v: number) => formatCount(v) } },
  };
}

export function dailyChart(s: TimeSeries): ApexOptions {
  return {
    chart: { type: 'bar' },
    series: [
      { name: 'Visitors', data: s.points.map((p) => p.visitors) },
      { name: 'Entrances', data: s.points.map((p) => p.entries) },
    ],
    xaxis: { categories: s.points.map((p) => formatDay(p.start, s.timezone)) },
    yaxis: { labels: { formatter: (v: number) => formatCount(v) } },
  };
}

export function busiestChart(perHour: number[]): ApexOptions {
  const top = Math.max(...perHour, 0);
  return {
    chart: { type: 'bar' },
    series: [{ name: 'Visitors', data: perHour }],
    xaxis: {
      categories: perHour.map((_, h) => `${String(h).padStart(2, '0')}h`),
      labels: { hideOverlappingLabels: true },
    },
    plotOptions: { bar: { distributed: true, columnWidth: '80%' } },
    colors: perHour.map((v) => (v === top && top > 0 ? '#f59e0b' : '#1d4ed8')),
    legend: { show: false },
    yaxis: { labels: { formatter: (v: number) => formatCount(v) } },
  };
}

export function areasChart(z: ZoneStats): ApexOptions {
  return {
    chart: { type: 'bar' },
    series: [
      {
        name: 'Average time spent (seconds)',
        data: z.zones.map((a) => Math.round(a.averageTimeSpentMs / 1000)),
      },
    ],
    xaxis: { categories: z.zones.map((a) => a.name ?? 'Removed area') },
    plotOptions: { bar: { horizontal: true } },
    tooltip: { y: { formatter: (v: number) => formatDuration(v * 1000) } },
  };
}

export function occupancyChart(o: { start: number; people: number }[]): ApexOptions {
  return {
    chart: { type: 'area' },
    series: [{ name: 'Most people inside', data: o.map((p) => ({ x: p.start, y: p.people })) }],
    xaxis: { type: 'datetime', labels: { datetimeUTC: false } },
    stroke: { curve: 'stepline', width: 2 },
    yaxis: { labels: { formatter: (v: number) => formatCount(v) } },
    noData: { text: 'No one counted in this range yet' },
  };
}

export function compareChart(c: Compare): ApexOptions {
  return {
    chart: { type: 'bar' },
    series: [
      { name: 'Visitors', data: c.stores.map((s) => s.visitors) },
      { name: 'Entrances', data: c.stores.map((s) => s.entries) },
    ],
    xaxis: { categories: c.stores.map((s) => s.name) },
  };
}
