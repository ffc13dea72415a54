/** Administration: stores, their boxes, enrollment codes for installers, and users with their roles. */
import { createResource, createSignal, For, type JSX, Show } from 'solid-js';
import { describeError, type Role } from '../api/client.ts';
import type { EnrollmentCode, Store, User } from '../api/types.ts';
import { DeviceState, ErrorNote, PageHeader } from '../components/Common.tsx';
import { DeadLetters } from '../components/DeadLetters.tsx';
import { Icon } from '../components/Icon.tsx';
import { roleWords } from '../components/Shell.tsx';
import { formatAgo, formatDateTime } from '../lib/format.ts';
import { useApp } from '../stores/app.tsx';

/** Runs an action, showing its error in plain words; returns whether it worked. */
function useAction() {
  const [error, setError] = createSignal('');
  const [busy, setBusy] = createSignal(false);
  const run = async (fn: () => Promise<unknown>): Promise<boolean> => {
    setBusy(true);
    setError('');
    try {
      await fn();
      return true;
    } catch (err) {
      setError(describeError(err));
      return false;
    } finally {
      setBusy(false);
    }
  };
  return { error, busy, run };
}

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

const ROLES: Role[] = ['viewer', 'manager', 'admin'];

function UsersCard(): JSX.Element {
  const { api, places, session } = useApp();
  const act = useAction();
  const [users, { refetch }] = createResource(() => api.get<User[]>('/api/users'));
  const [name, setName] = createSignal('');
  const [password, setPassword] = createSignal('');
  const [role, setRole] = createSignal<Role>('viewer');
  const [storeIds, setStoreIds] = createSignal<string[]>([]);
  const create = async (e: SubmitEvent) => {
    e.preventDefault();
    const ok = await act.run(() =>
      api.post('/api/users', {
        name: name().trim(),
        password: password(),
        role: role(),
        storeIds: storeIds(),
      }),
    );
    if (ok) {
      setName('');
      setPassword('');
      setStoreIds([]);
      await refetch();
    }
  };
  const patch = async (u: User, body: Record<string, unknown>) => {
    if (await act.run(() => api.patch(`/api/users/${u.id}`, body))) await refetch();
  };
  return (
    <section class="card">
      <h2>Users</h2>
      <p class="small muted">
        Administrators see and change everything. Store managers look after their stores (areas, boxes,
        codes). Viewers only read the numbers of their stores.
      </p>
      <ErrorNote text={users.error ? describeError(users.error) : ''} />
      <div class="table-wrap">
        <table class="table" data-testid="users-table">
          <thead>
            <tr>
              <th>Name</th>
              <th>Role</th>
              <th>Stores</th>
              <th>Last sign-in</th>
              <th />
            </tr>
          </thead>
          <tbody>
            <For each={users()}>
              {(u) => (
                <tr>
                  <td>
                    {u.name}{' '}
                    <Show when={u.disabled}>
                      <span class="badge off">disabled</span>
                    </Show>
                  </td>
                  <td>
                    <select
                      value={u.role}
                      disabled={u.id === session.state.user?.id}
                      onChange={(e) => patch(u, { role: e.currentTarget.value })}
                      aria-label={`Role of ${u.name}`}
                    >
                      <For each={ROLES}>{(r) => <option value={r}>{roleWords(r)}</option>}</For>
                    </select>
                  </td>
                  <td class="small">
                    {u.role === 'admin'
                      ? 'all'
                      : u.storeIds.map((id) => places.actions.storeName(id)).join(', ') || 'none'}
                  </td>
                  <td class="small">{formatAgo(u.lastLoginAt)}</td>
                  <td style={{ 'text-align': 'right' }}>
                    <Show when={u.id !== session.state.user?.id}>
                      <button
                        type="button"
                        class="ghost small"
                        onClick={() => patch(u, { disabled: !u.disabled })}
                      >
                        {u.disabled ? 'Enable' : 'Disable'}
                      </button>
                      <button
                        type="button"
                        class="ghost small"
                        onClick={() => {
                          const p = prompt(`New password for ${u.name}`);
                          if (p) void patch(u, { password: p });
                        }}
                      >
                        New password
                      </button>
                      <button
                        type="button"
                        class="ghost small danger"
                        onClick={async () => {
                          if (
                            confirm(`Delete the account "${u.name}"?`) &&
                            (await act.run(() => api.delete(`/api/users/${u.id}`)))
                          )
                            await refetch();
                        }}
                      >
                        <Icon name="trash" size={14} />
                      </button>
                    </Show>
                  </td>
                </tr>
              )}
            </For>
          </tbody>
        </table>
      </div>
      <h3 style={{ 'margin-top': '1rem' }}>Add a user</h3>
      <form class="row" onSubmit={create} data-testid="new-user">
        <label>
          <span>Name</span>
          <input
            name="new-user-name"
            required
            maxLength={64}
            value={name()}
            onInput={(e) => setName(e.currentTarget.value)}
          />
        </label>
        <label>
          <span>Password</span>
          <input
            name="new-user-password"
            type="password"
            autocomplete="new-password"
            required
            value={password()}
            onInput={(e) => setPassword(e.currentTarget.value)}
          />
        </label>
        <label>
          <span>Role</span>
          <select
            name="new-user-role"
            value={role()}
            onChange={(e) => setRole(e.currentTarget.value as Role)}
          >
            <For each={ROLES}>{(r) => <option value={r}>{roleWords(r)}</option>}</For>
          </select>
        </label>
        <Show when={role() !== 'admin'}>
          <label>
            <span>Stores</span>
            <select
              name="new-user-stores"
              multiple
              size={Math.min(4, Math.max(2, places.state.stores.length))}
              onChange={(e) => setStoreIds([...e.currentTarget.selectedOptions].map((o) => o.value))}
            >
              <For each={places.state.stores}>{(s) => <option value={s.id}>{s.name}</option>}</For>
            </select>
          </label>
        </Show>
        <button type="submit" class="primary" disabled={act.busy()}>
          <Icon name="plus" /> Add user
        </button>
      </form>
      <ErrorNote text={act.error()} />
    </section>
  );
}
