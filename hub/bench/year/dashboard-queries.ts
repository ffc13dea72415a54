/**
 * The requests the dashboard makes over a chain's year, as its pages make them (Overview cards, Numbers,
 * Visitors, Compare), with the ranges people pick: yesterday, 7 and 30 days, the whole year.
 */
import { DAY_MS } from './chain.ts';

export interface DashboardQuery {
  label: string;
  path: string;
  query: Record<string, string>;
  /** The target for this one (p95 over the year's data, ms). */
  targetMs: number;
}

export function dashboardQueries(storeId: string, cameraId: string, to: number): DashboardQuery[] {
  const iso = (ms: number) => new Date(ms).toISOString();
  const last = (days: number) => ({ storeId, from: iso(to - days * DAY_MS), to: iso(to) });
  const chain = (days: number) => ({ from: iso(to - days * DAY_MS), to: iso(to) });
  const q = (label: string, path: string, query: Record<string, string>, targetMs = 100) => ({
    label,
    path,
    query,
    targetMs,
  });
  return [
    q('summary, yesterday (Overview card)', '/api/analytics/summary', last(1)),
    q('summary changes, yesterday (Overview card)', '/api/analytics/summary/changes', last(1)),
    q('summary, 30 days', '/api/analytics/summary', last(30)),
    q('summary changes, 30 days', '/api/analytics/summary/changes', last(30)),
    q('summary, 365 days', '/api/analytics/summary', last(365)),
    q('by hour, 7 days', '/api/analytics/timeseries', { ...last(7), interval: 'hour' }),
    q('by hour, 30 days', '/api/analytics/timeseries', { ...last(30), interval: 'hour' }),
    q('by day, 365 days', '/api/analytics/timeseries', { ...last(365), interval: 'day' }),
    q('areas, 30 days', '/api/analytics/zones', last(30)),
    q('flows between areas, 7 days', '/api/analytics/flows', last(7)),
    q('flows between areas, 30 days', '/api/analytics/flows', last(30)),
    q('heatmap, 7 days', '/api/analytics/heatmap', { cameraId, ...chain(7) }),
    q('visit durations, 30 days', '/api/analytics/visit-durations', last(30)),
    q('stores table, 30 days (every store)', '/api/analytics/stores-table', chain(30), 300),
    q('stores table, 365 days (every store)', '/api/analytics/stores-table', chain(365), 300),
    q('compare every store, 365 days', '/api/analytics/compare', chain(365), 300),
    q('events page of 100, yesterday', '/api/events', { ...last(1), limit: '100' }),
  ];
}

export function urlOf(q: DashboardQuery): string {
  return `${q.path}?${new URLSearchParams(q.query).toString()}`;
}

/** The value at percentile `p` (0-100) of `values` (nearest rank). */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
}
