import { For, type JSX, onCleanup, Show } from 'solid-js';
import { FiringBanner } from '../components/alerts/FiringBanner.tsx';
import { ErrorNote, Loading, PageHeader } from '../components/Common.tsx';
import { Icon } from '../components/Icon.tsx';
import { RecordingsSwitch } from '../components/overview/RecordingsSwitch.tsx';
import { StoreCard } from '../components/overview/StoreCard.tsx';
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
        <RecordingsSwitch testId="include-recordings-overview" />
        <button type="button" class="ghost small" onClick={() => void places.actions.load(true)}>
          <Icon name="refresh" size={14} /> Refresh
        </button>
      </PageHeader>
      <ErrorNote text={places.state.error} onRetry={() => void places.actions.load(true)} />
      <FiringBanner />
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
