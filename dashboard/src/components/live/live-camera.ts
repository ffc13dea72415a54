/**
 * The chosen camera as the live feed sees it: its latest boxes while fresh, its live video picture
 * with the boxes seen in that very frame, whether its unit is offline, the picture size the box
 * reports, counters since the page opened, its picture health, recent events, and area and line names.
 */
import { createEffect, createMemo, createSignal, on, onCleanup } from 'solid-js';
import { describeHealth } from '../../lib/camera-health.ts';
import { useApp } from '../../stores/app.tsx';
import { useGeometry } from '../Scene.tsx';
import { addTimed, type TimedTracks, tracksAt } from './track-timeline.ts';

/** Boxes older than this are stale (the box stopped sending) and hidden. */
const FRESH_MS = 8000;
const FEED_LENGTH = 40;
/** A video picture older than this is gone (nobody sends any more): the snapshot shows again. */
const VIDEO_FRESH_MS = 5000;
/** Boxes this much older than the picture belong to another moment: none are drawn. */
const BOXES_BEHIND_MS = 1500;

/** The camera's boxes by frame time, and the video picture with the boxes of its own frame. */
function useLiveVideo(cameraId: () => string | null, tick: () => number) {
  const { live } = useApp();
  createEffect(() => {
    const id = cameraId();
    if (!id) return;
    live.actions.watchVideo(id);
    // Another camera chosen, or the page left: the hub stops asking the box for pictures.
    onCleanup(() => live.actions.unwatchVideo(id));
  });
  const [timeline, setTimeline] = createSignal<TimedTracks[]>([]);
  createEffect(on(cameraId, () => setTimeline([])));
  createEffect(() => {
    const id = cameraId();
    const c = id ? live.state.cameras[id] : undefined;
    if (!c) return;
    const item = { at: c.at, width: c.width, height: c.height, tracks: c.tracks };
    setTimeline((items) => addTimed(items, item));
  });
  const video = () => {
    const id = cameraId();
    const v = id ? live.state.video[id] : undefined;
    return v && tick() - v.receivedAt < VIDEO_FRESH_MS && Date.now() - v.receivedAt < VIDEO_FRESH_MS
      ? v
      : undefined;
  };
  const videoTracks = () => {
    const v = video();
    const t = v ? tracksAt(timeline(), v.at) : undefined;
    return v && t && v.at - t.at <= BOXES_BEHIND_MS ? t : undefined;
  };
  return { video, videoTracks };
}

export function useLiveCamera() {
  const { places, choice, live } = useApp();
  const camera = () => places.state.cameras.find((c) => c.id === choice.state.cameraId);
  /** The camera's unit said it went offline: no picture can come. */
  const offline = () => {
    const deviceId = camera()?.deviceId;
    return deviceId ? places.state.devices.find((d) => d.id === deviceId)?.online === false : false;
  };
  createEffect(() => {
    const id = choice.state.cameraId;
    if (id) live.actions.watch(id);
  });
  const [geometry] = useGeometry(() => choice.state.cameraId);
  const current = () => (choice.state.cameraId ? live.state.cameras[choice.state.cameraId] : undefined);
  const [tick, setTick] = createSignal(Date.now());
  const timer = setInterval(() => setTick(Date.now()), 1000);
  onCleanup(() => clearInterval(timer));
  const { video, videoTracks } = useLiveVideo(() => choice.state.cameraId, tick);
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
  return { camera, geometry, fresh, liveFrame, counts, health, events, names, offline, video, videoTracks };
}

export type LiveCamera = ReturnType<typeof useLiveCamera>;
