/**
 * Alerts: what is going on now in the chosen store (on top), the alert rules (managers and
 * administrators), and the history (everyone who sees the store), kept up to date by the live feed.
 */
import { type JSX, Show } from 'solid-js';
import { AlertList } from '../components/alerts/AlertList.tsx';
import { BuildingSystems } from '../components/alerts/BuildingSystems.tsx';
import { RulesCard } from '../components/alerts/RulesCard.tsx';
import { useStoreAlerts } from '../components/alerts/use-alerts.ts';
import { ErrorNote, Loading, PageHeader, PlacePicker } from '../components/Common.tsx';
import { allows } from '../components/Shell.tsx';
import { useApp } from '../stores/app.tsx';

export default function Alerts(): JSX.Element {
  const { places, choice, session, live } = useApp();
  void places.actions.load();
  live.actions.start();
  const storeId = () => choice.state.storeId;
  const storeName = () => places.state.stores.find((s) => s.id === storeId())?.name ?? 'this store';
  const alerts = useStoreAlerts(storeId);
  const canEdit = () => allows(session.state.user?.role, 'manager');

  return (
    <div class="page">
      <PageHeader title="Alerts">
        <PlacePicker noCamera />
      </PageHeader>
      <ErrorNote text={alerts.error()} />
      <Show when={storeId()} fallback={<Loading />}>
        {(id) => (
          <div class="stack">
            <section class="card" data-testid="alerts-now">
              <h2>Going on now</h2>
              <Show when={alerts.firing.latest} fallback={<Loading />}>
                {(list) => (
                  <Show when={list().length} fallback={<p class="muted">Nothing needs your attention.</p>}>
                    <AlertList alerts={list()} storeName={storeName()} testId="alerts-firing" />
                  </Show>
                )}
              </Show>
            </section>
            <Show when={canEdit()}>
              <RulesCard storeId={id()} />
            </Show>
            <BuildingSystems />
            <section class="card" data-testid="alerts-history">
              <h2>All alerts, newest first</h2>
              <Show when={alerts.history().length} fallback={<p class="muted">No alerts yet.</p>}>
                <AlertList alerts={alerts.history()} storeName={storeName()} testId="alerts-history-list" />
              </Show>
              <Show when={alerts.hasMore()}>
                <button type="button" class="ghost small" onClick={() => void alerts.more()}>
                  Show older alerts
                </button>
              </Show>
            </section>
          </div>
        )}
      </Show>
    </div>
  );
}
