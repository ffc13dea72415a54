import { useNavigate, useSearchParams } from '@solidjs/router';
import { createSignal, type JSX, Show } from 'solid-js';
import { describeError } from '../api/client.ts';
import { ErrorNote } from '../components/Common.tsx';
import { useApp } from '../stores/app.tsx';

/** Only paths inside the app are followed after signing in. */
export function safeNext(next: string | undefined): string {
  return next?.startsWith('/') && !next.startsWith('//') && !next.startsWith('/login') ? next : '/';
}

export default function Login(): JSX.Element {
  const { session } = useApp();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const [name, setName] = createSignal('');
  const [password, setPassword] = createSignal('');
  const [error, setError] = createSignal('');
  const [busy, setBusy] = createSignal(false);
  const next = () => safeNext(typeof params.next === 'string' ? params.next : undefined);

  if (session.state.user) navigate(next(), { replace: true });

  const submit = async (e: SubmitEvent) => {
    e.preventDefault();
    setBusy(true);
    setError('');
    try {
      await session.actions.login(name().trim(), password());
      navigate(next(), { replace: true });
    } catch (err) {
      setError(describeError(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div class="login-page">
      <form class="card login" onSubmit={submit}>
        <div class="brand big">
          <svg viewBox="0 0 32 32" width="40" height="40" aria-hidden="true">
            <rect width="32" height="32" rx="7" fill="currentColor" />
            <circle cx="16" cy="11" r="5" fill="#fff" />
            <path d="M7 27c0-5 4-9 9-9s9 4 9 9" fill="#fff" />
          </svg>
          OskarTrack
        </div>
        <p class="muted">Visitors, busiest hours and time spent in your stores.</p>
        <Show when={session.state.notice}>
          <div class="note">
            {session.state.notice.charAt(0).toUpperCase() + session.state.notice.slice(1)}.
          </div>
        </Show>
        <label>
          <span>User name</span>
          <input
            name="name"
            autocomplete="username"
            required
            value={name()}
            onInput={(e) => setName(e.currentTarget.value)}
          />
        </label>
        <label>
          <span>Password</span>
          <input
            name="password"
            type="password"
            autocomplete="current-password"
            required
            value={password()}
            onInput={(e) => setPassword(e.currentTarget.value)}
          />
        </label>
        <ErrorNote text={error()} />
        <button type="submit" class="primary" disabled={busy()}>
          {busy() ? 'Signing in…' : 'Sign in'}
        </button>
        <p class="muted small">First start? The hub printed the administrator's password in its console.</p>
      </form>
    </div>
  );
}
