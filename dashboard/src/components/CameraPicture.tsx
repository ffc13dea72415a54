/**
 * A camera's current picture (asked from its box through the hub) with an SVG drawn over it in
 * picture pixels. Without a picture (box offline, no broker) a grey frame of the same size is shown,
 * so areas and boxes still make sense.
 */

import { createEffect, createSignal, type JSX, on, onCleanup, Show } from 'solid-js';
import { describeError } from '../api/client.ts';
import { cameraSnapshot } from '../api/endpoints.ts';
import type { Camera } from '../api/types.ts';
import type { Frame } from '../lib/editor.ts';
import { useApp } from '../stores/app.tsx';
import { Icon } from './Icon.tsx';

export function frameOf(camera: Camera | undefined, picture: Frame | null, live?: Frame | null): Frame {
  if (camera?.frameWidth && camera.frameHeight)
    return { width: camera.frameWidth, height: camera.frameHeight };
  if (picture) return picture;
  if (live?.width && live.height) return live;
  return { width: 768, height: 576 };
}

/** The camera's current picture, asked from its box through the hub, as an object URL and its size. */
function useSnapshot() {
  const { api } = useApp();
  const [url, setUrl] = createSignal<string | null>(null);
  const [picture, setPicture] = createSignal<Frame | null>(null);
  const [error, setError] = createSignal('');
  const [loading, setLoading] = createSignal(false);
  let current: string | null = null;
  const drop = () => {
    if (current) URL.revokeObjectURL(current);
    current = null;
  };
  onCleanup(drop);

  const load = async (camera: Camera | undefined) => {
    if (!camera) return;
    setLoading(true);
    setError('');
    try {
      const res = await cameraSnapshot(api, camera.id);
      const blob = await res.blob();
      const w = Number(res.headers.get('x-image-width'));
      const h = Number(res.headers.get('x-image-height'));
      drop();
      current = URL.createObjectURL(blob);
      setUrl(current);
      if (w > 0 && h > 0) setPicture({ width: w, height: h });
    } catch (err) {
      drop();
      setUrl(null);
      setError(`No picture from this camera right now. ${describeError(err)}`);
    } finally {
      setLoading(false);
    }
  };
  return { url, picture, error, loading, load };
}

export function CameraPicture(props: {
  camera: Camera | undefined;
  /** Drawn over the picture, in picture pixels. */
  children?: (frame: Frame) => JSX.Element;
  liveFrame?: Frame | null;
  svgRef?: (el: SVGSVGElement) => void;
  svgProps?: JSX.SvgSVGAttributes<SVGSVGElement>;
  /** Change it to take a new picture. */
  reload?: number;
  testId?: string;
}): JSX.Element {
  const { url, picture, error, loading, load } = useSnapshot();
  createEffect(on([() => props.camera?.id, () => props.reload], () => void load(props.camera)));

  const frame = () => frameOf(props.camera, picture(), props.liveFrame ?? null);
  return (
    <div class="picture" data-testid={props.testId ?? 'camera-picture'}>
      <div class="picture-inner" style={{ 'aspect-ratio': `${frame().width} / ${frame().height}` }}>
        <Show when={url()} fallback={<div class="picture-blank" />}>
          <img src={url()!} alt={`View from ${props.camera?.name ?? 'the camera'}`} draggable={false} />
        </Show>
        <svg
          ref={(el) => props.svgRef?.(el)}
          class="overlay"
          role="img"
          aria-label="Areas, lines and people drawn over the camera view"
          viewBox={`0 0 ${frame().width} ${frame().height}`}
          preserveAspectRatio="none"
          {...props.svgProps}
        >
          {props.children?.(frame())}
        </svg>
      </div>
      <div class="picture-bar">
        <Show when={error()}>
          <span class="muted small">
            <Icon name="alert" size={14} /> {error()}
          </span>
        </Show>
        <Show when={loading()}>
          <span class="muted small">Taking a picture…</span>
        </Show>
        <button
          type="button"
          class="ghost small"
          onClick={() => void load(props.camera)}
          disabled={loading()}
        >
          <Icon name="refresh" size={14} /> New picture
        </button>
      </div>
    </div>
  );
}
