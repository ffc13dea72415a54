/**
 * Adding or changing a camera: its name, the box that reads it, where the picture comes from, the
 * frame rate and the detector; for a saved camera with a box, a current picture from it.
 */
import type { DetectorSettings } from '@oskartrack/protocol';
import { createResource, createSignal, For, type JSX, Show } from 'solid-js';
import { describeError } from '../../api/client.ts';
import {
  type CameraBody,
  checkCamera,
  createCamera,
  getDetector,
  setDetector,
  updateCamera,
} from '../../api/endpoints.ts';
import type { Camera, Store } from '../../api/types.ts';
import { useApp } from '../../stores/app.tsx';
import { CameraPicture } from '../CameraPicture.tsx';
import { ErrorNote } from '../Common.tsx';
import { CameraCheckPanel } from './CameraCheck.tsx';
import { CameraSourceField } from './CameraSourceField.tsx';
import { fpsProblem, kindOf, plainRefusal, type SourceKind, sourceProblem } from './camera-source.ts';
import { DetectorFields, detectorProblem } from './DetectorFields.tsx';

function useCameraForm(store: Store, camera: Camera | undefined) {
  const { api, places } = useApp();
  const boxes = () => places.state.devices.filter((d) => d.storeId === store.id && d.kind === 'box');
  const [name, setName] = createSignal(camera?.name ?? '');
  const [deviceId, setDeviceId] = createSignal(camera?.deviceId ?? boxes()[0]?.id ?? '');
  const [kind, setKind] = createSignal<SourceKind>(camera ? kindOf(camera.source) : 'network');
  const [source, setSource] = createSignal(camera?.source ?? '');
  const [fps, setFps] = createSignal(camera?.fps != null ? String(camera.fps) : '');
  const [enabled, setEnabled] = createSignal(camera?.enabled ?? true);
  const [detector] = createResource(() => getDetector(api));
  const [changedDetector, setChangedDetector] = createSignal<DetectorSettings | null>(null);
  const [own, setOwn] = createSignal<DetectorSettings | null>(camera?.detector ?? null);
  const [error, setError] = createSignal('');
  const [busy, setBusy] = createSignal(false);

  const body = (): CameraBody & { name: string; source: string } => ({
    name: name().trim(),
    deviceId: deviceId() || null,
    source: source().trim(),
    fps: fps().trim() ? Number(fps()) : null,
    detector: own(),
    enabled: enabled(),
  });
  const problem = (): string | undefined => {
    if (!name().trim()) return 'Give the camera a name, e.g. "Entrance".';
    const d = own() ?? changedDetector();
    return sourceProblem(kind(), source()) ?? fpsProblem(fps()) ?? (d ? detectorProblem(d) : undefined);
  };
  /** Saves the camera (and the detector when it changed); answers the saved camera or undefined. */
  const save = async (): Promise<Camera | undefined> => {
    const wrong = problem();
    setError(wrong ?? '');
    if (wrong) return undefined;
    setBusy(true);
    try {
      const saved = camera
        ? await updateCamera(api, camera.id, body())
        : await createCamera(api, { ...body(), storeId: store.id });
      const d = changedDetector();
      if (d && !own()) await setDetector(api, d);
      setChangedDetector(null);
      await places.actions.load(true);
      return saved;
    } catch (err) {
      setError(plainRefusal(describeError(err)));
      return undefined;
    } finally {
      setBusy(false);
    }
  };
  const fields = { name, setName, deviceId, setDeviceId, kind, setKind, source, setSource };
  const more = {
    fps,
    setFps,
    enabled,
    setEnabled,
    detector,
    changedDetector,
    setChangedDetector,
    own,
    setOwn,
  };
  return { ...fields, ...more, boxes, error, busy, save };
}

