/**
 * One store on the Overview: camera units online, today's numbers (fetched again every 30 s, and at
 * once when the recorded-videos switch changes), its camera units; a store without cameras says what
 * to do next instead of showing zeros.
 */

import { A } from '@solidjs/router';
import { createResource, type JSX, onCleanup, Show } from 'solid-js';
import { describeError } from '../../api/client.ts';
import { analyticsSummary, summaryChanges } from '../../api/endpoints.ts';
import type { Store } from '../../api/types.ts';
import { presetRange, rangeToIso } from '../../lib/format.ts';
import { useApp } from '../../stores/app.tsx';
import { ErrorNote } from '../Common.tsx';
import { Definitions } from '../numbers/Definitions.tsx';
import { allows } from '../Shell.tsx';
import { includeRecordings } from '../upload/recordings-choice.ts';
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

/** What to do first in a store that has no camera yet. */
function NoCameraYet(props: { canAdd: boolean }): JSX.Element {
  return (
    <div class="note" data-testid="store-next-step">
      <span>
        Nothing is counted here yet: this store has no camera.{' '}
        <Show
          when={props.canAdd}
          fallback="Next step: ask an administrator to connect a camera for this store."
        >
          Next step: <A href="/stores">connect a camera under Stores &amp; users</A>.
        </Show>
      </span>
    </div>
  );
}

export function StoreCard(props: { store: Store }): JSX.Element {
  const { api, places, session, choice } = useApp();
  const range = rangeToIso(presetRange('today'));
  const [today, { refetch }] = createResource(
    // Uploaded recordings are left out unless the shared switch counts them.
    () => ({ storeId: props.store.id, withRecordings: includeRecordings() }),
    async ({ storeId, withRecordings }) => {
      if ('error' in range) throw new Error(range.error);
      const query = {
        storeId,
        from: range.from,
        to: range.to,
        ...(withRecordings ? { includeRecordings: true } : {}),
      };
      const [summary, changes] = await Promise.all([
        analyticsSummary(api, query),
        // A failure to compare shows no change lines rather than an error.
        summaryChanges(api, query).catch(() => undefined),
      ]);
      return { summary, changes };
    },
  );
  const poll = setInterval(() => void refetch(), REFRESH_MS);
  onCleanup(() => clearInterval(poll));
  // Only camera units: uploaded recordings are not a device an owner looks after.
  const units = () => places.state.devices.filter((d) => d.storeId === props.store.id && d.kind === 'box');
  const cameras = () => places.state.cameras.filter((c) => c.storeId === props.store.id);
  const inside = usePeopleInside(() => cameras().map((c) => c.id));
  const online = () => units().filter((d) => d.online).length;
  const backlog = () => units().reduce((a, d) => a + d.outboxDepth, 0);

  return (
    <section class="card" data-testid={`store-${props.store.id}`}>
      <div class="card-head">
        <h2>{props.store.name}</h2>
        <span class="muted small">
          {online()} of {units().length} camera unit{units().length === 1 ? '' : 's'} online
        </span>
      </div>
      <Show
        when={cameras().length}
        fallback={<NoCameraYet canAdd={allows(session.state.user?.role, 'admin')} />}
      >
        <Show
          when={!today.error}
          fallback={<ErrorNote text={describeError(today.error)} onRetry={() => void refetch()} />}
        >
          <TodayStats today={today.latest?.summary} changes={today.latest?.changes} inside={inside()} />
          <Definitions />
        </Show>
      </Show>
      <Show when={units().length}>
        <BoxStates devices={units()} />
      </Show>
      <Show when={backlog() > 0}>
        <p class="muted small">
          Camera units keep their counts while the internet connection is down and send them when it is back.
        </p>
      </Show>
      <Show when={cameras().length}>
        <div class="card-links">
          {/* The pages open on this store. */}
          <A href="/dashboard" onClick={() => choice.actions.setStore(props.store.id)}>
            See the numbers
          </A>
          <A href="/live" onClick={() => choice.actions.setStore(props.store.id)}>
            Watch live
          </A>
        </div>
      </Show>
    </section>
  );
}
