/** Above the picture: buttons to start a new area or line, or while drawing, what to click next. */
import { type JSX, Show } from 'solid-js';
import { cancelDrawing, type EditorState, finishDrawing, startDrawing } from '../../lib/editor.ts';
import { Icon } from '../Icon.tsx';

export function DrawingToolbar(props: {
  state: EditorState;
  onChange: (s: EditorState) => void;
}): JSX.Element {
  return (
    <div class="toolbar" style={{ 'margin-bottom': '0.5rem' }}>
      <Show
        when={props.state.drawing}
        fallback={
          <>
            <button
              type="button"
              data-testid="new-area"
              onClick={() => props.onChange(startDrawing(props.state, 'area'))}
            >
              <Icon name="plus" /> New area
            </button>
            <button
              type="button"
              data-testid="new-line"
              onClick={() => props.onChange(startDrawing(props.state, 'line'))}
            >
              <Icon name="line" /> New counting line
            </button>
          </>
        }
      >
        {(d) => (
          <>
            <span class="small">
              {d().kind === 'area'
                ? `Click the corners of the area (${d().points.length} so far); click the first corner or Finish to close it.`
                : `Click where the line starts, then where it ends (${d().points.length} of 2).`}
            </span>
            <Show when={d().kind === 'area'}>
              <button
                type="button"
                class="primary"
                data-testid="finish-drawing"
                disabled={d().points.length < 3}
                onClick={() => props.onChange(finishDrawing(props.state))}
              >
                Finish
              </button>
            </Show>
            <button type="button" onClick={() => props.onChange(cancelDrawing(props.state))}>
              Cancel
            </button>
          </>
        )}
      </Show>
    </div>
  );
}
