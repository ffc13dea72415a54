/** One visit: its path drawn on the camera picture, and the time it spent in each area. */

import { createResource, For, type JSX, Show } from 'solid-js';
import { describeError } from '../../api/client.ts';
import { getVisit } from '../../api/endpoints.ts';
import { formatCount, formatDateTime, formatDuration } from '../../lib/format.ts';
import { useApp } from '../../stores/app.tsx';
import { CameraPicture } from '../CameraPicture.tsx';
import { ErrorNote, Loading } from '../Common.tsx';
import { AreasLayer, PathLayer, useGeometry } from '../Scene.tsx';

export function VisitView(props: { id: number }): JSX.Element {
  const { api, places } = useApp();
  const [visit] = createResource(
    () => props.id,
    (id) => getVisit(api, id),
  );
  const [geometry] = useGeometry(() => visit()?.cameraId);
  const camera = () => places.state.cameras.find((c) => c.id === visit()?.cameraId);
  const zoneName = (id: string) => geometry()?.zones.find((z) => z.id === id)?.name ?? 'Removed area';
  return (
    <>
      <ErrorNote text={visit.error ? describeError(visit.error) : ''} />
      <Show
        when={visit()}
        fallback={
          <Show when={!visit.error}>
            <Loading />
          </Show>
        }
      >
        {(v) => (
          <div class="stack">
            <h2>
              Visit on {formatDateTime(v().startedAt)} · {formatDuration(v().durationMs)}
            </h2>
            <CameraPicture camera={camera()} testId="visit-picture">
              {() => (
                <>
                  <AreasLayer zones={geometry()?.zones ?? []} lines={[]} />
                  <PathLayer path={v().path} />
                </>
              )}
            </CameraPicture>
            <p class="small muted">Green: where the visitor came into view; red: where they left.</p>
            <table class="table" data-testid="visit-areas">
              <thead>
                <tr>
                  <th>Area</th>
                  <th>Time spent</th>
                  <th>Times entered</th>
                </tr>
              </thead>
              <tbody>
                <For
                  each={v().zones}
                  fallback={
                    <tr>
                      <td colSpan={3} class="muted">
                        This visit did not enter any area.
                      </td>
                    </tr>
                  }
                >
                  {(z) => (
                    <tr>
                      <td>{zoneName(z.zoneId)}</td>
                      <td>{formatDuration(z.dwellMs)}</td>
                      <td>{formatCount(z.entries)}</td>
                    </tr>
                  )}
                </For>
              </tbody>
            </table>
          </div>
        )}
      </Show>
    </>
  );
}
