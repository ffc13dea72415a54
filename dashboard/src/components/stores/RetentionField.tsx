/**
 * How long one store keeps each visitor's detailed movements: a number of days, or forever. Daily and
 * hourly numbers, flows between areas and heatmaps are kept either way (the hub summarises them).
 */
import { createSignal, type JSX, Show } from 'solid-js';
import type { Store } from '../../api/types.ts';

/** The most days the hub accepts (a hundred years). */
export const MAX_RETENTION_DAYS = 36_500;

export function retentionWords(days: number | null): string {
  if (days === null) return 'Detailed movements are kept forever.';
  return `Detailed movements are kept for ${days} ${days === 1 ? 'day' : 'days'}.`;
}

export function RetentionField(props: {
  store: Store;
  busy: boolean;
  onSave: (days: number | null) => void;
}): JSX.Element {
  const [forever, setForever] = createSignal(props.store.rawRetentionDays === null);
  const [days, setDays] = createSignal(String(props.store.rawRetentionDays ?? 400));
  const [problem, setProblem] = createSignal('');
  const save = (e: SubmitEvent) => {
    e.preventDefault();
    if (forever()) return props.onSave(null);
    const n = Number(days());
    if (!Number.isInteger(n) || n < 1 || n > MAX_RETENTION_DAYS) {
      setProblem(`Enter a whole number of days from 1 to ${MAX_RETENTION_DAYS}, or tick "Keep forever".`);
      return;
    }
    setProblem('');
    props.onSave(n);
  };
  return (
    <form class="row" onSubmit={save} data-testid={`retention-${props.store.id}`}>
      <label>
        <span>Keep each visitor's detailed movements for</span>
        <span class="row">
          <input
            type="number"
            name="retention-days"
            min={1}
            max={MAX_RETENTION_DAYS}
            step={1}
            style={{ width: '7em' }}
            value={days()}
            disabled={forever()}
            onInput={(e) => setDays(e.currentTarget.value)}
          />
          days
        </span>
      </label>
      <label class="row">
        <input
          type="checkbox"
          name="retention-forever"
          checked={forever()}
          onChange={(e) => setForever(e.currentTarget.checked)}
        />
        <span>Keep forever</span>
      </label>
      <button type="submit" class="small primary" disabled={props.busy}>
        Save
      </button>
      <Show when={problem()}>
        <p class="small danger" role="alert">
          {problem()}
        </p>
      </Show>
    </form>
  );
}
