import { createSignal } from 'solid-js';
import { describeError } from '../api/client.ts';

/** Runs an action, showing its error in plain words; returns whether it worked. */
export function useAction() {
  const [error, setError] = createSignal('');
  const [busy, setBusy] = createSignal(false);
  const run = async (fn: () => Promise<unknown>): Promise<boolean> => {
    setBusy(true);
    setError('');
    try {
      await fn();
      return true;
    } catch (err) {
      setError(describeError(err));
      return false;
    } finally {
      setBusy(false);
    }
  };
  return { error, busy, run };
}
