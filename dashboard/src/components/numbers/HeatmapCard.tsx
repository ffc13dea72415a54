/** Where people walked: the heatmap over the camera's picture, with its areas outlined. */
import { type JSX, Show } from 'solid-js';
import type { Camera, Heatmap, Zone } from '../../api/types.ts';
import { CameraPicture } from '../CameraPicture.tsx';
import { AreasLayer, HeatLayer } from '../Scene.tsx';

export function HeatmapCard(props: {
  cameraId: string | null;
  camera: Camera | undefined;
  heat: Heatmap | undefined;
  zones: readonly Zone[];
}): JSX.Element {
  return (
    <section class="card">
      <h2>Where people walked</h2>
      <Show when={props.cameraId} fallback={<p class="muted">This store has no cameras yet.</p>}>
        <CameraPicture camera={props.camera} testId="heatmap">
          {(frame) => (
            <>
              <Show when={props.heat}>{(h) => <HeatLayer heat={h()} frame={frame} />}</Show>
              <AreasLayer zones={props.zones} lines={[]} />
            </>
          )}
        </CameraPicture>
        <p class="small muted" data-testid="heat-words">
          {props.heat
            ? props.heat.total
              ? 'Red shows where people walked most, blue where few walked.'
              : 'Nobody walked here on the chosen days.'
            : ''}
        </p>
      </Show>
    </section>
  );
}
