/** A store's cameras: which box reads each, where its picture comes from; add, change, remove. */
import { createSignal, For, type JSX, Show } from 'solid-js';
import { deleteCamera } from '../../api/endpoints.ts';
import type { Camera, Store } from '../../api/types.ts';
import { useApp } from '../../stores/app.tsx';
import { ErrorNote } from '../Common.tsx';
import { Icon } from '../Icon.tsx';
import { useAction } from '../use-action.ts';
import { CameraEditor } from './CameraEditor.tsx';
import { kindOf, SOURCE_KINDS } from './camera-source.ts';

/** Which camera the editor is open for: a new one, a saved one, or none. */
type Editing = { camera?: Camera } | null;

export function StoreCameras(props: { store: Store }): JSX.Element {
  const { api, places } = useApp();
  const act = useAction();
  const [editing, setEditing] = createSignal<Editing>(null);
  const cameras = () => places.state.cameras.filter((c) => c.storeId === props.store.id);
  const remove = async (c: Camera) => {
    if (!confirm(`Remove the camera "${c.name}" with its areas, lines and counts? This cannot be undone.`))
      return;
    if (await act.run(() => deleteCamera(api, c.id))) await places.actions.load(true);
  };
  return (
    <div class="store-cameras" data-testid={`cameras-${props.store.id}`}>
      <div class="card-head">
        <h3>Cameras</h3>
        <button type="button" onClick={() => setEditing({})} data-testid="add-camera">
          <Icon name="plus" /> Add camera
        </button>
      </div>
      <div class="table-wrap">
        <table class="table stacked" data-testid="cameras-table">
          <thead>
            <tr>
              <th>Camera</th>
              <th>Box</th>
              <th>Picture from</th>
              <th>Frame rate</th>
              <th />
            </tr>
          </thead>
          <tbody>
            <For
              each={cameras()}
              fallback={
                <tr>
                  <td colSpan={5} class="muted">
                    No cameras yet: add one and choose the box that reads it.
                  </td>
                </tr>
              }
            >
              {(c) => <CameraRow camera={c} onEdit={() => setEditing({ camera: c })} onRemove={remove} />}
            </For>
          </tbody>
        </table>
      </div>
      <ErrorNote text={act.error()} />
      <Show when={editing()} keyed>
        {(e) => (
          <CameraEditor
            store={props.store}
            camera={e.camera}
            // A new camera stays open, now saved: its picture and check show what the box sees.
            onDone={(saved) => setEditing(saved && !e.camera ? { camera: saved } : null)}
          />
        )}
      </Show>
    </div>
  );
}

function CameraRow(props: {
  camera: Camera;
  onEdit: () => void;
  onRemove: (c: Camera) => void;
}): JSX.Element {
  const { places } = useApp();
  const c = () => props.camera;
  const box = () => places.state.devices.find((d) => d.id === c().deviceId)?.name ?? 'no box';
  return (
    <tr data-testid={`camera-row-${c().id}`}>
      <td>
        {c().name}{' '}
        <Show when={!c().enabled}>
          <span class="badge neutral">off</span>
        </Show>
      </td>
      <td data-label="Box">{box()}</td>
      <td data-label="Picture from">
        <span class="small muted">{SOURCE_KINDS[kindOf(c().source)].label}:</span>{' '}
        <span class="code small">{c().source}</span>
      </td>
      <td data-label="Frame rate">{c().fps != null ? `${c().fps} per second` : 'as sent'}</td>
      <td class="actions">
        <button type="button" class="ghost small" onClick={() => props.onEdit()} data-testid="edit-camera">
          Change
        </button>
        <button type="button" class="ghost small danger" onClick={() => props.onRemove(c())}>
          <Icon name="trash" size={14} /> Remove
        </button>
      </td>
    </tr>
  );
}
