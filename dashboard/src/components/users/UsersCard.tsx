/** Administration of accounts: who may see what, and adding, changing or removing an account. */

import { createResource, For, type JSX } from 'solid-js';
import { describeError } from '../../api/client.ts';
import { createUser, deleteUser, listUsers, updateUser } from '../../api/endpoints.ts';
import type { User } from '../../api/types.ts';
import { useApp } from '../../stores/app.tsx';
import { ErrorNote } from '../Common.tsx';
import { useAction } from '../use-action.ts';
import { type NewUser, NewUserForm } from './NewUserForm.tsx';
import { UserRow } from './UserRow.tsx';

export function UsersCard(): JSX.Element {
  const { api } = useApp();
  const act = useAction();
  const [users, { refetch }] = createResource(() => listUsers(api));
  const create = async (u: NewUser) => {
    const ok = await act.run(() => createUser(api, u));
    if (ok) await refetch();
    return ok;
  };
  const patch = async (u: User, body: Record<string, unknown>) => {
    if (await act.run(() => updateUser(api, u.id, body))) await refetch();
  };
  const remove = async (u: User) => {
    if (confirm(`Delete the account "${u.name}"?`) && (await act.run(() => deleteUser(api, u.id))))
      await refetch();
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
            <For each={users()}>{(u) => <UserRow user={u} onPatch={patch} onDelete={remove} />}</For>
          </tbody>
        </table>
      </div>
      <h3 style={{ 'margin-top': '1rem' }}>Add a user</h3>
      <NewUserForm busy={act.busy()} onCreate={create} />
      <ErrorNote text={act.error()} />
    </section>
  );
}
