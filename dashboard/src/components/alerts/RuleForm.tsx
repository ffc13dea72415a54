/** A new alert rule: what to watch, the number, and where the alert goes besides this page. */
import type { AlertKind, AlertRule, AlertRuleBody } from '@oskartrack/protocol';
import { createSignal, For, type JSX, Show } from 'solid-js';
import { Icon } from '../Icon.tsx';
import { KIND_ORDER, KINDS, splitAddresses } from './words.ts';

/**
 * A new rule, or with `rule` a change to that one (its kind stays). `onSave` answers whether it was
 * saved; a new-rule form starts over only then.
 */
export function RuleForm(props: {
  storeId: string;
  busy: boolean;
  rule?: AlertRule;
  onSave: (body: AlertRuleBody) => Promise<boolean>;
}): JSX.Element {
  const start = props.rule;
  const [kind, setKind] = createSignal<AlertKind>(start?.kind ?? 'people_inside');
  const [threshold, setThreshold] = createSignal(start?.threshold ?? KINDS.people_inside.start);
  const [emails, setEmails] = createSignal(start?.channels.email.join(', ') ?? '');
  const [webhook, setWebhook] = createSignal(start?.channels.webhook ?? '');
  const [mqtt, setMqtt] = createSignal(start?.channels.mqtt ?? false);
  const words = () => KINDS[kind()];

  const choose = (k: AlertKind) => {
    setKind(k);
    setThreshold(KINDS[k].start);
  };
  const submit = async (e: SubmitEvent) => {
    e.preventDefault();
    const ok = await props.onSave({
      storeId: props.storeId,
      kind: kind(),
      threshold: threshold(),
      channels: { email: splitAddresses(emails()), webhook: webhook().trim() || null, mqtt: mqtt() },
    });
    if (ok && !start) {
      setEmails('');
      setWebhook('');
      setMqtt(false);
    }
  };
  return (
    <form class="row" onSubmit={submit} data-testid={start ? 'change-alert-rule' : 'new-alert-rule'}>
      <label>
        <span>Tell me when</span>
        <select
          name="alert-kind"
          value={kind()}
          disabled={start !== undefined}
          onChange={(e) => choose(e.currentTarget.value as AlertKind)}
        >
          <For each={KIND_ORDER}>{(k) => <option value={k}>{KINDS[k].title}</option>}</For>
        </select>
      </label>
      <label>
        <span>{words().unit}</span>
        <input
          name="alert-threshold"
          type="number"
          required
          min={words().min}
          max={words().max}
          step={1}
          value={threshold()}
          onInput={(e) => setThreshold(Number(e.currentTarget.value))}
        />
      </label>
      <label>
        <span>E-mail to (optional)</span>
        <input
          name="alert-emails"
          placeholder="name@example.com, other@example.com"
          value={emails()}
          onInput={(e) => setEmails(e.currentTarget.value)}
        />
      </label>
      <label>
        <span>Web address (optional)</span>
        <input
          name="alert-webhook"
          type="url"
          placeholder="https://"
          value={webhook()}
          onInput={(e) => setWebhook(e.currentTarget.value)}
        />
      </label>
      <label class="choice small" style={{ 'flex-direction': 'row', 'align-items': 'center', gap: '0.4rem' }}>
        <input
          name="alert-mqtt"
          type="checkbox"
          checked={mqtt()}
          onChange={(e) => setMqtt(e.currentTarget.checked)}
        />
        <span>Building system (MQTT)</span>
      </label>
      <button type="submit" class="primary" disabled={props.busy}>
        <Show
          when={start}
          fallback={
            <>
              <Icon name="plus" /> Add alert
            </>
          }
        >
          Save
        </Show>
      </button>
    </form>
  );
}
