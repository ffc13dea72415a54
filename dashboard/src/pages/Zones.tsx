/**
 * Areas and counting lines, drawn with the mouse (or a finger) on the camera's picture: click to add
 * corners, drag corners or whole shapes, rename, delete. Problems (too few corners, crossing edges,
 * outside the picture) show at once and block saving; a saved change goes to the camera's box, and
 * the page says when the box has picked it up.
 */
import { createEffect, createSignal, For, type JSX, on, onCleanup, Show } from 'solid-js';
import { describeError } from '../api/client.ts';
import type { CountingLine, Device, Zone } from '../api/types.ts';
import { CameraPicture, frameOf } from '../components/CameraPicture.tsx';
import { ErrorNote, PageHeader, PlacePicker } from '../components/Common.tsx';
import { Icon } from '../components/Icon.tsx';
import { useGeometry } from '../components/Scene.tsx';
import {
  addDrawingPoint,
  CLOSE_RADIUS,
  cancelDrawing,
  type EditorState,
  emptyEditor,
  type Frame,
  find,
  finishDrawing,
  flipSide,
  fromApi,
  inArrow,
  insertPoint,
  isDirty,
  labelPoint,
  markSaved,
  movePoint,
  moveShape,
  payloadOf,
  removePoint,
  removeShape,
  rename,
  revert,
  type Shape,
  select,
  shapeProblems,
  startDrawing,
  toPicture,
} from '../lib/editor.ts';
import { useApp } from '../stores/app.tsx';

type Drag =
  | { mode: 'point'; key: string; index: number }
  | { mode: 'shape'; key: string; last: [number, number] };

