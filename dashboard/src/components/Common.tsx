/** Small pieces every page uses. */
import { createEffect, For, type JSX, Show } from 'solid-js';
import type { Camera, Device } from '../api/types.ts';
import { useApp } from '../stores/app.tsx';
import { Icon } from './Icon.tsx';

export function ErrorNote(props: { text: string | null | undefined; onRetry?: () => void }): JSX.Element {
  return (
    <Show when={props.text}>
      <div class="note error" role="alert">
        <Icon name="alert" />
        <span>{props.text}</span>
        <Show when={props.onRetry}>
          <button type="button" class="link" onClick={() => props.onRetry?.()}>
            Try again
          </button>
        </Show>
      </div>
    </Show>
  );
}

export function Loading(props: { text?: string }): JSX.Element {
  return (
    <div class="loading" aria-live="polite">
      <span class="spinner" />
      {props.text ?? 'Loading…'}
    </div>
  );
}

/** A headline figure; `children` go under it (e.g. how it changed). */
export function Stat(props: {
  label: string;
  value: string;
  hint?: string | undefined;
  testId?: string | undefined;
  children?: JSX.Element;
}): JSX.Element {
  return (
    <div class="stat" data-testid={props.testId}>
      <div class="stat-label">{props.label}</div>
      <div class="stat-value">{props.value}</div>
      <Show when={props.hint}>
        <div class="stat-hint">{props.hint}</div>
      </Show>
      {props.children}
    </div>
  );
}

/** A box's connection; the store's uploaded-recordings device is labelled as such, never "Offline". */
export function DeviceState(props: { device: Device }): JSX.Element {
  return (
    <Show when={props.device.kind === 'box'} fallback={<span class="badge neutral">Uploaded videos</span>}>
      <span class={`badge ${props.device.online ? 'ok' : 'off'}`}>
        {props.device.revoked ? 'Locked out' : props.device.online ? 'Online' : 'Offline'}
      </span>
    </Show>
  );
}

export function PageHeader(props: { title: string; children?: JSX.Element }): JSX.Element {
  return (
    <header class="page-header">
      <h1>{props.title}</h1>
      <div class="page-actions">{props.children}</div>
    </header>
  );
}

/**
 * Store and camera choice shared by the pages. `allCameras` offers "All cameras"; without it a camera
 * is always chosen (the first of the store).
 */
export function PlacePicker(props: { allCameras?: boolean; noCamera?: boolean }): JSX.Element {
  const { places, choice } = useApp();
  void places.actions.load();
  const cameras = (): Camera[] => places.actions.camerasOf(choice.state.storeId);
  createEffect(() => {
    const stores = places.state.stores;
    if (!stores.length) return;
    if (!choice.state.storeId || !stores.some((s) => s.id === choice.state.storeId)) {
      choice.actions.setStore(stores[0]!.id);
    }
  });
  createEffect(() => {
    if (props.noCamera) return;
    const list = cameras();
    const current = choice.state.cameraId;
    if (current && list.some((c) => c.id === current)) return;
    if (!props.allCameras || current) choice.actions.setCamera(list[0]?.id ?? null);
  });
  return (
    <div class="picker">
      <label>
        <span>Store</span>
        <select
          data-testid="store-select"
          value={choice.state.storeId ?? ''}
          onChange={(e) => choice.actions.setStore(e.currentTarget.value || null)}
        >
          {/* `selected` on the options too: options added after the select's value was set (stores
              still loading, another page's choice) would otherwise show the first store. */}
          <For each={places.state.stores}>
            {(s) => (
              <option value={s.id} selected={s.id === choice.state.storeId}>
                {s.name}
              </option>
            )}
          </For>
        </select>
      </label>
      <Show when={!props.noCamera}>
        <label>
          <span>Camera</span>
          <select
            data-testid="camera-select"
            value={choice.state.cameraId ?? ''}
            onChange={(e) => choice.actions.setCamera(e.currentTarget.value || null)}
          >
            <Show when={props.allCameras}>
              <option value="">All cameras</option>
            </Show>
            <For each={cameras()}>
              {(c) => (
                <option value={c.id} selected={c.id === choice.state.cameraId}>
                  {c.name}
                </option>
              )}
            </For>
          </select>
        </label>
      </Show>
    </div>
  );
}

export function Empty(props: { children: JSX.Element }): JSX.Element {
  return <div class="empty">{props.children}</div>;
}
