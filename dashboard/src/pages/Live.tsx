/**
 * Live: the camera's live view (a few pictures a second, sent only while this page is open) with the
 * people tracked in each picture (boxes and ids), the areas and counting lines, counters since the
 * page opened, and a feed of events. Below: upload a recorded video, watch
 * it being sent and processed, then read what it found.
 */
import { type JSX, Show } from 'solid-js';
import { PageHeader, PlacePicker } from '../components/Common.tsx';
import { LiveCameraCard } from '../components/live/LiveCameraCard.tsx';
import { useLiveCamera } from '../components/live/live-camera.ts';
import { SinceOpenedCard } from '../components/live/SinceOpenedCard.tsx';
import { allows } from '../components/Shell.tsx';
import { UploadCard } from '../components/upload/UploadCard.tsx';
import { useApp } from '../stores/app.tsx';

export default function Live(): JSX.Element {
  const { live, session } = useApp();
  live.actions.start();
  const view = useLiveCamera();
  return (
    <div class="page">
      <PageHeader title="Live">
        <PlacePicker />
      </PageHeader>
      <div class="grid two">
        <LiveCameraCard view={view} />
        <SinceOpenedCard view={view} />
      </div>
      <Show when={allows(session.state.user?.role, 'manager')}>
        <UploadCard />
      </Show>
    </div>
  );
}
