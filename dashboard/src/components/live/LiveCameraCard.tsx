/**
 * The camera's live view with the areas, lines and the people tracked right now, and the link's
 * state. Until the first live picture arrives (or when pictures stop) a still picture taken on
 * demand stands in, with the latest boxes; when the camera's unit is offline a plain message says so.
 */
import { type JSX, Show } from 'solid-js';
import { useApp } from '../../stores/app.tsx';
import { CameraPicture, frameOf } from '../CameraPicture.tsx';
import { AreasLayer, TracksLayer } from '../Scene.tsx';
import { LiveVideoPicture } from './LiveVideoPicture.tsx';
import type { LiveCamera } from './live-camera.ts';

const OFFLINE =
  'The camera unit is offline, so there is no live view. Check that it has power and an internet connection; the view comes back by itself.';

/** The still picture (asked for once) with the latest boxes: shown while no live picture arrives. */
function StillPicture(props: { view: LiveCamera }): JSX.Element {
  const v = props.view;
  return (
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
  );
}

function LiveState(props: { view: LiveCamera }): JSX.Element {
  const { live } = useApp();
  const people = () => props.view.fresh()?.tracks.length ?? 0;
  return (
    <span class="small muted" data-testid="live-state">
      <span class={`dot ${props.view.camera() ? live.state.connection : 'closed'}`} />{' '}
      {!props.view.camera()
        ? 'No camera in this store'
        : live.state.connection === 'open'
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
        <Show
          when={!v.offline()}
          fallback={
            <div class="empty" data-testid="live-offline">
              {OFFLINE}
            </div>
          }
        >
          <Show when={v.video()} fallback={<StillPicture view={v} />}>
            {(picture) => (
              <LiveVideoPicture
                camera={v.camera()}
                picture={picture()}
                boxes={v.videoTracks()}
                zones={v.geometry()?.zones ?? []}
                lines={v.geometry()?.lines ?? []}
              />
            )}
          </Show>
        </Show>
      </Show>
      <Show when={live.state.notice}>
        <p class="small muted">{live.state.notice}</p>
      </Show>
    </section>
  );
}
