/** "Compare with": the Numbers page's second period for the visitors chart. */
import { For, type JSX, Show } from 'solid-js';
import { COMPARE_CHOICES, type CompareChoice } from './periods.ts';
import type { ComparedSeries } from './use-compared-series.ts';

export function ComparePicker(props: { compare: ComparedSeries }): JSX.Element {
  const c = () => props.compare;
  return (
    <div class="picker" style={{ 'margin-bottom': '0.5rem' }}>
      <label>
        <span>Compare with</span>
        <select
          data-testid="compare-with"
          value={c().mode()}
          onChange={(e) => c().setMode(e.currentTarget.value as CompareChoice)}
        >
          <For each={COMPARE_CHOICES}>{(o) => <option value={o.id}>{o.label}</option>}</For>
        </select>
      </label>
      <Show when={c().mode() === 'custom'}>
        <label>
          <span>Starting on</span>
          <input
            type="date"
            data-testid="compare-from"
            value={c().customDay()}
            onChange={(e) => c().setCustomDay(e.currentTarget.value)}
          />
        </label>
      </Show>
      <Show when={c().mode() === 'custom' && !c().days()}>
        <span class="small muted">Choose the first day to compare with.</span>
      </Show>
      <Show when={c().failed()}>
        <span class="small bad">Those days could not be loaded. Choose other days or try again.</span>
      </Show>
    </div>
  );
}
