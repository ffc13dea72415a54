/**
 * Changing one store's opening hours: per weekday "Closed" or one or more openings (from, to), and the
 * dates the store is closed although the week says open. Saved as a whole; the hub checks it again.
 */
import type { OpeningHours, OpeningPeriod } from '@oskartrack/protocol';
import { createSignal, For, type JSX, Show } from 'solid-js';
import { createStore } from 'solid-js/store';
import { copyHours, DAY_NAMES, periodProblem, WEEK_ORDER } from '../../lib/opening-hours.ts';
import { Icon } from '../Icon.tsx';

/** A time input cannot show 24:00: midnight closing is shown as 00:00 and saved as 24:00. */
const shown = (t: string) => (t === '24:00' ? '00:00' : t);
const closing = (t: string) => (t === '00:00' ? '24:00' : t);

/** Rows that wrap on a phone (390 px) instead of running off the edge. */
const wrap = { display: 'flex', 'flex-wrap': 'wrap', gap: '0.5rem', 'align-items': 'center' } as const;
const dayBox = {
  border: '1px solid #e5e7eb',
  'border-radius': '8px',
  padding: '0.4rem 0.6rem',
  margin: 0,
  'min-width': 0,
  ...wrap,
} as const;

export function OpeningHoursEditor(props: {
  hours: OpeningHours;
  busy: boolean;
  onSave: (hours: OpeningHours) => void;
  onCancel: () => void;
}): JSX.Element {
  const [draft, setDraft] = createStore<OpeningHours>(copyHours(props.hours));
  const [newDate, setNewDate] = createSignal('');
  const [problem, setProblem] = createSignal('');
  const ofDay = (day: number) => draft.week.map((p, i) => ({ p, i })).filter((x) => x.p.day === day);
  const addPeriod = (day: number) => {
    const last = ofDay(day).at(-1)?.p;
    const period: OpeningPeriod = last
      ? { day, open: last.close, close: '24:00' }
      : { day, open: '09:00', close: '18:00' };
    setDraft('week', (w) => [...w, period]);
  };
  const removePeriod = (i: number) => setDraft('week', (w) => w.filter((_, j) => j !== i));
  const setTime = (i: number, key: 'open' | 'close', value: string) =>
    setDraft('week', i, key, key === 'close' ? closing(value) : value);
  const addDate = () => {
    const d = newDate();
    if (!/^\d{4}-\d{2}-\d{2}$/.test(d)) return setProblem('Pick a date first.');
    setProblem('');
    if (!draft.closedDates.includes(d)) setDraft('closedDates', (c) => [...c, d].sort());
    setNewDate('');
  };
  const save = (e: SubmitEvent) => {
    e.preventDefault();
    const bad = draft.week.map((p) => ({ p, why: periodProblem(p) })).find((x) => x.why);
    if (bad) return setProblem(`${DAY_NAMES[bad.p.day]}: ${bad.why}`);
    setProblem('');
    props.onSave(copyHours(draft));
  };
  return (
    <form
      class="stack"
      style={{ gap: '0.5rem', 'margin-top': '0.5rem' }}
      onSubmit={save}
      data-testid="opening-hours-editor"
    >
      <For each={[...WEEK_ORDER]}>
        {(day) => (
          <fieldset style={dayBox} data-testid={`oh-day-${day}`}>
            <legend>{DAY_NAMES[day]}</legend>
            <Show when={ofDay(day).length > 0} fallback={<span class="muted">Closed</span>}>
              <For each={ofDay(day)}>
                {(x) => (
                  <span style={wrap}>
                    <label class="inline">
                      <span>Open</span>
                      <input
                        type="time"
                        required
                        value={shown(x.p.open)}
                        aria-label={`${DAY_NAMES[day]} opens at`}
                        onInput={(e) => setTime(x.i, 'open', e.currentTarget.value)}
                      />
                    </label>
                    <label class="inline">
                      <span>to</span>
                      <input
                        type="time"
                        required
                        value={shown(x.p.close)}
                        aria-label={`${DAY_NAMES[day]} closes at`}
                        onInput={(e) => setTime(x.i, 'close', e.currentTarget.value)}
                      />
                    </label>
                    <button
                      type="button"
                      class="ghost small"
                      title="Remove these hours"
                      aria-label={`Remove ${DAY_NAMES[day]} ${x.p.open} to ${x.p.close}`}
                      onClick={() => removePeriod(x.i)}
                    >
                      <Icon name="trash" size={14} />
                    </button>
                  </span>
                )}
              </For>
            </Show>
            <button type="button" class="link small" onClick={() => addPeriod(day)}>
              {ofDay(day).length > 0 ? 'Add more hours' : 'Open this day'}
            </button>
          </fieldset>
        )}
      </For>
      <fieldset style={dayBox}>
        <legend>Closed on these dates</legend>
        <Show when={draft.closedDates.length > 0} fallback={<span class="muted">No dates</span>}>
          <ul style={{ ...wrap, margin: 0, padding: 0, 'list-style': 'none' }} data-testid="oh-closed-dates">
            <For each={draft.closedDates}>
              {(d) => (
                <li>
                  {d}{' '}
                  <button
                    type="button"
                    class="ghost small"
                    aria-label={`Open again on ${d}`}
                    onClick={() => setDraft('closedDates', (c) => c.filter((x) => x !== d))}
                  >
                    <Icon name="trash" size={14} />
                  </button>
                </li>
              )}
            </For>
          </ul>
        </Show>
        <span style={wrap}>
          <label class="inline">
            <span>Date</span>
            <input
              type="date"
              value={newDate()}
              aria-label="A date the store is closed"
              onInput={(e) => setNewDate(e.currentTarget.value)}
            />
          </label>
          <button type="button" class="small" onClick={addDate}>
            Add closed date
          </button>
        </span>
      </fieldset>
      <Show when={problem()}>
        <p class="small field-problem" data-testid="oh-problem">
          {problem()}
        </p>
      </Show>
      <div class="row">
        <button type="submit" class="primary small" disabled={props.busy} data-testid="oh-save">
          Save opening hours
        </button>
        <button type="button" class="ghost small" onClick={() => props.onCancel()}>
          Cancel
        </button>
      </div>
    </form>
  );
}
