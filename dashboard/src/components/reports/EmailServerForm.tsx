/** The mail server reports (and alerts) are sent through; administrators only. The password is never shown. */
import type { SmtpSecurity } from '@oskartrack/protocol';
import { createResource, createSignal, type JSX, Show } from 'solid-js';
import { describeError } from '../../api/client.ts';
import { getEmailSettings, sendTestEmail, setEmailSettings } from '../../api/endpoints.ts';
import { useApp } from '../../stores/app.tsx';
import { ErrorNote } from '../Common.tsx';
import { useAction } from '../use-action.ts';

export function EmailServerForm(): JSX.Element {
  const { api } = useApp();
  const act = useAction();
  const [loaded] = createResource(() => getEmailSettings(api));
  // Read only once loaded: a failed load shows its words below instead of breaking the page.
  const saved = () => (loaded.state === 'ready' ? loaded() : undefined);
  const [host, setHost] = createSignal<string>();
  const [port, setPort] = createSignal<number>();
  const [security, setSecurity] = createSignal<SmtpSecurity>();
  const [user, setUser] = createSignal<string>();
  const [from, setFrom] = createSignal<string>();
  const [password, setPassword] = createSignal('');
  const [testTo, setTestTo] = createSignal('');
  const [done, setDone] = createSignal('');
  const v = {
    host: () => host() ?? saved()?.host ?? '',
    port: () => port() ?? saved()?.port ?? 587,
    security: () => security() ?? saved()?.security ?? 'starttls',
    user: () => user() ?? saved()?.user ?? '',
    from: () => from() ?? saved()?.from ?? '',
  };
  const save = async (e: SubmitEvent) => {
    e.preventDefault();
    setDone('');
    const ok = await act.run(() =>
      setEmailSettings(api, {
        host: v.host(),
        port: v.port(),
        security: v.security(),
        user: v.user(),
        from: v.from(),
        ...(password() ? { password: password() } : {}),
      }),
    );
    if (ok) {
      setPassword('');
      setDone('Saved.');
    }
  };
  const test = async () => {
    setDone('');
    if (await act.run(() => sendTestEmail(api, testTo()))) setDone(`A test message went to ${testTo()}.`);
  };
  return (
    <form class="stack narrow" onSubmit={save} data-testid="email-form">
      <label>
        <span>Mail server (SMTP)</span>
        <input
          value={v.host()}
          onInput={(e) => setHost(e.currentTarget.value)}
          placeholder="smtp.example.com"
        />
      </label>
      <div class="toolbar">
        <label>
          <span>Port</span>
          <input
            type="number"
            min="1"
            max="65535"
            value={v.port()}
            onInput={(e) => setPort(Number(e.currentTarget.value))}
          />
        </label>
        <label>
          <span>Security</span>
          <select value={v.security()} onChange={(e) => setSecurity(e.currentTarget.value as SmtpSecurity)}>
            <option value="starttls">STARTTLS (usually port 587)</option>
            <option value="tls">TLS (usually port 465)</option>
            <option value="none">None (only a server on your own network)</option>
          </select>
        </label>
      </div>
      <label>
        <span>User name (empty if the server needs none)</span>
        <input value={v.user()} onInput={(e) => setUser(e.currentTarget.value)} autocomplete="off" />
      </label>
      <label>
        <span>Password {saved()?.passwordSet ? '(saved; type a new one to change it)' : ''}</span>
        <input
          type="password"
          value={password()}
          onInput={(e) => setPassword(e.currentTarget.value)}
          autocomplete="new-password"
        />
      </label>
      <label>
        <span>Sender address people see</span>
        <input type="email" value={v.from()} onInput={(e) => setFrom(e.currentTarget.value)} />
      </label>
      <div>
        <button type="submit" class="primary" disabled={act.busy()}>
          Save mail server
        </button>
      </div>
      <div class="toolbar">
        <input
          type="email"
          placeholder="you@example.com"
          value={testTo()}
          onInput={(e) => setTestTo(e.currentTarget.value)}
          aria-label="Send a test message to"
        />
        <button type="button" onClick={test} disabled={act.busy() || !testTo()}>
          Send a test message
        </button>
      </div>
      <ErrorNote text={loaded.error ? describeError(loaded.error) : act.error()} />
      <Show when={done()}>
        <p class="note ok" role="status">
          {done()}
        </p>
      </Show>
    </form>
  );
}
