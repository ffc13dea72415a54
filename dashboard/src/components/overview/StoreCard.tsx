/** One store on the Overview: boxes online, today's numbers (fetched again every 30 s), its boxes. */

import { A } from '@solidjs/router';
import { createResource, type JSX, onCleanup, Show } from 'solid-js';
import { describeError } from '../../api/client.ts';
import { analyticsSummary } from '../../api/endpoints.ts';
import type { Store } from '../../api/types.ts';
import { presetRange, rangeToIso } from '../../lib/format.ts';
import { useApp } from '../../stores/app.tsx';
import { ErrorNote } from '../Common.tsx';
import { BoxStates } from './BoxStates.tsx';
import { TodayStats } from './TodayStats.tsx';

const REFRESH_MS = 30_000;
/** A camera's live picture older than this says nothing about who is inside now. */
const LIVE_FRESH_MS = 60_000;

/** People the store's cameras see right now; null when no camera has a fresh live picture. */
function usePeopleInside(cameraIds: () => string[]): () => number | null {
  const { live } = useApp();
  for (const id of cameraIds()) live.actions.watch(id);
  return () => {
    let n = 0;
    let known = false;
    for (const id of cameraIds()) {
      const l = live.state.cameras[id];
      if (l && Date.now() - l.receivedAt < LIVE_FRESH_MS) {
        known = true;
        n += l.tracks.length;
      }
    }
    return known ? n : null;
  };
}

export function StoreCard(props: { store: Store }): JSX.Element {
  const { api, places } = useApp();
  const range = rangeToIso(presetRange('today'));
  const [today, { refetch }] = createResource(
    () => props.store.id,
    async (storeId) => {
      if ('error' in range) throw new Error(range.error);
      return analyticsSummary(api, { storeId, from: range.from, to: range.to });
    },
  );
  const poll = setInterval(() => void refetch(), REFRESH_MS);
  onCleanup(() => clearInterval(poll));
  const devices = () => places.state.devices.filter((d) => d.storeId === props.store.id);
  const inside = usePeopleInside(() =>
    places.state.cameras.filter((c) => c.storeId === props.store.id).map((c) => c.id),
  );
  const boxes = () => devices().filter((d) => d.kind === 'box');
  const online = () => boxes().filter((d) => d.online).length;
  const backlog = () => devices().reduce((a, d) => a + d.outboxDepth, 0);

  return (
    <section class="card" data-testid={`store-${props.store.id}`}>
      <div class="card-head">
        <h2>{props.store.name}</h2>
        <span class="muted small">
          {online()} of {boxes().length} box{boxes().length === 1 ? '' : 'es'} online
        </span>
      </div>
      <Show
        when={!today.error}
        fallback={<ErrorNote text={describeError(today.error)} onRetry={() => void refetch()} />}
      >
        <TodayStats today={today()} inside={inside()} />
      </Show>
      <BoxStates devices={devices()} />
      <Show when={backlog() > 0}>
        <p class="muted small">
          Boxes keep events while the connection is down and send them when it is back.
        </p>
      </Show>
      <div class="card-links">
        <A href="/dashboard">See the numbers</A>
        <A href="/live">Watch live</A>
      </div>
    </section>
  );
}
