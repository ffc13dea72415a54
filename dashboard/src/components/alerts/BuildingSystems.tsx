/**
 * Building systems (administrators): read-only accounts a building management system, alarm panel or
 * script uses to receive alerts from the hub's message broker (MQTT). List, add (the password is shown
 * once, with the address and topic, ready to copy), delete.
 */
import { AlertListener, type AlertListenerBody, NewAlertListener } from '@oskartrack/protocol';
import { Type } from '@sinclair/typebox';
import { createResource, createSignal, For, type JSX, Show } from 'solid-js';
import { type ApiClient, describeError } from '../../api/client.ts';
import { useApp } from '../../stores/app.tsx';
import { ErrorNote } from '../Common.tsx';
import { Icon } from '../Icon.tsx';
import { allows } from '../Shell.tsx';
import { useAction } from '../use-action.ts';

type Api = Pick<ApiClient, 'get' | 'write' | 'delete'>;
const PATH = '/api/alert-listeners';
const listAccounts = (api: Api) => api.get(Type.Array(AlertListener), PATH);
const createAccount = (api: Api, body: AlertListenerBody) => api.write('POST', NewAlertListener, PATH, body);
const deleteAccount = (api: Api, id: string) => api.delete(`${PATH}/${encodeURIComponent(id)}`);

/** Copies a value: the clipboard where the page may use it (https or this machine), else select it. */
async function copy(el: HTMLElement | undefined): Promise<void> {
  if (!el) return;
  try {
    await navigator.clipboard.writeText(el.textContent ?? '');
  } catch {
    const range = document.createRange();
    range.selectNodeContents(el);
    window.getSelection()?.removeAllRanges();
    window.getSelection()?.addRange(range);
  }
}

function CopyLine(props: { label: string; value: string; testId: string }): JSX.Element {
  let el: HTMLElement | undefined;
  return (
    <div class="copy-line">
      <span class="small">{props.label}</span>
      <code class="code selectable" data-testid={props.testId} ref={el}>
        {props.value}
      </code>
      <button type="button" class="small" onClick={() => void copy(el)}>
        Copy
      </button>
    </div>
  );
}

/** What the building system needs, shown once right after the account is made. */
function NewAccountNote(props: { account: NewAlertListener; onDone: () => void }): JSX.Element {
  const a = () => props.account;
  return (
    <div class="note ok" data-testid="building-system-new">
      <p>
        Enter these in the building system's MQTT settings. The password is shown only now: copy it before you
        close this note.
      </p>
      {/* One value a line: the note itself lays its children out in a row. */}
      <div style={{ display: 'grid', gap: '0.4rem', width: '100%' }}>
        <For each={a().brokerUrls}>
          {(url) => <CopyLine label="Server address" value={url} testId="building-system-url" />}
        </For>
        <CopyLine label="User name and client id" value={a().username} testId="building-system-user" />
        <CopyLine label="Password" value={a().password} testId="building-system-password" />
        <CopyLine label="Topic to subscribe to" value={a().topic} testId="building-system-topic" />
      </div>
      <p class="small muted">
        Each alert arrives as a short JSON message when it starts and again when it is over. The account can
        only read alerts: it cannot send anything.{' '}
        {a().topic.includes('+') ? 'The + stands for every store.' : ''}
      </p>
      <button type="button" class="small" onClick={() => props.onDone()} data-testid="building-system-done">
        I have copied it
      </button>
    </div>
  );
}

function AddForm(props: {
  busy: boolean;
  onAdd: (body: AlertListenerBody) => Promise<boolean>;
}): JSX.Element {
  const { places } = useApp();
  const [name, setName] = createSignal('');
  const [storeId, setStoreId] = createSignal('');
  return (
    <form
      class="row"
      onSubmit={(e) => {
        e.preventDefault();
        void props.onAdd({ name: name().trim(), storeId: storeId() || null }).then((ok) => ok && setName(''));
      }}
    >
      <label>
        Name
        <input
          value={name()}
          onInput={(e) => setName(e.currentTarget.value)}
          placeholder="e.g. Building management"
          maxLength={100}
          required
          data-testid="building-system-name"
        />
      </label>
      <label>
        Alerts of
        <select
          value={storeId()}
          onChange={(e) => setStoreId(e.currentTarget.value)}
          data-testid="building-system-store"
        >
          <option value="">All stores</option>
          <For each={places.state.stores}>{(s) => <option value={s.id}>{s.name}</option>}</For>
        </select>
      </label>
      <button type="submit" disabled={props.busy || !name().trim()} data-testid="building-system-add">
        Add
      </button>
    </form>
  );
}

/** The card, for administrators only (nothing for other roles). */
export function BuildingSystems(): JSX.Element {
  const { session } = useApp();
  return (
    <Show when={allows(session.state.user?.role, 'admin')}>
      <BuildingSystemsCard />
    </Show>
  );
}

function BuildingSystemsCard(): JSX.Element {
  const { api, places } = useApp();
  const act = useAction();
  const [accounts, { refetch }] = createResource(() => listAccounts(api));
  const [fresh, setFresh] = createSignal<NewAlertListener | null>(null);
  const storeName = (id: string | null) =>
    id === null ? 'All stores' : (places.state.stores.find((s) => s.id === id)?.name ?? id);
  const add = async (body: AlertListenerBody): Promise<boolean> => {
    let made: NewAlertListener | undefined;
    if (!(await act.run(async () => (made = await createAccount(api, body))))) return false;
    setFresh(made ?? null);
    await refetch();
    return true;
  };
  const remove = async (a: AlertListener) => {
    if (!confirm(`Delete "${a.name}"? The building system stops receiving alerts at once.`)) return;
    if (await act.run(() => deleteAccount(api, a.id))) await refetch();
  };
  return (
    <section class="card" data-testid="building-systems">
      <h2>Building systems</h2>
      <p class="small muted">
        A building management system, alarm panel or script can receive the alerts too. It connects to this
        hub's message server (MQTT) with its own account, which can only read the alerts of the store you
        choose.
      </p>
      <ErrorNote text={accounts.error ? describeError(accounts.error) : ''} onRetry={() => void refetch()} />
      <Show when={accounts()?.length} fallback={<p class="muted">No building system connected yet.</p>}>
        <div class="table-wrap">
          <table class="table stacked">
            <thead>
              <tr>
                <th>Name</th>
                <th>Alerts of</th>
                <th>User name</th>
                <th />
              </tr>
            </thead>
            <tbody>
              <For each={accounts()}>
                {(a) => (
                  <tr data-testid="building-system">
                    <td data-label="Name">{a.name}</td>
                    <td data-label="Alerts of">{storeName(a.storeId)}</td>
                    <td data-label="User name" class="code small">
                      {a.id}
                    </td>
                    <td class="actions">
                      <button
                        type="button"
                        class="ghost small danger"
                        disabled={act.busy()}
                        onClick={() => void remove(a)}
                      >
                        <Icon name="trash" size={14} /> Delete
                      </button>
                    </td>
                  </tr>
                )}
              </For>
            </tbody>
          </table>
        </div>
      </Show>
      <Show when={fresh()} keyed>
        {(account) => <NewAccountNote account={account} onDone={() => setFresh(null)} />}
      </Show>
      <h3 style={{ 'margin-top': '1rem' }}>Add a building system</h3>
      <AddForm busy={act.busy()} onAdd={add} />
      <ErrorNote text={act.error()} />
    </section>
  );
}
