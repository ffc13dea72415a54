/** The days the Numbers page shows: from, to, and quick choices (today, yesterday, last 7 or 30 days). */
import { For, type JSX } from 'solid-js';
import { type DayRange, type Preset, presetRange } from '../../lib/format.ts';

const PRESETS: { id: Preset; label: string }[] = [
  { id: 'today', label: 'Today' },
  { id: 'yesterday', label: 'Yesterday' },
  { id: '7d', label: 'Last 7 days' },
  { id: '30d', label: 'Last 30 days' },
];

export function RangePicker(props: { value: DayRange; onChange: (r: DayRange) => void }): JSX.Element {
  const same = (p: Preset) => {
    const r = presetRange(p);
    return r.fromDay === props.value.fromDay && r.toDay === props.value.toDay;
  };
  return (
    <div class="picker">
      <label>
        <span>From</span>
        <input
          type="date"
          value={props.value.fromDay}
          onChange={(e) => props.onChange({ ...props.value, fromDay: e.currentTarget.value })}
        />
      </label>
      <label>
        <span>To</span>
        <input
          type="date"
          value={props.value.toDay}
          onChange={(e) => props.onChange({ ...props.value, toDay: e.currentTarget.value })}
        />
      </label>
      <div class="toolbar">
        <For each={PRESETS}>
          {(p) => (
            <button
              type="button"
              class="small"
              classList={{ active: same(p.id) }}
              onClick={() => props.onChange(presetRange(p.id))}
            >
              {p.label}
            </button>
          )}
        </For>
      </div>
    </div>
  );
}
