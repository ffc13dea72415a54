/** Every store at a glance: its boxes (online, offline, events waiting) and today's numbers. */
import { A } from '@solidjs/router';
import { createResource, For, type JSX, onCleanup, Show } from 'solid-js';
import { describeError } from '../api/client.ts';
import type { Store, Summary } from '../api/types.ts';
import { DeviceState, ErrorNote, Loading, PageHeader, Stat } from '../components/Common.tsx';
import { Icon } from '../components/Icon.tsx';
import {
  formatAgo,
  formatCount,
  formatDuration,
  hourOfDayLabel,
  presetRange,
  rangeToIso,
} from '../lib/format.ts';
import { useApp } from '../stores/app.tsx';

export default function Overview(): JSX.Element {
  const { places, live } = useApp();
  void places.actions.load();
  live.actions.start();
  const poll = setInterval(() => void places.actions.refreshDevices(), 15_000);
  onCleanup(() => clearInterval(poll));

  return (
    <div class="page">
      <PageHeader title="Overview">
        <button type="button" class="ghost small" onClick={() => void places.actions.load(true)}>
          <Icon name="refresh" size={14} /> Refresh
        </button>
      </PageHeader>
      <ErrorNote text={places.state.error} onRetry={() => void places.actions.load(true)} />
      <Show when={places.state.loaded} fallback={<Loading />}>
        <Show
          when={places.state.stores.length}
          fallback={
            <div class="empty">No stores yet. An administrator adds them under Stores &amp; users.</div>
          }
        >
          <div class="stack">
            <For each={places.state.stores}>{(store) => <StoreCard store={store} />}</For>
          </div>
        </Show>
      </Show>
    </div>
  );
}

function StoreCard(props: { store: Store }): JSX.Element {
  const { api, places, live } = useApp();
  const range = rangeToIso(presetRange('today'));
  const [today, { refetch }] = createResource(
    () => props.store.id,
    async (storeId) => {
      if ('error' in range) throw new Error(range.error);
      return api.get<Summary>('/api/analytics/summary', { storeId, from: range.from, to: range.to });
    },
  );
  const poll = setInterval(() => void refetch(), 30_000);
  onCleanup(() => clearInterval(poll));
  const devices = () => places.state.devices.filter((d) => d.storeId === props.store.id);
  const cameras = () => places.state.cameras.filter((c) => c.storeId === props.store.id);
  for (const c of cameras()) live.actions.watch(c.id);
  const inside = () => {
    let n = 0;
    let known = false;
    for (const c of cameras()) {
      const l = live.state.cameras[c.id];
      if (l && Date.now() - l.receivedAt < 60_000) {
        known = true;
        n += l.tracks.length;
      }
    }
    return known ? n : null;
  };
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
        <div class="stats">
          <Stat
            testId="stat-visitors"
            label="Visitors today"
            value={today() ? formatCount(today()!.visitors) : '…'}
          />
          <Stat
            label="Entrances"
            value={today() ? formatCount(today()!.entries) : '…'}
            hint="walked in over a counting line"
          />
          <Stat
            label="Average time spent"
            value={today() ? formatDuration(today()!.averageTimeSpentMs) : '…'}
          />
          <Stat
            testId="stat-inside"
            label="People inside now"
            value={inside() === null ? '–' : formatCount(inside())}
            hint={inside() === null ? 'live picture not available' : 'seen by the cameras right now'}
          />
          <Stat
            label="Busiest hour today"
            value={today()?.busiestHourOfDay ? hourOfDayLabel(today()!.busiestHourOfDay!.hour) : '–'}
          />
        </div>
      </Show>
      <div class="table-wrap">
        <table class="table">
          <thead>
            <tr>
              <th>Box</th>
              <th>State</th>
              <th>Last seen</th>
              <th>Waiting to send</th>
            </tr>
          </thead>
          <tbody>
            <For
              each={devices()}
              fallback={
                <tr>
                  <td colSpan={4} class="muted">
                    No boxes in this store yet.
                  </td>
                </tr>
              }
            >
              {(d) => (
                <tr data-testid={`device-${d.id}`}>
                  <td>{d.name}</td>
                  <td>
                    <DeviceState device={d} />
                  </td>
                  <td>{formatAgo(d.lastSeenAt)}</td>
                  <td>
                    {d.outboxDepth
                      ? `${formatCount(d.outboxDepth)} event${d.outboxDepth === 1 ? '' : 's'} (oldest ${formatDuration(d.outboxOldestAgeMs)})`
                      : 'Nothing'}
                  </td>
                </tr>
              )}
            </For>
          </tbody>
        </table>
      </div>
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
