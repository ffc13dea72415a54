/**
 * The chosen camera as the live feed sees it: its latest boxes while fresh, the picture size the box
 * reports, counters since the page opened, its picture health, recent events, and area and line names.
 */
import { createEffect, createMemo, createSignal, onCleanup } from 'solid-js';
import { describeHealth } from '../../lib/camera-health.ts';
import { useApp } from '../../stores/app.tsx';
import { useGeometry } from '../Scene.tsx';

/** Boxes older than this are stale (the box stopped sending) and hidden. */
const FRESH_MS = 8000;
const FEED_LENGTH = 40;

export function useLiveCamera() {
  const { places, choice, live } = useApp();
  const camera = () => places.state.cameras.find((c) => c.id === choice.state.cameraId);
  createEffect(() => {
    const id = choice.state.cameraId;
    if (id) live.actions.watch(id);
  });
  const [geometry] = useGeometry(() => choice.state.cameraId);
  const current = () => (choice.state.cameraId ? live.state.cameras[choice.state.cameraId] : undefined);
  const [tick, setTick] = createSignal(Date.now());
  const timer = setInterval(() => setTick(Date.now()), 1000);
  onCleanup(() => clearInterval(timer));
  const fresh = () => {
    const c = current();
    return c && tick() - c.receivedAt < FRESH_MS && Date.now() - c.receivedAt < FRESH_MS ? c : undefined;
  };
  const liveFrame = () => {
    const c = current();
    return c?.width && c.height ? { width: c.width, height: c.height } : null;
  };
  const counts = () => (choice.state.cameraId ? live.state.counts[choice.state.cameraId] : undefined);
  // The picture as the box reports it: shown when it is lost, or was lost in the last 24 hours.
  const health = () => {
    const id = choice.state.cameraId;
    const h = id ? live.state.health[id] : undefined;
    if (!h) return undefined;
    const words = describeHealth(camera()?.name ?? h.cameraId, h);
    return words.ok && !words.detail ? undefined : words;
  };
  const events = createMemo(() =>
    live.state.events.filter((e) => e.cameraId === choice.state.cameraId).slice(0, FEED_LENGTH),
  );
  const names = createMemo(() => {
    const m = new Map<string, string>();
    for (const z of geometry()?.zones ?? []) m.set(z.id, z.name);
    for (const l of geometry()?.lines ?? []) m.set(l.id, l.name);
    return m;
  });
  return { camera, geometry, fresh, liveFrame, counts, health, events, names };
}

export type LiveCamera = ReturnType<typeof useLiveCamera>;
