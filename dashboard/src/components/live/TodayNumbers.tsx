/**
 * Today's numbers so far for the chosen store and camera, from the hub: the same numbers, under the
 * same names, as on the Overview and Numbers pages. Counting only the events since the page opened
 * disagreed with them ("0 visitors, 3 entrances": people already in view walk in without appearing).
 * Fetched again a few seconds after new events of the store arrive, every 20 s, and when the
 * recorded-videos switch changes (recordings are left out unless it counts them).
 */
import { createEffect, createResource, on, onCleanup } from 'solid-js';
import { analyticsSummary } from '../../api/endpoints.ts';
import { presetRange, rangeToIso } from '../../lib/format.ts';
import { useApp } from '../../stores/app.tsx';
import { includeRecordings } from '../upload/recordings-choice.ts';

const POLL_MS = 20_000;
/** Events come in bursts: one fetch for a burst. */
const AFTER_EVENTS_MS = 3000;

export function useTodayNumbers() {
  const { api, choice, live } = useApp();
  const [today, { refetch }] = createResource(
    () =>
      choice.state.storeId
        ? {
            storeId: choice.state.storeId,
            cameraId: choice.state.cameraId,
            withRecordings: includeRecordings(),
          }
        : null,
    async ({ storeId, cameraId, withRecordings }) => {
      const r = rangeToIso(presetRange('today'));
      if ('error' in r) return null;
      const recordings = withRecordings ? { includeRecordings: true } : {};
      return analyticsSummary(api, {
        storeId,
        from: r.from,
        to: r.to,
        cameraId: cameraId ?? undefined,
        ...recordings,
      });
    },
  );
  let soon: ReturnType<typeof setTimeout> | undefined;
  createEffect(
    on(
      () => live.state.events[0],
      (e) => {
        if (!e || e.storeId !== choice.state.storeId || soon) return;
        soon = setTimeout(() => {
          soon = undefined;
          void refetch();
        }, AFTER_EVENTS_MS);
      },
      { defer: true },
    ),
  );
  const poll = setInterval(() => void refetch(), POLL_MS);
  onCleanup(() => {
    clearInterval(poll);
    clearTimeout(soon);
  });
  return today;
}
