/**
 * Opening hours of every store on the Stores & users page: what each store's hours are in plain words,
 * and a form to change them. The numbers count open hours only; no hours means open around the clock.
 */
import { type OpeningHours, Store } from '@oskartrack/protocol';
import { createSignal, For, type JSX, Show } from 'solid-js';
import type { Store as StoreBody } from '../../api/types.ts';
import { hoursWords, usualHours } from '../../lib/opening-hours.ts';
import { useApp } from '../../stores/app.tsx';
import { ErrorNote } from '../Common.tsx';
import { useAction } from '../use-action.ts';
import { OpeningHoursEditor } from './OpeningHoursEditor.tsx';

export function OpeningHoursCard(): JSX.Element {
  const { places } = useApp();
  return (
    <section class="card" data-testid="opening-hours-card">
      <h2>Opening hours</h2>
      <p class="small muted">
        The numbers count only the hours a store is open, so nights and closed days do not lower the averages.
        Hours are in the store's time zone.
      </p>
      <ul class="stack" style={{ margin: 0, padding: 0, 'list-style': 'none', gap: '0.75rem' }}>
        <For each={places.state.stores.map((s) => s.id)}>
          {(id) => (
            <Show when={places.state.stores.find((s) => s.id === id)}>
              {(s) => <StoreHours store={s()} />}
            </Show>
          )}
        </For>
      </ul>
    </section>
  );
}

function StoreHours(props: { store: StoreBody }): JSX.Element {
  const { api, places } = useApp();
  const act = useAction();
  const [editing, setEditing] = createSignal(false);
  const save = async (openingHours: OpeningHours | null) => {
    const path = `/api/stores/${encodeURIComponent(props.store.id)}`;
    if (await act.run(() => api.write('PATCH', Store, path, { openingHours }))) {
      // Reloaded first: the words shown when the form closes are the saved ones.
      await places.actions.load(true);
      setEditing(false);
    }
  };
  return (
    <li style={{ 'min-width': 0 }} data-testid={`opening-hours-${props.store.id}`}>
      <div style={{ display: 'flex', 'flex-wrap': 'wrap', gap: '0.5rem', 'align-items': 'center' }}>
        <strong>{props.store.name}</strong>
        <span data-testid="opening-hours-words">{hoursWords(props.store.openingHours)}</span>
        <Show when={!editing()}>
          <span class="row">
            <button type="button" class="small" onClick={() => setEditing(true)}>
              {props.store.openingHours ? 'Change hours' : 'Set opening hours'}
            </button>
            <Show when={props.store.openingHours}>
              <button type="button" class="ghost small" disabled={act.busy()} onClick={() => void save(null)}>
                Count every hour
              </button>
            </Show>
          </span>
        </Show>
      </div>
      <Show when={editing()}>
        <OpeningHoursEditor
          hours={props.store.openingHours ?? usualHours()}
          busy={act.busy()}
          onSave={(h) => void save(h)}
          onCancel={() => setEditing(false)}
        />
      </Show>
      <ErrorNote text={act.error()} />
    </li>
  );
}
