/** The editable drawing on the camera picture: each shape with its handles, and the one being drawn. */
import { createEffect, For, type JSX, Show } from 'solid-js';
import {
  CLOSE_RADIUS,
  type EditorState,
  type Frame,
  inArrow,
  type LineShape,
  labelPoint,
  type Shape,
  shapeProblems,
} from '../../lib/editor.ts';

type Point = readonly [number, number];
type Drawing = NonNullable<EditorState['drawing']>;

const pointList = (p: readonly Point[]) => p.map((q) => `${q[0]},${q[1]}`).join(' ');
/** Handles grow with the picture so a finger can still hit them on a large frame. */
const handleRadius = (frame: Frame) => Math.max(5, frame.width / 110);

export function EditorDrawing(props: {
  state: EditorState;
  frame: Frame;
  onFrame: (f: Frame) => void;
}): JSX.Element {
  createEffect(() => props.onFrame(props.frame));
  return (
    <g>
      <For each={props.state.shapes}>
        {(s) => <ShapeDrawing shape={s} selected={props.state.selected === s.key} frame={props.frame} />}
      </For>
      <Show when={props.state.drawing}>{(d) => <DraftDrawing drawing={d()} frame={props.frame} />}</Show>
    </g>
  );
}

function ShapeDrawing(props: { shape: Shape; selected: boolean; frame: Frame }): JSX.Element {
  const s = props.shape;
  const bad = () => shapeProblems(s, props.frame).length > 0;
  const label = () => labelPoint(s);
  return (
    <g>
      {s.kind === 'area' ? (
        <polygon
          class="area"
          classList={{ selected: props.selected, bad: bad() }}
          points={pointList(s.points)}
          data-key={s.key}
          style={{ cursor: 'move' }}
        />
      ) : (
        <LineDrawing line={s} selected={props.selected} />
      )}
      <text class="label" x={label()[0]} y={label()[1]} text-anchor="middle">
        {s.name}
      </text>
      <Show when={props.selected}>
        <ShapeHandles shape={s} frame={props.frame} />
      </Show>
    </g>
  );
}

function LineDrawing(props: { line: LineShape; selected: boolean }): JSX.Element {
  const s = props.line;
  const arrow = () => inArrow(s);
  return (
    <>
      <line
        class="count-line"
        classList={{ selected: props.selected }}
        x1={s.start[0]}
        y1={s.start[1]}
        x2={s.end[0]}
        y2={s.end[1]}
      />
      <line class="hit-line" x1={s.start[0]} y1={s.start[1]} x2={s.end[0]} y2={s.end[1]} data-key={s.key} />
      <line class="arrow" x1={arrow().from[0]} y1={arrow().from[1]} x2={arrow().to[0]} y2={arrow().to[1]} />
    </>
  );
}

/** Corner handles to drag, and for an area a dot on each edge to drag out a new corner. */
function ShapeHandles(props: { shape: Shape; frame: Frame }): JSX.Element {
  const s = props.shape;
  const r = () => handleRadius(props.frame);
  return (
    <>
      <For each={s.kind === 'area' ? s.points : [s.start, s.end]}>
        {(p, i) => <circle class="handle" cx={p[0]} cy={p[1]} r={r()} data-key={s.key} data-index={i()} />}
      </For>
      <Show when={s.kind === 'area'}>
        <For each={s.kind === 'area' ? s.points : []}>
          {(p, i) => {
            const q = () => (s.kind === 'area' ? s.points[(i() + 1) % s.points.length]! : p);
            return (
              <circle
                class="handle"
                style={{ opacity: 0.6 }}
                cx={(p[0] + q()[0]) / 2}
                cy={(p[1] + q()[1]) / 2}
                r={r() * 0.6}
                data-key={s.key}
                data-mid={i()}
              />
            );
          }}
        </For>
      </Show>
    </>
  );
}

/** The shape being drawn; the first corner grows once the area can be closed by clicking it. */
function DraftDrawing(props: { drawing: Drawing; frame: Frame }): JSX.Element {
  const d = () => props.drawing;
  return (
    <g data-testid="drawing">
      {d().kind === 'area' ? <polyline class="draft" points={pointList(d().points)} /> : null}
      <For each={d().points}>
        {(p, i) => (
          <circle
            class="handle"
            cx={p[0]}
            cy={p[1]}
            r={i() === 0 && d().points.length >= 3 ? CLOSE_RADIUS : handleRadius(props.frame)}
          />
        )}
      </For>
    </g>
  );
}
