/**
 * Administration: stores with their time zones; per store its boxes and how they are doing, its cameras
 * (added and changed here) and enrollment commands for installers; users with their roles.
 */

import { createSignal, For, type JSX, Show } from 'solid-js';
import { createStore, deleteStore, updateStore } from '../api/endpoints.ts';
import type { Store } from '../api/types.ts';
import { StoreBoxes } from '../components/boxes/StoreBoxes.tsx';
import { TimeZonePicker } from '../components/boxes/TimeZonePicker.tsx';
import { exactZone, localTimeZone, zoneProblem } from '../components/boxes/time-zones.ts';
import { ErrorNote, PageHeader } from '../components/Common.tsx';
import { Icon } from '../components/Icon.tsx';
import { OpeningHoursCard } from '../components/stores/OpeningHoursCard.tsx';
import { RetentionCard } from '../components/stores/RetentionCard.tsx';
import { useAction } from '../components/use-action.ts';
import { UsersCard } from '../components/users/UsersCard.tsx';
import { useApp } from '../stores/app.tsx';

export default function Stores(): JSX.Element {
  const { places } = useApp();
  void places.actions.load();
  return (
    <div class="page">
      <PageHeader title="Stores & users" />
      <StoresCard />
      <OpeningHoursCard />
      <RetentionCard />
      {/* By id: reloading the stores must not close an editor open inside a store's card. */}
      <For each={places.state.stores.map((s) => s.id)}>
        {(id) => (
          <Show when={places.state.stores.find((s) => s.id === id)}>{(s) => <StoreBoxes store={s()} />}</Show>
        )}
      </For>
      <UsersCard />
    </div>
  );
}

function StoresCard(): JSX.Element {
  const { api, places } = useApp();
  const act = useAction();
  const [name, setName] = createSignal('');
  const [timezone, setTimezone] = createSignal(localTimeZone());
  const create = async (e: SubmitEvent) => {
    e.preventDefault();
    const zone = exactZone(timezone());
    const run = zone
      ? () => createStore(api, { name: name().trim(), timezone: zone })
      : () => Promise.reject(new Error(zoneProblem(timezone())));
    if (await act.run(run)) {
      setName('');
      await places.actions.load(true);
    }
  };
  const remove = async (s: Store) => {
    if (!confirm(`Delete "${s.name}" with all its cameras, areas and history? This cannot be undone.`))
      return;
    if (await act.run(() => deleteStore(api, s.id))) await places.actions.load(true);
  };
  const renameStore = async (s: Store) => {
    const next = prompt('New name for the store', s.name)?.trim();
    if (next && next !== s.name && (await act.run(() => updateStore(api, s.id, { name: next }))))
      await places.actions.load(true);
  };
  const changeZone = async (s: Store, zone: string): Promise<boolean> => {
    const exact = exactZone(zone);
    const run = exact
      ? () => updateStore(api, s.id, { timezone: exact })
      : () => Promise.reject(new Error(zoneProblem(zone)));
    const ok = await act.run(run);
    if (ok) await places.actions.load(true);
    return ok;
  };
  return (
    <section class="card">
      <h2>Stores</h2>
      <p class="small muted">
        A store's days and hours are counted in its time zone: "today" starts at midnight there.
      </p>
      <div class="table-wrap">
        <table class="table stacked" data-testid="stores-table">
          <thead>
            <tr>
              <th>Name</th>
              <th>Time zone</th>
              <th>Boxes</th>
              <th>Cameras</th>
              <th />
            </tr>
          </thead>
          <tbody>
            <For each={places.state.stores}>
              {(s) => <StoreRow store={s} onRename={renameStore} onZone={changeZone} onDelete={remove} />}
            </For>
          </tbody>
        </table>
      </div>
      <form class="row" style={{ 'margin-top': '0.75rem' }} onSubmit={create}>
        <label>
          <span>New store name</span>
          <input required maxLength={100} value={name()} onInput={(e) => setName(e.currentTarget.value)} />
        </label>
        <TimeZonePicker value={timezone()} onChange={setTimezone} name="new-store-timezone" />
        <button type="submit" class="primary" disabled={act.busy()}>
          <Icon name="plus" /> Add store
        </button>
      </form>
      <ErrorNote text={act.error()} />
    </section>
  );
}

/** A store in the stores table: its time zone (changeable), how many boxes and cameras, rename, delete. */
function StoreRow(props: {
  store: Store;
  onRename: (s: Store) => void;
  onZone: (s: Store, zone: string) => Promise<boolean>;
  onDelete: (s: Store) => void;
}): JSX.Element {
  const { places } = useApp();
  const s = props.store;
  const [zone, setZone] = createSignal<string | null>(null);
  const save = async (e: SubmitEvent) => {
    e.preventDefault();
    if (await props.onZone(s, zone() ?? '')) setZone(null);
  };
  return (
    <tr data-testid={`store-row-${s.id}`}>
      <td>{s.name}</td>
      <td data-label="Time zone">
        <Show
          when={zone() !== null}
          fallback={
            <button
              type="button"
              class="link"
              title="Change the time zone"
              onClick={() => setZone(s.timezone)}
            >
              {s.timezone}
            </button>
          }
        >
          <form class="row" onSubmit={save}>
            <TimeZonePicker value={zone() ?? ''} onChange={setZone} name="store-timezone" />
            <button type="submit" class="small primary" data-testid="save-timezone">
              Save
            </button>
            <button type="button" class="small ghost" onClick={() => setZone(null)}>
              Cancel
            </button>
          </form>
        </Show>
      </td>
      <td data-label="Boxes">
        {places.state.devices.filter((d) => d.storeId === s.id && d.kind === 'box').length}
      </td>
      <td data-label="Cameras">{places.state.cameras.filter((c) => c.storeId === s.id).length}</td>
      <td class="actions">
        <button type="button" class="ghost small" onClick={() => props.onRename(s)}>
          Rename
        </button>
        <button type="button" class="ghost small danger" onClick={() => props.onDelete(s)}>
          <Icon name="trash" size={14} /> Delete
        </button>
      </td>
    </tr>
  );
}
