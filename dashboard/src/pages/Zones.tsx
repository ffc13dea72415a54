/**
 * Areas and counting lines, drawn with the mouse (or a finger) on the camera's picture: click to add
 * corners, drag corners or whole shapes, rename, delete. Problems (too few corners, crossing edges,
 * outside the picture) show at once and block saving; a saved change goes to the camera's box, and
 * the page says when the box has picked it up.
 */
import { createEffect, createSignal, type JSX, on, Show } from 'solid-js';
import { describeError } from '../api/client.ts';
import type { Device } from '../api/types.ts';
import { CameraPicture, frameOf } from '../components/CameraPicture.tsx';
import { ErrorNote, PageHeader, PlacePicker } from '../components/Common.tsx';
import { useGeometry } from '../components/Scene.tsx';
import { ConfigState } from '../components/zones/ConfigState.tsx';
import { DrawingToolbar } from '../components/zones/DrawingToolbar.tsx';
import { EditorDrawing } from '../components/zones/EditorDrawing.tsx';
import { createPointerEditing } from '../components/zones/pointer-editing.ts';
import { ShapeForm } from '../components/zones/ShapeForm.tsx';
import { ShapeList } from '../components/zones/ShapeList.tsx';
import { createShapeSaving } from '../components/zones/shape-saving.ts';
import { type EditorState, emptyEditor, type Frame, find, fromApi } from '../lib/editor.ts';
import { useApp } from '../stores/app.tsx';

export default function Zones(): JSX.Element {
  const { places, choice } = useApp();
  const camera = () => places.state.cameras.find((c) => c.id === choice.state.cameraId);
  const device = (): Device | undefined => places.state.devices.find((d) => d.id === camera()?.deviceId);
  const [geometry, { refetch }] = useGeometry(() => choice.state.cameraId);
  const [state, setState] = createSignal<EditorState>(emptyEditor());
  const [picture, setPicture] = createSignal<Frame | null>(null);
  createEffect(
    on(geometry, (g) => {
      if (g) setState(fromApi(g.zones, g.lines));
    }),
  );
  const frame = (): Frame => frameOf(camera(), picture());
  const selected = () => find(state(), state().selected);
  const saving = createShapeSaving({ camera, device, state, setState });
  const pointer = createPointerEditing(state, setState, frame);

  return (
    <div class="page">
      <PageHeader title="Areas & lines">
        <PlacePicker />
      </PageHeader>
      <ErrorNote text={saving.error()} />
      <ErrorNote text={geometry.error ? describeError(geometry.error) : ''} onRetry={() => void refetch()} />
      <Show when={places.state.loaded && !places.actions.camerasOf(choice.state.storeId).length}>
        <div class="note" data-testid="no-cameras">
          This store has no cameras yet: areas and lines are drawn on a camera's picture. An administrator
          adds cameras under Stores &amp; users.
        </div>
      </Show>
      <div class="grid two">
        <section class="card">
          <DrawingToolbar state={state()} onChange={setState} />
          <CameraPicture
            camera={camera()}
            testId="zones-picture"
            svgRef={pointer.svgRef}
            svgProps={{
              onPointerDown: pointer.onPointerDown,
              onPointerMove: pointer.onPointerMove,
              onPointerUp: pointer.onPointerUp,
              onPointerCancel: pointer.onPointerUp,
              onDblClick: pointer.onDblClick,
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
          <ShapeList state={state()} onChange={setState} />
          <Show when={selected()}>
            {(s) => (
              <ShapeForm
                shape={s()}
                frame={frame()}
                busy={saving.busy()}
                onChange={setState}
                state={state}
                onSave={saving.save}
                onDelete={saving.remove}
              />
            )}
          </Show>
          <Show when={saving.savedAt() && device()}>
            {(d) => <ConfigState device={d()} applied={!!saving.applied()} />}
          </Show>
        </section>
      </div>
    </div>
  );
}
