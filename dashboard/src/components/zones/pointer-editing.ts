/**
 * Mouse, finger and keyboard editing on the picture: a click adds a corner while drawing, a drag
 * moves a corner, an edge's middle dot (adding a corner there) or a whole shape; a double-click removes
 * a corner; Escape cancels drawing and Enter finishes it.
 */
import { onCleanup } from 'solid-js';
import {
  addDrawingPoint,
  cancelDrawing,
  type EditorState,
  type Frame,
  finishDrawing,
  insertPoint,
  movePoint,
  moveShape,
  removePoint,
  select,
  toPicture,
} from '../../lib/editor.ts';

type Drag =
  | { mode: 'point'; key: string; index: number }
  | { mode: 'shape'; key: string; last: [number, number] };

export interface PointerEditing {
  svgRef: (el: SVGSVGElement) => void;
  onPointerDown: (e: PointerEvent) => void;
  onPointerMove: (e: PointerEvent) => void;
  onPointerUp: (e: PointerEvent) => void;
  onDblClick: (e: MouseEvent) => void;
}

/** What a press on the picture starts, read from the data attributes of the element pressed. */
function dragFor(target: Element, s: EditorState, p: [number, number], frame: Frame) {
  const key = target.getAttribute('data-key');
  const index = target.getAttribute('data-index');
  const mid = target.getAttribute('data-mid');
  if (key && mid !== null) {
    const i = Number(mid);
    return { state: insertPoint(s, key, i, p, frame), drag: { mode: 'point', key, index: i + 1 } as Drag };
  }
  if (key && index !== null) return { state: s, drag: { mode: 'point', key, index: Number(index) } as Drag };
  if (key) return { state: select(s, key), drag: { mode: 'shape', key, last: p } as Drag };
  return { state: select(s, null), drag: null };
}

export function createPointerEditing(
  state: () => EditorState,
  setState: (s: EditorState) => void,
  frame: () => Frame,
): PointerEditing {
  let svg: SVGSVGElement | undefined;
  let drag: Drag | null = null;
  const at = (e: PointerEvent | MouseEvent): [number, number] =>
    svg ? toPicture(e.clientX, e.clientY, svg.getBoundingClientRect(), frame()) : [0, 0];

  const onPointerDown = (e: PointerEvent) => {
    if (e.button !== 0) return;
    const s = state();
    if (s.drawing) {
      e.preventDefault();
      setState(addDrawingPoint(s, at(e), frame()));
      return;
    }
    const next = dragFor(e.target as Element, s, at(e), frame());
    if (next.state !== s) setState(next.state);
    drag = next.drag;
    if (!drag) return;
    e.preventDefault();
    svg?.setPointerCapture(e.pointerId);
  };
  const onPointerMove = (e: PointerEvent) => {
    if (!drag) return;
    const p = at(e);
    if (drag.mode === 'point') setState(movePoint(state(), drag.key, drag.index, p, frame()));
    else {
      setState(moveShape(state(), drag.key, p[0] - drag.last[0], p[1] - drag.last[1], frame()));
      drag = { ...drag, last: p };
    }
  };
  const onPointerUp = (e: PointerEvent) => {
    drag = null;
    if (svg?.hasPointerCapture(e.pointerId)) svg.releasePointerCapture(e.pointerId);
  };
  const onDblClick = (e: MouseEvent) => {
    const target = e.target as Element;
    const key = target.getAttribute('data-key');
    const index = target.getAttribute('data-index');
    if (key && index !== null) setState(removePoint(state(), key, Number(index)));
  };
  const onKey = (e: KeyboardEvent) => {
    if (e.key === 'Escape') setState(cancelDrawing(state()));
    if (e.key === 'Enter' && state().drawing) setState(finishDrawing(state()));
  };
  document.addEventListener('keydown', onKey);
  onCleanup(() => document.removeEventListener('keydown', onKey));
  const svgRef = (el: SVGSVGElement) => {
    svg = el;
  };
  return { svgRef, onPointerDown, onPointerMove, onPointerUp, onDblClick };
}
