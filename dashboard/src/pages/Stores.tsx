/** Administration: stores, their boxes, enrollment codes for installers, and users with their roles. */

import { createSignal, For, type JSX } from 'solid-js';
import { createStore, deleteStore, updateStore } from '../api/endpoints.ts';
import type { Store } from '../api/types.ts';
import { StoreBoxes } from '../components/boxes/StoreBoxes.tsx';
import { ErrorNote, PageHeader } from '../components/Common.tsx';
import { Icon } from '../components/Icon.tsx';
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
      <For each={places.state.stores}>{(s) => <StoreBoxes store={s} />}</For>
      <UsersCard />
    </div>
  );
}

function StoresCard(): JSX.Element {
  const { api, places } = useApp();
  const act = useAction();
  const [name, setName] = createSignal('');
  const [timezone, setTimezone] = createSignal(Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC');
  const create = async (e: SubmitEvent) => {
    e.preventDefault();
    if (await act.run(() => createStore(api, { name: name().trim(), timezone: timezone().trim() }))) {
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
  return (
    <section class="card">
      <h2>Stores</h2>
      <div class="table-wrap">
        <table class="table" data-testid="stores-table">
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
              {(s) => <StoreRow store={s} onRename={renameStore} onDelete={remove} />}
            </For>
          </tbody>
        </table>
      </div>
      <form class="row" style={{ 'margin-top': '0.75rem' }} onSubmit={create}>
        <label>
          <span>New store name</span>
          <input required maxLength={100} value={name()} onInput={(e) => setName(e.currentTarget.value)} />
        </label>
        <label>
          <span>Time zone</span>
          <input required value={timezone()} onInput={(e) => setTimezone(e.currentTarget.value)} />
        </label>
        <button type="submit" class="primary" disabled={act.busy()}>
          <Icon name="plus" /> Add store
        </button>
      </form>
      <ErrorNote text={act.error()} />
    </section>
  );
}

/** A store in the stores table: its time zone, how many boxes and cameras, rename and delete. */
function StoreRow(props: {
  store: Store;
  onRename: (s: Store) => void;
  onDelete: (s: Store) => void;
}): JSX.Element {
  const { places } = useApp();
  const s = props.store;
  return (
    <tr>
      <td>{s.name}</td>
      <td>{s.timezone}</td>
      <td>{places.state.devices.filter((d) => d.storeId === s.id).length}</td>
      <td>{places.state.cameras.filter((c) => c.storeId === s.id).length}</td>
      <td style={{ 'text-align': 'right' }}>
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
