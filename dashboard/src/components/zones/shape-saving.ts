/**
 * Saving and deleting areas and lines through the hub, and whether the camera's box has picked the
 * change up yet: the box's settings version must pass the one it had when the change was saved.
 */

import { createEffect, createSignal, on, onCleanup } from 'solid-js';
import { type ApiClient, describeError } from '../../api/client.ts';
import {
  createLine,
  createZone,
  deleteLine,
  deleteZone,
  updateLine,
  updateZone,
} from '../../api/endpoints.ts';
import type { Camera, CountingLine, Device, Zone } from '../../api/types.ts';
import { type EditorState, markSaved, payloadOf, removeShape, type Shape } from '../../lib/editor.ts';
import { useApp } from '../../stores/app.tsx';

/** How often the box list is fetched again while waiting for the box to pick a change up. */
const DEVICE_POLL_MS = 3000;

async function saveToHub(api: ApiClient, camera: Camera, shape: Shape): Promise<Zone | CountingLine> {
  const body = payloadOf(shape);
  if (shape.kind === 'area')
    return shape.id ? updateZone(api, shape.id, body) : createZone(api, camera.id, body);
  return shape.id ? updateLine(api, shape.id, body) : createLine(api, camera.id, body);
}

export function createShapeSaving(opts: {
  camera: () => Camera | undefined;
  device: () => Device | undefined;
  state: () => EditorState;
  setState: (s: EditorState) => void;
}) {
  const { api, places, choice } = useApp();
  const [error, setError] = createSignal('');
  const [busy, setBusy] = createSignal(false);
  const [savedAt, setSavedAt] = createSignal<{ revision: number; at: number } | null>(null);
  createEffect(
    on(
      () => choice.state.cameraId,
      () => setSavedAt(null),
    ),
  );
  const poll = setInterval(() => {
    if (savedAt()) void places.actions.refreshDevices();
  }, DEVICE_POLL_MS);
  onCleanup(() => clearInterval(poll));
  const noteSaved = () => setSavedAt({ revision: opts.device()?.configRevision ?? 0, at: Date.now() });

  const run = async (work: () => Promise<void>) => {
    setBusy(true);
    setError('');
    try {
      await work();
    } catch (err) {
      setError(describeError(err));
    } finally {
      setBusy(false);
    }
  };
  const save = async (shape: Shape) => {
    const cam = opts.camera();
    if (!cam) return;
    await run(async () => {
      const saved = await saveToHub(api, cam, shape);
      opts.setState(markSaved(opts.state(), shape.key, saved.id));
      noteSaved();
    });
  };
  const remove = async (shape: Shape) => {
    if (shape.id && !confirm(`Delete "${shape.name}"? Its history stays in the numbers.`)) return;
    await run(async () => {
      if (shape.id) {
        await (shape.kind === 'area' ? deleteZone : deleteLine)(api, shape.id);
        noteSaved();
      }
      opts.setState(removeShape(opts.state(), shape.key));
    });
  };
  /** null: nothing saved yet; false: waiting for the box; true: the box counts with the change. */
  const applied = () => {
    const s = savedAt();
    const d = opts.device();
    if (!s || !d) return null;
    return d.configRevision > s.revision;
  };
  return { save, remove, busy, error, savedAt, applied };
}
