/**
 * What the owner's Visitors page asks the hub for the chosen store and days: how long visits lasted,
 * the walks between areas, and the names of the store's areas.
 */
import { createMemo, createResource } from 'solid-js';
import { analyticsFlows, analyticsVisitDurations, listZones } from '../../api/endpoints.ts';
import { rangeToIso } from '../../lib/format.ts';
import { useApp } from '../../stores/app.tsx';
import { recordingsQuery } from '../upload/recordings-choice.ts';

export interface VisitorsQuery {
  storeId: string;
  from: string;
  to: string;
  /** Uploaded recordings count only when the user chose so (the switch beside the recordings). */
  includeRecordings?: true;
}

/** null while no store is chosen or the days are not valid. */
export function useVisitorsQuery() {
  const { choice } = useApp();
  return createMemo((): VisitorsQuery | null => {
    const r = rangeToIso(choice.state.range);
    const storeId = choice.state.storeId;
    return 'error' in r || !storeId ? null : { storeId, from: r.from, to: r.to, ...recordingsQuery() };
  });
}

export function useVisitorNumbers(query: () => VisitorsQuery | null) {
  const { api } = useApp();
  return createResource(query, async (q) => {
    const [durations, flows] = await Promise.all([
      analyticsVisitDurations(api, q),
      // Every walk of the range: the shares divide by all arrivals at an area.
      analyticsFlows(api, { ...q, limit: 1000 }),
    ]);
    return { durations, flows };
  });
}

export type VisitorNumbers = NonNullable<ReturnType<ReturnType<typeof useVisitorNumbers>[0]>>;

/** Names of the areas of every camera of the store (area ids are never shown). */
export function useAreaNames(storeId: () => string | null) {
  const { api, places } = useApp();
  const cameraIds = createMemo(() =>
    places.actions
      .camerasOf(storeId())
      .map((c) => c.id)
      .join(','),
  );
  const [names] = createResource(
    () => (storeId() ? { ids: cameraIds() } : null),
    async ({ ids }) => {
      const lists = await Promise.all(
        ids ? ids.split(',').map((id) => listZones(api, id).catch(() => [])) : [],
      );
      return new Map(lists.flat().map((z) => [z.id, z.name]));
    },
  );
  return {
    nameOf: (zoneId: string) => names()?.get(zoneId) ?? 'a removed area',
    hasAreas: () => (names()?.size ?? 0) > 0,
  };
}
