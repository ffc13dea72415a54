/**
 * A time zone chosen from the browser's list of IANA names: type part of a city or region and pick
 * ("lond" offers Europe/London). The store's days and hours are counted in it.
 */
import { createUniqueId, For, type JSX, Show } from 'solid-js';
import { exactZone, timeZones, zoneProblem } from './time-zones.ts';

export function TimeZonePicker(props: {
  value: string;
  onChange: (zone: string) => void;
  label?: string;
  name?: string;
}): JSX.Element {
  const listId = `tz-${createUniqueId()}`;
  const problem = () => (props.value.trim() ? zoneProblem(props.value) : undefined);
  return (
    <label class="tz-picker">
      <span>{props.label ?? 'Time zone'}</span>
      <input
        name={props.name ?? 'timezone'}
        list={listId}
        required
        autocomplete="off"
        spellcheck={false}
        placeholder="Europe/London"
        value={props.value}
        // The list's spelling once it names a zone, so "europe/london" is saved as Europe/London.
        onInput={(e) => props.onChange(e.currentTarget.value)}
        onChange={(e) => props.onChange(exactZone(e.currentTarget.value) ?? e.currentTarget.value)}
        aria-invalid={problem() ? 'true' : 'false'}
      />
      <datalist id={listId}>
        <For each={timeZones()}>{(z) => <option value={z} />}</For>
      </datalist>
      <Show when={problem()}>
        <span class="small field-problem" data-testid="tz-problem">
          {problem()}
        </span>
      </Show>
    </label>
  );
}
