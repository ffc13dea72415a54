/** A store's alert rules (managers and administrators): each as a sentence, on or off, delete; add one. */
import type { AlertRule, AlertRuleBody } from '@oskartrack/protocol';
import { createResource, createSignal, For, type JSX, Show } from 'solid-js';
import { describeError } from '../../api/client.ts';
import { useApp } from '../../stores/app.tsx';
import { ErrorNote } from '../Common.tsx';
import { Icon } from '../Icon.tsx';
import { useAction } from '../use-action.ts';
import { createAlertRule, deleteAlertRule, listAlertRules, updateAlertRule } from './api.ts';
import { RuleForm } from './RuleForm.tsx';
import { channelWords, KINDS } from './words.ts';

function RuleRow(props: {
  rule: AlertRule;
  busy: boolean;
  onToggle: (r: AlertRule) => void;
  onDelete: (r: AlertRule) => void;
  onChange: (r: AlertRule) => void;
}): JSX.Element {
  const r = () => props.rule;
  return (
    <tr data-testid="alert-rule">
      <td data-label="Alert">{KINDS[r().kind].sentence(r().threshold)}</td>
      <td data-label="Also sent to" class="small">
        {channelWords(r())}
      </td>
      <td data-label="On">
        <input
          type="checkbox"
          checked={r().enabled}
          disabled={props.busy}
          onChange={() => props.onToggle(r())}
          aria-label={
            r().enabled ? 'On: click to switch this alert off' : 'Off: click to switch this alert on'
          }
          data-testid="alert-rule-on"
        />
      </td>
      <td class="actions">
        <button type="button" class="ghost small" disabled={props.busy} onClick={() => props.onChange(r())}>
          Change
        </button>
        <button
          type="button"
          class="ghost small danger"
          disabled={props.busy}
          onClick={() => props.onDelete(r())}
        >
          <Icon name="trash" size={14} /> Delete
        </button>
      </td>
    </tr>
  );
}

export function RulesCard(props: { storeId: string }): JSX.Element {
  const { api } = useApp();
  const act = useAction();
  const [rules, { refetch }] = createResource(
    () => props.storeId,
    (id) => listAlertRules(api, id),
  );
  const [changing, setChanging] = createSignal<AlertRule | null>(null);
  const create = async (body: AlertRuleBody) => {
    const ok = await act.run(() => createAlertRule(api, body));
    if (ok) await refetch();
    return ok;
  };
  const save = async (body: AlertRuleBody) => {
    const rule = changing();
    if (!rule) return false;
    const { threshold, channels } = body;
    const ok = await act.run(() =>
      updateAlertRule(api, rule.id, { threshold, ...(channels ? { channels } : {}) }),
    );
    if (ok) {
      setChanging(null);
      await refetch();
    }
    return ok;
  };
  const toggle = async (r: AlertRule) => {
    if (await act.run(() => updateAlertRule(api, r.id, { enabled: !r.enabled }))) await refetch();
  };
  const remove = async (r: AlertRule) => {
    if (!confirm(`Delete the alert "${KINDS[r.kind].sentence(r.threshold)}" and its history?`)) return;
    if (await act.run(() => deleteAlertRule(api, r.id))) await refetch();
  };
  return (
    <section class="card" data-testid="alert-rules">
      <h2>What to tell you about</h2>
      <p class="small muted">
        Each alert shows here and on the Overview as soon as it happens, and once more when it is over.
        E-mail, a web address or your building system get it too when you name them.
      </p>
      <ErrorNote text={rules.error ? describeError(rules.error) : ''} onRetry={() => void refetch()} />
      <Show when={rules()?.length} fallback={<p class="muted">No alerts set up for this store yet.</p>}>
        <div class="table-wrap">
          <table class="table stacked">
            <thead>
              <tr>
                <th>Alert</th>
                <th>Also sent to</th>
                <th>On</th>
                <th />
              </tr>
            </thead>
            <tbody>
              <For each={rules()}>
                {(r) => (
                  <RuleRow
                    rule={r}
                    busy={act.busy()}
                    onToggle={toggle}
                    onDelete={remove}
                    onChange={setChanging}
                  />
                )}
              </For>
            </tbody>
          </table>
        </div>
      </Show>
      <Show when={changing()} keyed>
        {(rule) => (
          <>
            <h3 style={{ 'margin-top': '1rem' }}>Change: {KINDS[rule.kind].sentence(rule.threshold)}</h3>
            <RuleForm storeId={props.storeId} busy={act.busy()} rule={rule} onSave={save} />
            <button type="button" class="ghost small" onClick={() => setChanging(null)}>
              Keep it as it is
            </button>
          </>
        )}
      </Show>
      <h3 style={{ 'margin-top': '1rem' }}>Add an alert</h3>
      <RuleForm storeId={props.storeId} busy={act.busy()} onSave={create} />
      <ErrorNote text={act.error()} />
    </section>
  );
}
