/**
 * The Overview's banner: the alerts going on now in the stores you see (a storm counts as one
 * line), with the way to the Alerts page; nothing when all is well. Loads again on every alert the
 * live feed brings.
 */
import type { Alert } from '@oskartrack/protocol';
import { A } from '@solidjs/router';
import { createEffect, createResource, For, type JSX, on, Show } from 'solid-js';
import { useApp } from '../../stores/app.tsx';
import { Icon } from '../Icon.tsx';
import { firingAlerts } from './api.ts';
import { entries } from './words.ts';

const SHOWN = 3;

export function FiringBanner(): JSX.Element {
  const { api, live, places } = useApp();
  const [firing, { refetch }] = createResource(() => firingAlerts(api));
  createEffect(
    on(
      () => live.state.alerts[0],
      () => void refetch(),
      { defer: true },
    ),
  );
  const storeName = (id: string) => places.state.stores.find((s) => s.id === id)?.name ?? 'a store';
  const lines = () => {
    const list: readonly Alert[] = firing.latest ?? [];
    return entries(list).map((e) =>
      'group' in e ? `${e.alerts.length} problems in ${storeName(e.alerts[0]!.storeId)}` : e.alert.message,
    );
  };
  return (
    <Show when={lines().length}>
      <div class="note warn" role="alert" data-testid="alerts-banner">
        <Icon name="alert" size={16} />
        <div>
          <strong>
            {lines().length === 1
              ? 'Something needs your attention'
              : `${lines().length} things need your attention`}
          </strong>
          <ul style={{ margin: '0.25rem 0', 'padding-left': '1.2rem' }}>
            <For each={lines().slice(0, SHOWN)}>{(l) => <li>{l}</li>}</For>
          </ul>
          <Show when={lines().length > SHOWN}>
            <span class="small">and {lines().length - SHOWN} more. </span>
          </Show>
          <A href="/alerts">See all alerts</A>
        </div>
      </div>
    </Show>
  );
}