export function CameraEditor(props: {
  store: Store;
  camera?: Camera | undefined;
  onDone: (saved: Camera | undefined) => void;
}): JSX.Element {
  const f = useCameraForm(props.store, props.camera);
  const submit = async (e: SubmitEvent) => {
    e.preventDefault();
    const saved = await f.save();
    if (saved) props.onDone(saved);
  };
  return (
    <form class="camera-editor" onSubmit={submit} data-testid="camera-editor" novalidate>
      <h3>{props.camera ? `Change camera ${props.camera.name}` : `New camera in ${props.store.name}`}</h3>
      <CameraIdentityFields f={f} />
      <CameraSourceField kind={f.kind()} source={f.source()} onKind={f.setKind} onSource={f.setSource} />
      <CameraRateFields f={f} />
      <DetectorChoice f={f} />
      <ErrorNote text={f.detector.error ? describeError(f.detector.error) : ''} />
      <ErrorNote text={f.error()} />
      <div class="toolbar">
        <button type="submit" class="primary" disabled={f.busy()} data-testid="save-camera">
          {props.camera ? 'Save changes' : 'Add camera'}
        </button>
        <button type="button" class="ghost" onClick={() => props.onDone(undefined)}>
          Cancel
        </button>
      </div>
      <Show when={props.camera}>{(c) => <CameraPreview camera={c()} />}</Show>
    </form>
  );
}

type Form = ReturnType<typeof useCameraForm>;

function CameraIdentityFields(props: { f: Form }): JSX.Element {
  const f = props.f;
  return (
    <div class="row">
      <label>
        <span>Name</span>
        <input
          name="camera-name"
          required
          maxLength={100}
          placeholder="Entrance"
          value={f.name()}
          onInput={(e) => f.setName(e.currentTarget.value)}
        />
      </label>
      <label>
        <span>Box that reads it</span>
        <select name="camera-box" value={f.deviceId()} onChange={(e) => f.setDeviceId(e.currentTarget.value)}>
          <option value="">No box yet (it counts nothing)</option>
          <For each={f.boxes()}>{(d) => <option value={d.id}>{d.name}</option>}</For>
        </select>
      </label>
    </div>
  );
}

function CameraRateFields(props: { f: Form }): JSX.Element {
  const f = props.f;
  return (
    <div class="row">
      <label>
        <span>Frame rate (pictures per second)</span>
        <input
          name="camera-fps"
          inputmode="decimal"
          placeholder="as the camera sends"
          value={f.fps()}
          onInput={(e) => f.setFps(e.currentTarget.value)}
        />
      </label>
      <label class="choice">
        <input
          type="checkbox"
          name="camera-enabled"
          checked={f.enabled()}
          onChange={(e) => f.setEnabled(e.currentTarget.checked)}
        />
        Counting on (off: the box leaves this camera alone)
      </label>
      <p class="small muted">
        Leave the frame rate empty to use what the camera or file says. Set it when a file or camera reports a
        wrong rate: times and walking speeds are worked out from it.
      </p>
    </div>
  );
}

/**
 * Which detector this camera runs: the one every camera follows (changing it here changes it for all),
 * or its own, e.g. YOLOX for a wide shop floor while the doors keep the lighter HOG.
 */
function DetectorChoice(props: { f: Form }): JSX.Element {
  const f = props.f;
  const shared = () => f.changedDetector() ?? f.detector();
  return (
    <div class="detector-choice" data-testid="detector-choice">
      <label class="choice">
        <input
          type="radio"
          name="detector-scope"
          value="all"
          checked={f.own() === null}
          onChange={() => f.setOwn(null)}
        />
        The same way as every other camera
      </label>
      <label class="choice">
        <input
          type="radio"
          name="detector-scope"
          value="own"
          checked={f.own() !== null}
          onChange={() => {
            const start = shared();
            if (start) f.setOwn({ ...start });
          }}
        />
        Its own way, for this camera only
      </label>
      <Show
        when={f.own()}
        fallback={
          <Show when={shared()}>{(d) => <DetectorFields value={d()} onChange={f.setChangedDetector} />}</Show>
        }
      >
        {(d) => (
          <DetectorFields
            value={d()}
            onChange={f.setOwn}
            legend="How the box finds people on this camera (this camera only)"
          />
        )}
      </Show>
    </div>
  );
}

/** A current picture from the camera's box, and the camera check's verdict. */
function CameraPreview(props: { camera: Camera }): JSX.Element {
  const { api } = useApp();
  return (
    <div class="camera-preview">
      <h3>What the camera sees</h3>
      <Show
        when={props.camera.deviceId}
        fallback={<p class="muted small">Choose the box that reads this camera to see its picture.</p>}
      >
        <CameraPicture camera={props.camera} testId="camera-preview" />
      </Show>
      <Show when={props.camera.deviceId}>
        <h3>Will it count well?</h3>
        <CameraCheckPanel run={() => checkCamera(api, props.camera.id)} />
      </Show>
    </div>
  );
}
