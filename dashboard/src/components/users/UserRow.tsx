/** One account in the users table: its role, stores, last sign-in, and what an administrator may do. */
import { For, type JSX, Show } from 'solid-js';
import type { Role } from '../../api/client.ts';
import type { User } from '../../api/types.ts';
import { formatAgo } from '../../lib/format.ts';
import { useApp } from '../../stores/app.tsx';
import { Icon } from '../Icon.tsx';
import { roleWords } from '../Shell.tsx';

export const ROLES: Role[] = ['viewer', 'manager', 'admin'];

export function UserRow(props: {
  user: User;
  onPatch: (u: User, body: Record<string, unknown>) => void;
  onDelete: (u: User) => void;
}): JSX.Element {
  const { places, session } = useApp();
  const u = props.user;
  const isMe = () => u.id === session.state.user?.id;
  return (
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
          disabled={isMe()}
          onChange={(e) => props.onPatch(u, { role: e.currentTarget.value })}
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
        <Show when={!isMe()}>
          <button
            type="button"
            class="ghost small"
            onClick={() => props.onPatch(u, { disabled: !u.disabled })}
          >
            {u.disabled ? 'Enable' : 'Disable'}
          </button>
          <button
            type="button"
            class="ghost small"
            onClick={() => {
              const p = prompt(`New password for ${u.name}`);
              if (p) props.onPatch(u, { password: p });
            }}
          >
            New password
          </button>
          <button type="button" class="ghost small danger" onClick={() => props.onDelete(u)}>
            <Icon name="trash" size={14} />
          </button>
        </Show>
      </td>
    </tr>
  );
}
