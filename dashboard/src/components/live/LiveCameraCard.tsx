/** The camera picture with the areas, lines and the people tracked right now, and the link's state. */
import { type JSX, Show } from 'solid-js';
import { useApp } from '../../stores/app.tsx';
import { CameraPicture, frameOf } from '../CameraPicture.tsx';
import { AreasLayer, TracksLayer } from '../Scene.tsx';
import type { LiveCamera } from './live-camera.ts';

function LiveState(props: { view: LiveCamera }): JSX.Element {
  const { live } = useApp();
  const people = () => props.view.fresh()?.tracks.length ?? 0;
  return (
    <span class="small muted" data-testid="live-state">
      <span class={`dot ${live.state.connection}`} />{' '}
      {live.state.connection === 'open'
        ? props.view.fresh()
          ? `${people()} ${people() === 1 ? 'person' : 'people'} in view`
          : 'Waiting for the camera…'
        : live.state.connection === 'connecting'
          ? 'Connecting…'
          : 'Live view not connected'}
    </span>
  );
}

export function LiveCameraCard(props: { view: LiveCamera }): JSX.Element {
  const { live } = useApp();
  const v = props.view;
  return (
    <section class="card">
      <div class="card-head">
        <h2>{v.camera()?.name ?? 'Camera'}</h2>
        <LiveState view={v} />
      </div>
      <Show when={v.health()}>
        {(w) => (
          <p class={`note ${w().ok ? '' : 'error'}`} data-testid="camera-health">
            <strong>{w().headline}</strong> {w().detail}
          </p>
        )}
      </Show>
      <Show when={v.camera()} fallback={<div class="empty">This store has no cameras yet.</div>}>
        <CameraPicture camera={v.camera()} liveFrame={v.liveFrame()} testId="live-picture">
          {(frame) => {
            const f = () => frameOf(v.camera(), frame, v.liveFrame());
            return (
              <>
                <AreasLayer zones={v.geometry()?.zones ?? []} lines={v.geometry()?.lines ?? []} />
                <Show when={v.fresh()}>
                  {(c) => (
                    <TracksLayer
                      tracks={c().tracks}
                      scaleX={c().width ? f().width / c().width : 1}
                      scaleY={c().height ? f().height / c().height : 1}
                    />
                  )}
                </Show>
              </>
            );
          }}
        </CameraPicture>
      </Show>
      <Show when={live.state.notice}>
        <p class="small muted">{live.state.notice}</p>
      </Show>
    </section>
  );
}
