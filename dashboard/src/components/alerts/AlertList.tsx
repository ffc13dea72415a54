/** Alerts as lines: what happened, since when, whether it is over; a storm as one line that opens. */
import type { Alert } from '@oskartrack/protocol';
import { For, type JSX, Show } from 'solid-js';
import { formatDateTime } from '../../lib/format.ts';
import { type AlertEntry, entries } from './words.ts';

function AlertLine(props: { alert: Alert }): JSX.Element {
  const a = () => props.alert;
  return (
    <li class="alert-line" data-testid="alert-line" data-state={a().state}>
      <span class={`badge ${a().state === 'firing' ? 'off' : 'neutral'}`}>
        {a().state === 'firing' ? 'Going on' : 'Over'}
      </span>{' '}
      <span data-testid="alert-message">{a().message}</span>{' '}
      <span class="small muted">
        since {formatDateTime(a().firedAt)}
        <Show when={a().clearedAt}>{(at) => <>, over at {formatDateTime(at())}</>}</Show>
      </span>
    </li>
  );
}

function GroupLine(props: { alerts: Alert[]; storeName: string }): JSX.Element {
  const going = () => props.alerts.filter((a) => a.state === 'firing').length;
  return (
    <li data-testid="alert-group">
      <details>
        <summary>
          <strong>
            {props.alerts.length} problems in {props.storeName}
          </strong>{' '}
          <span class="small muted">
            {going() ? `${going()} going on` : 'all over'} · since{' '}
            {formatDateTime(props.alerts.at(-1)!.firedAt)}
          </span>
        </summary>
        <ul class="alert-list">
          <For each={props.alerts}>{(a) => <AlertLine alert={a} />}</For>
        </ul>
      </details>
    </li>
  );
}

export function AlertList(props: {
  alerts: readonly Alert[];
  storeName: string;
  testId?: string;
}): JSX.Element {
  return (
    <ul class="alert-list" data-testid={props.testId} style={{ 'list-style': 'none', padding: 0, margin: 0 }}>
      <For each={entries(props.alerts)}>
        {(e: AlertEntry) =>
          'group' in e ? (
            <GroupLine alerts={e.alerts} storeName={props.storeName} />
          ) : (
            <AlertLine alert={e.alert} />
          )
        }
      </For>
    </ul>
  );
}
