/** Adding an account: name, first password, role, and for managers and viewers their stores. */
import { createSignal, For, type JSX, Show } from 'solid-js';
import type { Role } from '../../api/client.ts';
import { useApp } from '../../stores/app.tsx';
import { Icon } from '../Icon.tsx';
import { roleWords } from '../Shell.tsx';
import { ROLES } from './UserRow.tsx';

export interface NewUser {
  name: string;
  password: string;
  role: Role;
  storeIds: string[];
}

/** `onCreate` answers whether the account was made; the form is emptied only then. */
export function NewUserForm(props: {
  busy: boolean;
  onCreate: (u: NewUser) => Promise<boolean>;
}): JSX.Element {
  const { places } = useApp();
  const [name, setName] = createSignal('');
  const [password, setPassword] = createSignal('');
  const [role, setRole] = createSignal<Role>('viewer');
  const [storeIds, setStoreIds] = createSignal<string[]>([]);
  const create = async (e: SubmitEvent) => {
    e.preventDefault();
    const ok = await props.onCreate({
      name: name().trim(),
      password: password(),
      role: role(),
      storeIds: storeIds(),
    });
    if (ok) {
      setName('');
      setPassword('');
      setStoreIds([]);
    }
  };
  return (
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
        <select name="new-user-role" value={role()} onChange={(e) => setRole(e.currentTarget.value as Role)}>
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
      <button type="submit" class="primary" disabled={props.busy}>
        <Icon name="plus" /> Add user
      </button>
    </form>
  );
}
