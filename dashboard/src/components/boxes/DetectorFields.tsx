/**
 * The person detector the boxes run: HOG or YOLOX, every how many pictures, how sure it must be. It is
 * one setting for every box of the hub, which the fieldset says.
 */
import type { DetectorSettings } from '@oskartrack/protocol';
import { For, type JSX } from 'solid-js';

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
}): JSX.Element {
  const set = (patch: Partial<DetectorSettings>) => props.onChange({ ...props.value, ...patch });
  return (
    <fieldset class="detector" data-testid="detector">
      <legend>How the boxes find people (one setting for every box of this hub)</legend>
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
        <label>
          <span>Look for people in every Nth picture</span>
          <input
            name="detector-every-nth"
            type="number"
            min={1}
            max={30}
            step={1}
            value={props.value.everyNth}
            onInput={(e) => set({ everyNth: Math.round(Number(e.currentTarget.value)) })}
          />
        </label>
        <label>
          <span>How sure it must be (0 to 1)</span>
          <input
            name="detector-score"
            type="number"
            min={0}
            max={1}
            step={0.05}
            value={props.value.scoreThreshold}
            onInput={(e) => set({ scoreThreshold: Number(e.currentTarget.value) })}
          />
        </label>
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
        1 looks at every picture. 2 or 3 halves or thirds the work on a slow box: people are followed in
        between, but someone walking fast past a line may be missed. A higher "how sure" finds fewer people
        that are not there, and misses more that are.
      </p>
    </fieldset>
  );
}

/** What is wrong with detector settings typed in; undefined when they are fine. */
export function detectorProblem(v: DetectorSettings): string | undefined {
  if (!Number.isInteger(v.everyNth) || v.everyNth < 1 || v.everyNth > 30)
    return '"Every Nth picture" is a whole number from 1 to 30.';
  if (!Number.isFinite(v.scoreThreshold) || v.scoreThreshold < 0 || v.scoreThreshold > 1)
    return '"How sure it must be" is a number from 0 to 1, e.g. 0.5.';
  return undefined;
}
