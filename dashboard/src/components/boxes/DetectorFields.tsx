/**
 * The person detector a box runs: HOG or YOLOX, every how many pictures, how sure it must be. Either
 * the setting every camera of the hub follows, or one camera's own; the legend says which.
 */
import type { DetectorSettings } from '@oskartrack/protocol';
import { For, type JSX, Show } from 'solid-js';

type Kind = DetectorSettings['kind'];

const KINDS: { kind: Kind; label: string; help: string }[] = [
  {
    kind: 'hog',
    label: 'HOG',
    help: 'Finds upright people by their outline. Light: runs on any box, a Raspberry Pi included, but misses people who are far away, small or partly hidden.',
  },
  {
    kind: 'yolox',
    label: 'YOLOX',
    help: 'A small neural network: finds more people, also far away or partly hidden, but needs a faster box (a mini-PC) and fetches its model file on first use.',
  },
];

export function DetectorFields(props: {
  value: DetectorSettings;
  onChange: (v: DetectorSettings) => void;
  legend?: string;
}): JSX.Element {
  const set = (patch: Partial<DetectorSettings>) => props.onChange({ ...props.value, ...patch });
  return (
    <fieldset class="detector" data-testid="detector">
      <legend>{props.legend ?? 'How the boxes find people (one setting for every box of this hub)'}</legend>
      <For each={KINDS}>
        {(k) => (
          <label class="choice">
            <input
              type="radio"
              name="detector-kind"
              value={k.kind}
              checked={props.value.kind === k.kind}
              onChange={() => set({ kind: k.kind })}
            />
            <span>
              <strong>{k.label}</strong> <span class="small muted">{k.help}</span>
            </span>
          </label>
        )}
      </For>
      <div class="row">
        <AutoNumber
          name="detector-every-nth"
          label="Look for people in every Nth picture"
          autoLabel="Chosen by the box to keep up with the camera"
          value={props.value.everyNth}
          min={1}
          max={30}
          step={1}
          manual={1}
          onChange={(everyNth) => set({ everyNth })}
        />
        <AutoNumber
          name="detector-score"
          label="How sure it must be (0 to 1)"
          autoLabel="Chosen by the box from the people it sees"
          value={props.value.scoreThreshold}
          min={0}
          max={1}
          step={0.05}
          manual={0.5}
          onChange={(scoreThreshold) => set({ scoreThreshold })}
        />
        <label class="choice">
          <input
            type="checkbox"
            name="detector-motion"
            checked={props.value.motionGate}
            onChange={(e) => set({ motionGate: e.currentTarget.checked })}
          />
          Skip pictures where nothing moved
        </label>
      </div>
      <p class="small muted">
        Automatic (recommended) lets each box choose: it looks at every picture when it can keep up, and at
        every 2nd to 4th when it cannot. 1 looks at every picture. 2 or 3 halves or thirds the work on a slow
        box: people are followed in between, but someone walking fast past a line may be missed. A higher "how
        sure" finds fewer people that are not there, and misses more that are.
      </p>
    </fieldset>
  );
}

/** What is wrong with detector settings typed in; undefined when they are fine. */
export function detectorProblem(v: DetectorSettings): string | undefined {
  const n = v.everyNth;
  if (n !== 'auto' && (!Number.isInteger(n) || n < 1 || n > 30))
    return '"Every Nth picture" is a whole number from 1 to 30, or automatic.';
  const s = v.scoreThreshold;
  if (s !== 'auto' && (!Number.isFinite(s) || s < 0 || s > 1))
    return '"How sure it must be" is a number from 0 to 1, e.g. 0.5, or automatic.';
  return undefined;
}

/** A number the box may choose itself: an "Automatic" tick box, and the number when it is off. */
function AutoNumber(props: {
  name: string;
  label: string;
  autoLabel: string;
  value: number | 'auto';
  min: number;
  max: number;
  step: number;
  /** The number put in when "Automatic" is turned off. */
  manual: number;
  onChange: (v: number | 'auto') => void;
}): JSX.Element {
  return (
    <fieldset class="auto-number">
      <legend>{props.label}</legend>
      <label class="choice">
        <input
          type="checkbox"
          name={`${props.name}-auto`}
          checked={props.value === 'auto'}
          onChange={(e) => props.onChange(e.currentTarget.checked ? 'auto' : props.manual)}
        />
        Automatic: {props.autoLabel.toLowerCase()}
      </label>
      <Show when={props.value !== 'auto'}>
        <input
          name={props.name}
          aria-label={props.label}
          type="number"
          min={props.min}
          max={props.max}
          step={props.step}
          value={props.value}
          onInput={(e) => {
            const v = Number(e.currentTarget.value);
            props.onChange(props.step === 1 ? Math.round(v) : v);
          }}
        />
      </Show>
    </fieldset>
  );
}
