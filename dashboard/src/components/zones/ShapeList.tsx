/** The camera's areas and lines as a list; clicking one selects it on the picture. */
import { For, type JSX } from 'solid-js';
import { type EditorState, isDirty, select } from '../../lib/editor.ts';
import { Icon } from '../Icon.tsx';

export function ShapeList(props: { state: EditorState; onChange: (s: EditorState) => void }): JSX.Element {
  return (
    <ul class="shape-list" data-testid="shape-list">
      <For each={props.state.shapes} fallback={<li class="muted small">No areas or lines yet.</li>}>
        {(s) => (
          <li>
            <button
              type="button"
              classList={{ active: props.state.selected === s.key }}
              onClick={() => props.onChange(select(props.state, s.key))}
            >
              <span>
                <Icon name={s.kind === 'area' ? 'shapes' : 'line'} size={14} /> {s.name || '(no name)'}
              </span>
              <span class="small muted">
                {isDirty(s) ? 'not saved' : s.kind === 'area' ? `${s.points.length} corners` : 'line'}
              </span>
            </button>
          </li>
        )}
      </For>
    </ul>
  );
}
