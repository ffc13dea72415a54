/**
 * Compare mode of the Numbers page: the second period the user chose and its visitors per hour (one
 * day) or per day (more days), for the same store and camera as the first.
 */
import { createMemo, createResource, createSignal } from 'solid-js';
import { analyticsTimeSeries } from '../../api/endpoints.ts';
import { type DayRange, rangeToIso } from '../../lib/format.ts';
import { useApp } from '../../stores/app.tsx';
import { lastAnswer, useNumbersQuery } from '../numbers/query.ts';
import { type CompareChoice, comparedDays } from './periods.ts';

export function useComparedSeries() {
  const { api, choice } = useApp();
  const query = useNumbersQuery();
  const [mode, setMode] = createSignal<CompareChoice>('none');
  const [customDay, setCustomDay] = createSignal('');
  const days = createMemo((): DayRange | null => comparedDays(mode(), choice.state.range, customDay()));
  const request = createMemo(() => {
    const q = query();
    const d = days();
    if (!q || !d) return null;
    const r = rangeToIso(d);
    if ('error' in r) return null;
    const multiDay = d.fromDay !== d.toDay;
    return {
      storeId: q.storeId,
      cameraId: q.cameraId ?? undefined,
      from: r.from,
      to: r.to,
      interval: multiDay ? ('day' as const) : ('hour' as const),
      ...(q.includeRecordings ? { includeRecordings: true } : {}),
    };
  });
  const [series] = createResource(request, (r) => analyticsTimeSeries(api, r));
  return {
    mode,
    setMode,
    customDay,
    setCustomDay,
    /** The second period's days; null in plain mode. */
    days,
    /** Its series, while compare mode is on and once loaded. */
    series: () => (request() ? lastAnswer(series) : undefined),
    loading: () => series.loading,
    failed: () => Boolean(series.error),
  };
}

export type ComparedSeries = ReturnType<typeof useComparedSeries>;
