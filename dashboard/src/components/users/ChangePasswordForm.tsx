/**
 * Changing one's own password: the current one, then the new one twice. This browser stays signed
 * in; every other place signed in with this account is signed out.
 */
import { createSignal, type JSX, Show } from 'solid-js';
import { changePassword } from '../../api/endpoints.ts';
import { useApp } from '../../stores/app.tsx';
import { ErrorNote } from '../Common.tsx';
import { useAction } from '../use-action.ts';

export function ChangePasswordForm(): JSX.Element {
  const { api } = useApp();
  const act = useAction();
  const [current, setCurrent] = createSignal('');
  const [next, setNext] = createSignal('');
  const [again, setAgain] = createSignal('');
  const [done, setDone] = createSignal(false);
  const submit = async (e: SubmitEvent) => {
    e.preventDefault();
    setDone(false);
    const run =
      next() === again()
        ? () => changePassword(api, { currentPassword: current(), newPassword: next() })
        : () => Promise.reject(new Error('the two new passwords differ: type the same one twice'));
    if (await act.run(run)) {
      setCurrent('');
      setNext('');
      setAgain('');
      setDone(true);
    }
  };
  return (
    <form class="stack narrow" onSubmit={submit} data-testid="change-password">
      <PasswordField
        label="Current password"
        name="current-password"
        auto="current-password"
        value={current()}
        onInput={setCurrent}
      />
      <PasswordField
        label="New password"
        name="new-password"
        auto="new-password"
        value={next()}
        onInput={setNext}
      />
      <PasswordField
        label="New password again"
        name="new-password-again"
        auto="new-password"
        value={again()}
        onInput={setAgain}
      />
      <p class="small muted">
        At least 10 characters; a few unrelated words make a password that is long and easy to remember.
      </p>
      <div>
        <button type="submit" class="primary" disabled={act.busy()}>
          Change password
        </button>
      </div>
      <ErrorNote text={act.error()} />
      <Show when={done()}>
        <p class="note ok" role="status" data-testid="password-changed">
          Password changed. Use the new one from now on; other places signed in with this account were signed
          out.
        </p>
      </Show>
    </form>
  );
}

function PasswordField(props: {
  label: string;
  name: string;
  auto: string;
  value: string;
  onInput: (v: string) => void;
}): JSX.Element {
  return (
    <label>
      <span>{props.label}</span>
      <input
        type="password"
        name={props.name}
        autocomplete={props.auto}
        required
        maxLength={256}
        value={props.value}
        onInput={(e) => props.onInput(e.currentTarget.value)}
      />
    </label>
  );
}
