/**
 * What the Numbers page asks the hub: the chosen store, camera and days, and the answers loaded for
 * them (summary, visitors by hour and day, areas, walks between areas, people inside, stores compared).
 */

import { isOpenDuring } from '@oskartrack/protocol';
import { createMemo, createResource, type Resource } from 'solid-js';
import {
  analyticsFlows,
  analyticsHeatmap,
  analyticsSummary,
  analyticsTimeSeries,
  analyticsZones,
  compareStores,
  exportSummariesCsv,
  listZones,
} from '../../api/endpoints.ts';
import { fillHours, occupancySeries } from '../../lib/analytics.ts';
import { rangeToIso } from '../../lib/format.ts';
import { useApp } from '../../stores/app.tsx';
import { includeRecordings } from '../upload/recordings-choice.ts';

/**
 * A resource's last answer, kept while the next one loads (reading a loading resource would hide the
 * page under Suspense and take its charts out of the document); undefined after a failure, which the
 * page shows in words, instead of throwing into the page.
 */
export function lastAnswer<T>(r: Resource<T>): T | undefined {
  return r.error ? undefined : r.latest;
}

export interface NumbersQuery {
  storeId: string;
  cameraId: string | null;
  from: string;
  to: string;
  timezone: string;
  /** Count uploaded recordings too (the "Recorded videos" switch); the hub leaves them out otherwise. */
  includeRecordings?: boolean;
}

const base = (q: NumbersQuery) => ({
  storeId: q.storeId,
  cameraId: q.cameraId ?? undefined,
  from: q.from,
  to: q.to,
  ...(q.includeRecordings ? { includeRecordings: true } : {}),
});

/** The chosen days as ISO times, or the reason they cannot be used. */
export function useChosenRange() {
  const { choice } = useApp();
  return () => rangeToIso(choice.state.range);
}

/** null while no store is chosen or the days are not valid. */
export function useNumbersQuery() {
  const { places, choice } = useApp();
  const range = useChosenRange();
  return createMemo((): NumbersQuery | null => {
    const r = range();
    const storeId = choice.state.storeId;
    if ('error' in r || !storeId) return null;
    const timezone = places.state.stores.find((s) => s.id === storeId)?.timezone ?? 'UTC';
    const withRecordings = includeRecordings() ? { includeRecordings: true } : {};
    return { storeId, cameraId: choice.state.cameraId, from: r.from, to: r.to, timezone, ...withRecordings };
  });
}

export function useNumbers(query: () => NumbersQuery | null) {
  const { api } = useApp();
  return createResource(query, async (q) => {
    const [summary, hourly, daily, zones, flows] = await Promise.all([
      analyticsSummary(api, base(q)),
      analyticsTimeSeries(api, { ...base(q), interval: 'hour' }),
      analyticsTimeSeries(api, { ...base(q), interval: 'day' }),
      analyticsZones(api, base(q)),
      analyticsFlows(api, base(q)),
    ]);
    return { summary, hourly, daily, zones, flows };
  });
}

export type Numbers = NonNullable<ReturnType<ReturnType<typeof useNumbers>[0]>>;

/** The most people inside per hour, from the hourly CSV export (the API has no series of its own). */
export function useOccupancy(query: () => NumbersQuery | null) {
  const { api, places } = useApp();
  const [occupancy] = createResource(query, async (q) => {
    const res = await exportSummariesCsv(api, { storeId: q.storeId, from: q.from, to: q.to, period: 'hour' });
    const hours = places.state.stores.find((s) => s.id === q.storeId)?.openingHours ?? null;
    const open = (start: Date, end: Date) => isOpenDuring(hours, q.timezone, start, end);
    return fillHours(occupancySeries(await res.text(), q.cameraId), q.from, q.to, Date.now(), open);
  });
  return occupancy;
}

/** Stores side by side, only when the user sees more than one. */
export function useComparison(query: () => NumbersQuery | null) {
  const { api, places } = useApp();
  const [compare] = createResource(
    () => (places.state.stores.length > 1 && query() ? { from: query()!.from, to: query()!.to } : null),
    (r) => compareStores(api, r),
  );
  return compare;
}

/** Where people walked on one camera's picture, on a 48 by 36 grid. */
export function useHeat(query: () => NumbersQuery | null, cameraId: () => string | null) {
  const { api } = useApp();
  const [heat] = createResource(
    () => (query() && cameraId() ? { cameraId: cameraId()!, from: query()!.from, to: query()!.to } : null),
    (q) => analyticsHeatmap(api, { ...q, cols: 48, rows: 36 }),
  );
  return heat;
}

/** How many areas the chosen camera (or every camera of the store) has now: why "Time spent" is empty. */
export function useAreaCount(query: () => NumbersQuery | null) {
  const { api, places } = useApp();
  const cameraIds = createMemo(() => {
    const q = query();
    if (!q) return null;
    return (q.cameraId ? [q.cameraId] : places.actions.camerasOf(q.storeId).map((c) => c.id)).join('\n');
  });
  const [count] = createResource(
    () => {
      const ids = cameraIds();
      return ids === null ? null : { ids: ids ? ids.split('\n') : [] };
    },
    async ({ ids }) =>
      (await Promise.all(ids.map((id) => listZones(api, id)))).reduce((a, z) => a + z.length, 0),
  );
  return count;
}
