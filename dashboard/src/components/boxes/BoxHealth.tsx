/**
 * How a store's boxes are doing, for an installer: each box's link to the hub and each of its
 * cameras' picture as the box last reported it (through the live feed), the last error with its time,
 * and what to do next.
 */
import { For, type JSX, onMount, Show } from 'solid-js';
import type { Camera, Device } from '../../api/types.ts';
import { cameraNextStep, describeBox, describeHealth, lastCameraError } from '../../lib/camera-health.ts';
import { formatDateTime } from '../../lib/format.ts';
import { useApp } from '../../stores/app.tsx';

export function BoxHealth(props: { storeId: string }): JSX.Element {
  const { places, live } = useApp();
  // Camera reports arrive over the live feed (the hub sends each box's latest on connecting).
  onMount(() => live.actions.start());
  const boxes = () => places.state.devices.filter((d) => d.storeId === props.storeId && d.kind === 'box');
  return (
    <Show when={boxes().length > 0}>
      <h3 style={{ 'margin-top': '0.75rem' }}>How the boxes are doing</h3>
      <ul class="health-list" data-testid="box-health">
        <For each={boxes()}>{(d) => <BoxHealthItem device={d} />}</For>
      </ul>
    </Show>
  );
}

function BoxHealthItem(props: { device: Device }): JSX.Element {
  const { places } = useApp();
  const words = () => describeBox(props.device, (t) => formatDateTime(t));
  const cameras = () => places.state.cameras.filter((c) => c.deviceId === props.device.id && c.enabled);
  return (
    <li data-testid={`box-health-${props.device.id}`}>
      <p class={words().ok ? '' : 'bad'}>
        <span class={`badge ${words().ok ? 'ok' : 'off'}`}>{words().ok ? 'OK' : 'Needs a look'}</span>{' '}
        {words().headline}
      </p>
      <Show when={words().next}>
        <p class="small">{words().next}</p>
      </Show>
      <ul>
        <For each={cameras()}>{(c) => <CameraHealthItem camera={c} boxOnline={props.device.online} />}</For>
      </ul>
    </li>
  );
}

function CameraHealthItem(props: { camera: Camera; boxOnline: boolean }): JSX.Element {
  const { live } = useApp();
  const health = () => live.state.health[props.camera.id];
  return (
    <li class="small" data-testid={`camera-health-${props.camera.id}`}>
      <Show
        when={health()}
        fallback={
          <span class="muted">
            Camera {props.camera.name}:{' '}
            {props.boxOnline ? 'no report from the box yet' : 'no report while the box is offline'}
          </span>
        }
      >
        {(h) => {
          const words = () => describeHealth(props.camera.name, h(), (t) => formatDateTime(t));
          const last = () => lastCameraError(h());
          return (
            <>
              <span class={words().ok ? '' : 'bad'}>{words().headline}</span>
              <Show when={words().detail && words().ok}>
                <span class="muted"> {words().detail}</span>
              </Show>
              <Show when={last()}>
                {(e) => (
                  <span data-testid="last-error">
                    {' '}
                    Last error
                    {e().at !== undefined ? ` (${formatDateTime(e().at!)})` : ''}: {e().text}.{' '}
                    {cameraNextStep(h())}
                  </span>
                )}
              </Show>
            </>
          );
        }}
      </Show>
    </li>
  );
}
