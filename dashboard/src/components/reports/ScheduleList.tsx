/** The report schedules: what goes to whom, how the last one went; pause, send now, remove. */
import type { ReportScheduleWire } from '@oskartrack/protocol';
import { createSignal, For, type JSX, Show } from 'solid-js';
import { deleteReportSchedule, sendReportNow, updateReportSchedule } from '../../api/endpoints.ts';
import { useApp } from '../../stores/app.tsx';
import { ErrorNote } from '../Common.tsx';
import { Icon } from '../Icon.tsx';
import { useAction } from '../use-action.ts';
import { lastRunWords, periodLabel } from './words.ts';

export function ScheduleList(props: { schedules: ReportScheduleWire[]; onChanged: () => void }): JSX.Element {
  return (
    <Show
      when={props.schedules.length > 0}
      fallback={
        <p class="muted" data-testid="no-schedules">
          No reports are sent by e-mail yet. Add one below.
        </p>
      }
    >
      <div class="table-wrap">
        <table class="table" data-testid="schedules">
          <thead>
            <tr>
              <th>Store</th>
              <th>How often</th>
              <th>Sent to</th>
              <th>Last report</th>
              <th />
            </tr>
          </thead>
          <tbody>
            <For each={props.schedules}>
              {(s) => <ScheduleRow schedule={s} onChanged={props.onChanged} />}
            </For>
          </tbody>
        </table>
      </div>
    </Show>
  );
}

function ScheduleRow(props: { schedule: ReportScheduleWire; onChanged: () => void }): JSX.Element {
  const { api } = useApp();
  const act = useAction();
  const [sent, setSent] = createSignal('');
  const s = () => props.schedule;
  const sendNow = async () => {
    setSent('');
    await act.run(async () => {
      const r = await sendReportNow(api, s().id);
      setSent(`Sent to ${r.recipients.join(', ')}.`);
    });
  };
  const toggle = async () => {
    if (await act.run(() => updateReportSchedule(api, s().id, { enabled: !s().enabled }))) props.onChanged();
  };
  const remove = async () => {
    if (!confirm('Stop sending this report?')) return;
    if (await act.run(() => deleteReportSchedule(api, s().id))) props.onChanged();
  };
  return (
    <tr data-testid="schedule-row">
      <td>{s().storeName ?? 'All stores'}</td>
      <td>
        {periodLabel(s().period)}
        <Show when={!s().enabled}>
          {' '}
          <span class="badge off">Paused</span>
        </Show>
      </td>
      <td class="small">{s().recipients.join(', ')}</td>
      <td class="small">
        {lastRunWords(s())}
        <Show when={sent()}>
          <div class="small" role="status" data-testid="sent-now">
            {sent()}
          </div>
        </Show>
        <ErrorNote text={act.error()} />
      </td>
      <td>
        <div class="toolbar">
          <button type="button" class="small" onClick={sendNow} disabled={act.busy()} data-testid="send-now">
            Send now
          </button>
          <button type="button" class="small" onClick={toggle} disabled={act.busy()}>
            {s().enabled ? 'Pause' : 'Resume'}
          </button>
          <button
            type="button"
            class="ghost small"
            onClick={remove}
            disabled={act.busy()}
            aria-label="Remove"
          >
            <Icon name="trash" size={16} />
          </button>
        </div>
      </td>
    </tr>
  );
}
