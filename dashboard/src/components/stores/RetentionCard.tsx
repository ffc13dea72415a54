/**
 * Per store on the Stores & users page: how long each visitor's detailed movements are kept. Older
 * movements are removed every hour; the daily and hourly numbers stay.
 */
import { Store } from '@oskartrack/protocol';
import { For, type JSX, Show } from 'solid-js';
import type { Store as StoreBody } from '../../api/types.ts';
import { useApp } from '../../stores/app.tsx';
import { ErrorNote } from '../Common.tsx';
import { useAction } from '../use-action.ts';
import { RetentionField, retentionWords } from './RetentionField.tsx';

export function RetentionCard(): JSX.Element {
  const { places } = useApp();
  return (
    <section class="card" data-testid="retention-card">
      <h2>Detailed movements</h2>
      <p class="small muted">
        Keep each visitor's detailed movements for a number of days; daily and hourly numbers are kept. Flows
        between areas and heatmaps stay available by day after the details are removed.
      </p>
      <ul class="stack" style={{ margin: 0, padding: 0, 'list-style': 'none', gap: '0.75rem' }}>
        <For each={places.state.stores.map((s) => s.id)}>
          {(id) => (
            <Show when={places.state.stores.find((s) => s.id === id)}>
              {(s) => <StoreRetention store={s()} />}
            </Show>
          )}
        </For>
      </ul>
    </section>
  );
}

function StoreRetention(props: { store: StoreBody }): JSX.Element {
  const { api, places } = useApp();
  const act = useAction();
  const save = async (rawRetentionDays: number | null) => {
    const path = `/api/stores/${encodeURIComponent(props.store.id)}`;
    if (await act.run(() => api.write('PATCH', Store, path, { rawRetentionDays }))) {
      await places.actions.load(true);
    }
  };
  return (
    <li style={{ 'min-width': 0 }}>
      <strong>{props.store.name}</strong>{' '}
      <span class="small muted">{retentionWords(props.store.rawRetentionDays)}</span>
      <RetentionField store={props.store} busy={act.busy()} onSave={(d) => void save(d)} />
      <ErrorNote text={act.error()} />
    </li>
  );
}
