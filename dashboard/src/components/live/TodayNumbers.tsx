/** Today's numbers so far for the chosen store and camera, fetched again every 20 s. */

import { createResource, type JSX, onCleanup, Show } from 'solid-js';
import { analyticsSummary } from '../../api/endpoints.ts';
import { formatCount, formatDuration, presetRange, rangeToIso } from '../../lib/format.ts';
import { useApp } from '../../stores/app.tsx';

export function TodayNumbers(): JSX.Element {
  const { api, choice } = useApp();
  const [today, { refetch }] = createResource(
    () => choice.state.storeId,
    async (storeId) => {
      const r = rangeToIso(presetRange('today'));
      if ('error' in r) return null;
      return analyticsSummary(api, {
        storeId,
        from: r.from,
        to: r.to,
        cameraId: choice.state.cameraId ?? undefined,
      });
    },
  );
  const poll = setInterval(() => void refetch(), 20_000);
  onCleanup(() => clearInterval(poll));
  return (
    <Show when={today()}>
      {(t) => (
        <p class="small muted">
          Today so far: {formatCount(t().visitors)} visitors, {formatCount(t().entries)} entrances, average
          time spent {formatDuration(t().averageTimeSpentMs)}.
        </p>
      )}
    </Show>
  );
}
