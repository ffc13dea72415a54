/** The selected area or line: its name, which side counts as walking in, its problems, save and delete. */
import { For, type JSX, Show } from 'solid-js';
import {
  type EditorState,
  type Frame,
  flipSide,
  isDirty,
  rename,
  revert,
  type Shape,
  shapeProblems,
} from '../../lib/editor.ts';
import { Icon } from '../Icon.tsx';

export function ShapeForm(props: {
  shape: Shape;
  frame: Frame;
  busy: boolean;
  state: () => EditorState;
  onChange: (s: EditorState) => void;
  onSave: (s: Shape) => void;
  onDelete: (s: Shape) => void;
}): JSX.Element {
  const problems = () => shapeProblems(props.shape, props.frame);
  return (
    <div class="stack" style={{ 'margin-top': '0.75rem', gap: '0.6rem' }} data-testid="shape-form">
      <label>
        <span>{props.shape.kind === 'area' ? 'Area name' : 'Line name'}</span>
        <input
          data-testid="shape-name"
          value={props.shape.name}
          maxLength={100}
          onInput={(e) => props.onChange(rename(props.state(), props.shape.key, e.currentTarget.value))}
        />
      </label>
      <Show when={props.shape.kind === 'line'}>
        <button type="button" onClick={() => props.onChange(flipSide(props.state(), props.shape.key))}>
          Swap which side counts as walking in
        </button>
      </Show>
      <Show when={problems().length}>
        <ul class="problems" data-testid="shape-problems">
          <For each={problems()}>{(p) => <li>{p.charAt(0).toUpperCase() + p.slice(1)}.</li>}</For>
        </ul>
      </Show>
      <div class="toolbar">
        <button
          type="button"
          class="primary"
          data-testid="save-shape"
          disabled={props.busy || problems().length > 0 || !isDirty(props.shape)}
          onClick={() => props.onSave(props.shape)}
        >
          Save
        </button>
        <Show when={isDirty(props.shape) && props.shape.saved}>
          <button type="button" onClick={() => props.onChange(revert(props.state(), props.shape.key))}>
            Undo changes
          </button>
        </Show>
        <button
          type="button"
          class="danger"
          data-testid="delete-shape"
          disabled={props.busy}
          onClick={() => props.onDelete(props.shape)}
        >
          <Icon name="trash" size={16} /> Delete
        </button>
      </div>
    </div>
  );
}
