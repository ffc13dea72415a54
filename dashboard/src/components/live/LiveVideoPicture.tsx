/**
 * The camera's live video: the latest picture its unit sent, with the areas, lines and the people
 * boxes of that very frame drawn over it (matched by frame time in live-camera.ts).
 */
import { type JSX, Show } from 'solid-js';
import type { Camera, CountingLine, Zone } from '../../api/types.ts';
import type { VideoPicture } from '../../lib/live.ts';
import { frameOf } from '../CameraPicture.tsx';
import { AreasLayer, TracksLayer } from '../Scene.tsx';
import type { TimedTracks } from './track-timeline.ts';

export function LiveVideoPicture(props: {
  camera: Camera | undefined;
  picture: VideoPicture;
  /** The boxes seen in the picture's frame, if any arrived. */
  boxes: TimedTracks | undefined;
  zones: readonly Zone[];
  lines: readonly CountingLine[];
}): JSX.Element {
  const frame = () =>
    frameOf(props.camera, null, { width: props.picture.width, height: props.picture.height });
  return (
    <div class="picture" data-testid="live-picture">
      <div class="picture-inner" style={{ 'aspect-ratio': `${frame().width} / ${frame().height}` }}>
        <img
          src={props.picture.src}
          alt={`Live view from ${props.camera?.name ?? 'the camera'}`}
          data-testid="live-video"
          data-at={props.picture.at}
          draggable={false}
        />
        <svg
          class="overlay"
          role="img"
          aria-label="Areas, lines and people drawn over the live view"
          viewBox={`0 0 ${frame().width} ${frame().height}`}
          preserveAspectRatio="none"
        >
          <AreasLayer zones={props.zones} lines={props.lines} />
          <Show when={props.boxes}>
            {(b) => (
              <g data-testid="video-boxes" data-at={b().at}>
                <TracksLayer
                  tracks={b().tracks}
                  scaleX={b().width ? frame().width / b().width : 1}
                  scaleY={b().height ? frame().height / b().height : 1}
                />
              </g>
            )}
          </Show>
        </svg>
      </div>
      <div class="picture-bar">
        <span class="muted small">Live view, a few pictures a second. Nothing of it is recorded.</span>
      </div>
    </div>
  );
}
