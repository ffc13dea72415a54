/** A new report schedule: which store (or every store, for administrators), how often, to whom. */
import type { ReportPeriod } from '@oskartrack/protocol';
import { createSignal, For, type JSX, Show } from 'solid-js';
import { createReportSchedule } from '../../api/endpoints.ts';
import { useApp } from '../../stores/app.tsx';
import { ErrorNote } from '../Common.tsx';
import { Icon } from '../Icon.tsx';
import { useAction } from '../use-action.ts';
import { PERIODS, splitAddresses } from './words.ts';

const EVERY_STORE = '*';

export function ScheduleForm(props: { onCreated: () => void }): JSX.Element {
  const { api, places, session } = useApp();
  const act = useAction();
  const admin = () => session.state.user?.role === 'admin';
  const [store, setStore] = createSignal('');
  const [period, setPeriod] = createSignal<ReportPeriod>('weekly');
  const [to, setTo] = createSignal('');
  const chosenStore = () => store() || (admin() ? EVERY_STORE : (places.state.stores[0]?.id ?? ''));
  const submit = async (e: SubmitEvent) => {
    e.preventDefault();
    const recipients = splitAddresses(to());
    const ok = await act.run(() =>
      recipients.length === 0
        ? Promise.reject(new Error('enter at least one e-mail address to send the report to'))
        : createReportSchedule(api, {
            storeId: chosenStore() === EVERY_STORE ? null : chosenStore(),
            period: period(),
            recipients,
          }),
    );
    if (ok) {
      setTo('');
      props.onCreated();
    }
  };
  return (
    <form class="stack narrow" onSubmit={submit} data-testid="schedule-form">
      <label>
        <span>Store</span>
        <select
          data-testid="schedule-store"
          value={chosenStore()}
          onChange={(e) => setStore(e.currentTarget.value)}
        >
          <Show when={admin()}>
            <option value={EVERY_STORE}>All stores (one report)</option>
          </Show>
          <For each={places.state.stores}>{(s) => <option value={s.id}>{s.name}</option>}</For>
        </select>
      </label>
      <label>
        <span>How often</span>
        <select
          data-testid="schedule-period"
          value={period()}
          onChange={(e) => setPeriod(e.currentTarget.value as ReportPeriod)}
        >
          <For each={PERIODS}>
            {(p) => (
              <option value={p.value}>
                {p.label} ({p.hint})
              </option>
            )}
          </For>
        </select>
      </label>
      <label>
        <span>Send to (e-mail addresses, separated by commas)</span>
        <input
          data-testid="schedule-recipients"
          type="text"
          inputmode="email"
          placeholder="owner@example.com, office@example.com"
          value={to()}
          onInput={(e) => setTo(e.currentTarget.value)}
        />
      </label>
      <p class="small muted">
        A report goes out shortly after midnight (the store's time) once its day, week or month is over; a new
        one sends the last complete period right away.
      </p>
      <div>
        <button type="submit" class="primary" disabled={act.busy()} data-testid="schedule-create">
          <Icon name="plus" /> Add report
        </button>
      </div>
      <ErrorNote text={act.error()} />
    </form>
  );
}
