/** Administration: stores, their boxes, enrollment codes for installers, and users with their roles. */
import { createResource, createSignal, For, type JSX, Show } from 'solid-js';
import type { EnrollmentCode, Store } from '../api/types.ts';
import { DeviceState, ErrorNote, PageHeader } from '../components/Common.tsx';
import { DeadLetters } from '../components/DeadLetters.tsx';
import { Icon } from '../components/Icon.tsx';
import { useAction } from '../components/use-action.ts';
import { UsersCard } from '../components/users/UsersCard.tsx';
import { formatAgo, formatDateTime } from '../lib/format.ts';
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
    if (
      await act.run(() =>
        api.post<Store>('/api/stores', { name: name().trim(), timezone: timezone().trim() }),
      )
    ) {
      setName('');
      await places.actions.load(true);
    }
  };
  const remove = async (s: Store) => {
    if (!confirm(`Delete "${s.name}" with all its cameras, areas and history? This cannot be undone.`))
      return;
    if (await act.run(() => api.delete(`/api/stores/${encodeURIComponent(s.id)}`)))
      await places.actions.load(true);
  };
  const renameStore = async (s: Store) => {
    const next = prompt('New name for the store', s.name)?.trim();
    if (
      next &&
      next !== s.name &&
      (await act.run(() => api.patch(`/api/stores/${encodeURIComponent(s.id)}`, { name: next })))
    )
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
              {(s) => (
                <tr>
                  <td>{s.name}</td>
                  <td>{s.timezone}</td>
                  <td>{places.state.devices.filter((d) => d.storeId === s.id).length}</td>
                  <td>{places.state.cameras.filter((c) => c.storeId === s.id).length}</td>
                  <td style={{ 'text-align': 'right' }}>
                    <button type="button" class="ghost small" onClick={() => renameStore(s)}>
                      Rename
                    </button>
                    <button type="button" class="ghost small danger" onClick={() => remove(s)}>
                      <Icon name="trash" size={14} /> Delete
                    </button>
                  </td>
                </tr>
              )}
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

function StoreBoxes(props: { store: Store }): JSX.Element {
  const { api, places } = useApp();
  const act = useAction();
  const [fresh, setFresh] = createSignal<{ code: string; expiresAt: string; command: string } | null>(null);
  const [codes, { refetch }] = createResource(
    () => props.store.id,
    (id) => api.get<EnrollmentCode[]>(`/api/stores/${encodeURIComponent(id)}/enrollment-codes`),
  );
  const devices = () => places.state.devices.filter((d) => d.storeId === props.store.id);
  const newCode = async () => {
    await act.run(async () => {
      const c = await api.post<{ code: string; expiresAt: string; command: string }>(
        `/api/stores/${encodeURIComponent(props.store.id)}/enrollment-codes`,
        { ttlMinutes: 24 * 60 },
      );
      setFresh(c);
      await refetch();
    });
  };
  return (
    <section class="card" data-testid={`boxes-${props.store.id}`}>
      <div class="card-head">
        <h2>
          <Icon name="box" /> Boxes in {props.store.name}
        </h2>
        <button type="button" onClick={newCode} disabled={act.busy()} data-testid="new-code">
          <Icon name="plus" /> New enrollment code
        </button>
      </div>
      <Show when={fresh()}>
        {(c) => (
          <div class="note ok" data-testid="enrollment-code">
            Give the installer this code: <span class="code">{c().code}</span> — it works once, until{' '}
            {formatDateTime(c().expiresAt)}. On the box:{' '}
            <span class="code" data-testid="enroll-command">
              {c().command}
            </span>
            {c().code.split('-').length > 4
              ? " (the code's last part is this hub's fingerprint: the box talks to this hub only)"
              : ''}
            . It is not shown again.
          </div>
        )}
      </Show>
      <ErrorNote text={act.error()} />
      <DeadLetters storeId={props.store.id} />
      <div class="table-wrap">
        <table class="table">
          <thead>
            <tr>
              <th>Box</th>
              <th>State</th>
              <th>Last seen</th>
              <th>Software</th>
              <th />
            </tr>
          </thead>
          <tbody>
            <For
              each={devices()}
              fallback={
                <tr>
                  <td colSpan={5} class="muted">
                    No boxes yet: create a code and enroll one.
                  </td>
                </tr>
              }
            >
              {(d) => (
                <tr>
                  <td>{d.name}</td>
                  <td>
                    <DeviceState device={d} />
                  </td>
                  <td>{formatAgo(d.lastSeenAt)}</td>
                  <td>{d.softwareVersion ?? '–'}</td>
                  <td style={{ 'text-align': 'right' }}>
                    <button
                      type="button"
                      class="ghost small"
                      onClick={async () => {
                        const next = prompt('New name for the box', d.name)?.trim();
                        if (
                          next &&
                          (await act.run(() =>
                            api.patch(`/api/devices/${encodeURIComponent(d.id)}`, { name: next }),
                          ))
                        )
                          await places.actions.load(true);
                      }}
                    >
                      Rename
                    </button>
                    <button
                      type="button"
                      class="ghost small danger"
                      onClick={async () => {
                        if (!confirm(`Lock out "${d.name}"? It cannot connect until it is enrolled again.`))
                          return;
                        if (await act.run(() => api.post(`/api/devices/${encodeURIComponent(d.id)}/revoke`)))
                          await places.actions.load(true);
                      }}
                    >
                      Lock out
                    </button>
                  </td>
                </tr>
              )}
            </For>
          </tbody>
        </table>
      </div>
      <Show when={codes()?.length}>
        <h3 style={{ 'margin-top': '0.75rem' }}>Unused codes</h3>
        <ul class="small">
          <For each={codes()}>
            {(c) => (
              <li>
                Created {formatAgo(c.createdAt)}, valid until {formatDateTime(c.expiresAt)}{' '}
                <button
                  type="button"
                  class="link"
                  onClick={async () => {
                    if (
                      await act.run(() =>
                        api.delete(
                          `/api/stores/${encodeURIComponent(props.store.id)}/enrollment-codes/${c.id}`,
                        ),
                      )
                    )
                      await refetch();
                  }}
                >
                  withdraw
                </button>
              </li>
            )}
          </For>
        </ul>
      </Show>
    </section>
  );
}