export default function Zones(): JSX.Element {
  const { api, places, choice } = useApp();
  const camera = () => places.state.cameras.find((c) => c.id === choice.state.cameraId);
  const [geometry, { refetch }] = useGeometry(() => choice.state.cameraId);
  const [state, setState] = createSignal<EditorState>(emptyEditor());
  const [picture, setPicture] = createSignal<Frame | null>(null);
  const [error, setError] = createSignal('');
  const [busy, setBusy] = createSignal(false);
  const [savedAt, setSavedAt] = createSignal<{ revision: number; at: number } | null>(null);
  let svg: SVGSVGElement | undefined;
  let drag: Drag | null = null;

  createEffect(
    on(geometry, (g) => {
      if (g) setState(fromApi(g.zones, g.lines));
    }),
  );
  createEffect(
    on(
      () => choice.state.cameraId,
      () => setSavedAt(null),
    ),
  );

  const frame = (): Frame => frameOf(camera(), picture());
  const selected = () => find(state(), state().selected);
  const device = (): Device | undefined => places.state.devices.find((d) => d.id === camera()?.deviceId);
  const poll = setInterval(() => {
    if (savedAt()) void places.actions.refreshDevices();
  }, 3000);
  onCleanup(() => clearInterval(poll));

  const at = (e: PointerEvent | MouseEvent): [number, number] =>
    svg ? toPicture(e.clientX, e.clientY, svg.getBoundingClientRect(), frame()) : [0, 0];

  const onDown = (e: PointerEvent) => {
    if (e.button !== 0) return;
    const s = state();
    if (s.drawing) {
      e.preventDefault();
      setState(addDrawingPoint(s, at(e), frame()));
      return;
    }
    const target = e.target as Element;
    const key = target.getAttribute('data-key');
    const index = target.getAttribute('data-index');
    const mid = target.getAttribute('data-mid');
    if (key && mid !== null) {
      const i = Number(mid);
      setState(insertPoint(s, key, i, at(e), frame()));
      drag = { mode: 'point', key, index: i + 1 };
    } else if (key && index !== null) {
      drag = { mode: 'point', key, index: Number(index) };
    } else if (key) {
      setState(select(s, key));
      drag = { mode: 'shape', key, last: at(e) };
    } else {
      setState(select(s, null));
      return;
    }
    e.preventDefault();
    svg?.setPointerCapture(e.pointerId);
  };
  const onMove = (e: PointerEvent) => {
    if (!drag) return;
    const p = at(e);
    if (drag.mode === 'point') setState(movePoint(state(), drag.key, drag.index, p, frame()));
    else {
      setState(moveShape(state(), drag.key, p[0] - drag.last[0], p[1] - drag.last[1], frame()));
      drag = { ...drag, last: p };
    }
  };
  const onUp = (e: PointerEvent) => {
    drag = null;
    if (svg?.hasPointerCapture(e.pointerId)) svg.releasePointerCapture(e.pointerId);
  };
  const onDouble = (e: MouseEvent) => {
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

  const save = async (shape: Shape) => {
    const cam = camera();
    if (!cam) return;
    setBusy(true);
    setError('');
    try {
      const body = payloadOf(shape);
      let saved: Zone | CountingLine;
      const enc = encodeURIComponent;
      if (shape.kind === 'area') {
        saved = shape.id
          ? await api.patch<Zone>(`/api/zones/${enc(shape.id)}`, body)
          : await api.post<Zone>(`/api/cameras/${enc(cam.id)}/zones`, body);
      } else {
        saved = shape.id
          ? await api.patch<CountingLine>(`/api/lines/${enc(shape.id)}`, body)
          : await api.post<CountingLine>(`/api/cameras/${enc(cam.id)}/lines`, body);
      }
      setState(markSaved(state(), shape.key, saved.id));
      setSavedAt({ revision: device()?.configRevision ?? 0, at: Date.now() });
    } catch (err) {
      setError(describeError(err));
    } finally {
      setBusy(false);
    }
  };
  const remove = async (shape: Shape) => {
    if (shape.id && !confirm(`Delete "${shape.name}"? Its history stays in the numbers.`)) return;
    setBusy(true);
    setError('');
    try {
      if (shape.id) {
        await api.delete(`/api/${shape.kind === 'area' ? 'zones' : 'lines'}/${encodeURIComponent(shape.id)}`);
        setSavedAt({ revision: device()?.configRevision ?? 0, at: Date.now() });
      }
      setState(removeShape(state(), shape.key));
    } catch (err) {
      setError(describeError(err));
    } finally {
      setBusy(false);
    }
  };

  const applied = () => {
    const s = savedAt();
    const d = device();
    if (!s || !d) return null;
    return d.configRevision > s.revision;
  };

  return (
    <div class="page">
      <PageHeader title="Areas & lines">
        <PlacePicker />
      </PageHeader>
      <ErrorNote text={error()} />
      <ErrorNote text={geometry.error ? describeError(geometry.error) : ''} onRetry={() => void refetch()} />
      <div class="grid two">
        <section class="card">
          <div class="toolbar" style={{ 'margin-bottom': '0.5rem' }}>
            <Show
              when={state().drawing}
              fallback={
                <>
                  <button
                    type="button"
                    data-testid="new-area"
                    onClick={() => setState(startDrawing(state(), 'area'))}
                  >
                    <Icon name="plus" /> New area
                  </button>
                  <button
                    type="button"
                    data-testid="new-line"
                    onClick={() => setState(startDrawing(state(), 'line'))}
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
                      onClick={() => setState(finishDrawing(state()))}
                    >
                      Finish
                    </button>
                  </Show>
                  <button type="button" onClick={() => setState(cancelDrawing(state()))}>
                    Cancel
                  </button>
                </>
              )}
            </Show>
          </div>
          <CameraPicture
            camera={camera()}
            testId="zones-picture"
            svgRef={(el) => {
              svg = el;
            }}
            svgProps={{
              onPointerDown: onDown,
              onPointerMove: onMove,
              onPointerUp: onUp,
              onPointerCancel: onUp,
              onDblClick: onDouble,
              classList: { drawing: !!state().drawing },
            }}
          >
            {(f) => <EditorDrawing state={state()} frame={frameOf(camera(), f)} onFrame={setPicture} />}
          </CameraPicture>
          <p class="small muted">
            Drag a corner to move it, drag inside a shape to move it all, drag the small dot on an edge to add
            a corner, double-click a corner to remove it.
          </p>
        </section>
        <section class="card">
          <h2>On this camera</h2>
          <ul class="shape-list" data-testid="shape-list">
            <For each={state().shapes} fallback={<li class="muted small">No areas or lines yet.</li>}>
              {(s) => (
                <li>
                  <button
                    type="button"
                    classList={{ active: state().selected === s.key }}
                    onClick={() => setState(select(state(), s.key))}
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
          <Show when={selected()}>
            {(s) => (
              <ShapeForm
                shape={s()}
                frame={frame()}
                busy={busy()}
                onChange={setState}
                state={state}
                onSave={save}
                onDelete={remove}
              />
            )}
          </Show>
          <Show when={savedAt() && device()}>
            <div
              class={`note ${applied() ? 'ok' : ''}`}
              data-testid="config-state"
              style={{ 'margin-top': '0.75rem' }}
            >
              {applied()
                ? `Saved. ${device()!.name} is counting with the new areas and lines (settings version ${device()!.configRevision}).`
                : `Saved. Waiting for ${device()!.name} to pick up the change…`}
            </div>
          </Show>
        </section>
      </div>
    </div>
  );
}

function ShapeForm(props: {
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

/** The editable drawing: shapes with their handles, and the one being drawn. */
function EditorDrawing(props: {
  state: EditorState;
  frame: Frame;
  onFrame: (f: Frame) => void;
}): JSX.Element {
  createEffect(() => props.onFrame(props.frame));
  const pts = (p: readonly (readonly [number, number])[]) => p.map((q) => `${q[0]},${q[1]}`).join(' ');
  const r = () => Math.max(5, props.frame.width / 110);
  return (
    <g>
      <For each={props.state.shapes}>
        {(s) => {
          const isSel = () => props.state.selected === s.key;
          const bad = () => shapeProblems(s, props.frame).length > 0;
          const label = () => labelPoint(s);
          return (
            <g>
              {s.kind === 'area' ? (
                <polygon
                  class="area"
                  classList={{ selected: isSel(), bad: bad() }}
                  points={pts(s.points)}
                  data-key={s.key}
                  style={{ cursor: 'move' }}
                />
              ) : (
                <>
                  <line
                    class="count-line"
                    classList={{ selected: isSel() }}
                    x1={s.start[0]}
                    y1={s.start[1]}
                    x2={s.end[0]}
                    y2={s.end[1]}
                  />
                  <line
                    class="hit-line"
                    x1={s.start[0]}
                    y1={s.start[1]}
                    x2={s.end[0]}
                    y2={s.end[1]}
                    data-key={s.key}
                  />
                  {(() => {
                    const a = inArrow(s);
                    return <line class="arrow" x1={a.from[0]} y1={a.from[1]} x2={a.to[0]} y2={a.to[1]} />;
                  })()}
                </>
              )}
              <text class="label" x={label()[0]} y={label()[1]} text-anchor="middle">
                {s.name}
              </text>
              <Show when={isSel()}>
                <For each={s.kind === 'area' ? s.points : [s.start, s.end]}>
                  {(p, i) => (
                    <circle class="handle" cx={p[0]} cy={p[1]} r={r()} data-key={s.key} data-index={i()} />
                  )}
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
              </Show>
            </g>
          );
        }}
      </For>
      <Show when={props.state.drawing}>
        {(d) => (
          <g data-testid="drawing">
            {d().kind === 'area' ? <polyline class="draft" points={pts(d().points)} /> : null}
            <For each={d().points}>
              {(p, i) => (
                <circle
                  class="handle"
                  cx={p[0]}
                  cy={p[1]}
                  r={i() === 0 && d().points.length >= 3 ? CLOSE_RADIUS : r()}
                />
              )}
            </For>
          </g>
        )}
      </Show>
    </g>
  );
}
