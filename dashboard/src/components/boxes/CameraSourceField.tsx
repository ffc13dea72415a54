/** Where a camera's picture comes from: the kind (network camera, webcam, file) and its address. */
import { For, type JSX } from 'solid-js';
import { SOURCE_KINDS, type SourceKind } from './camera-source.ts';

const ORDER: SourceKind[] = ['network', 'webcam', 'file'];

export function CameraSourceField(props: {
  kind: SourceKind;
  source: string;
  onKind: (k: SourceKind) => void;
  onSource: (s: string) => void;
}): JSX.Element {
  const info = () => SOURCE_KINDS[props.kind];
  return (
    <fieldset class="camera-source" data-testid="camera-source">
      <legend>Where the picture comes from</legend>
      <div class="choices">
        <For each={ORDER}>
          {(k) => (
            <label class="choice">
              <input
                type="radio"
                name="source-kind"
                value={k}
                checked={props.kind === k}
                onChange={() => props.onKind(k)}
              />
              {SOURCE_KINDS[k].label}
            </label>
          )}
        </For>
      </div>
      <label class="wide">
        <span>
          {props.kind === 'webcam' ? 'Webcam number' : props.kind === 'file' ? 'Path on the box' : 'Address'}
        </span>
        <input
          name="camera-source"
          required
          maxLength={2000}
          spellcheck={false}
          autocomplete="off"
          placeholder={info().placeholder}
          value={props.source}
          onInput={(e) => props.onSource(e.currentTarget.value)}
        />
      </label>
      <p class="small muted">{info().help}</p>
    </fieldset>
  );
}
