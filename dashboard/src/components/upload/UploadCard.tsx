/** Upload a recorded video, see it sent and processed, then its results. */
import { createSignal, For, type JSX, Show } from 'solid-js';
import { useApp } from '../../stores/app.tsx';
import { ErrorNote } from '../Common.tsx';
import { Icon } from '../Icon.tsx';
import { allows } from '../Shell.tsx';
import { RecordingsList } from './RecordingsList.tsx';
import { UploadProgress } from './UploadProgress.tsx';
import { useUploadJob } from './upload-job.ts';

/** Now as a datetime-local value (local time, to the minute): the latest start time allowed. */
function localNow(): string {
  const d = new Date();
  return new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
}

export function UploadCard(): JSX.Element {
  const { choice, places, session } = useApp();
  const [file, setFile] = createSignal<File | null>(null);
  // Empty: the hub takes the recording to end now. Never a default in the future.
  const [start, setStart] = createSignal('');
  const cameras = () => places.actions.camerasOf(choice.state.storeId);
  const [cameraId, setCameraId] = createSignal<string>('');
  const target = () => cameraId() || choice.state.cameraId || cameras()[0]?.id || '';
  const upload = useUploadJob();

  const submit = async (e: SubmitEvent) => {
    e.preventDefault();
    const f = file();
    if (!f) return upload.setError('Choose a video file first.');
    if (!target()) return upload.setError('Choose the camera the video was recorded with.');
    const when = start() ? new Date(start()) : undefined;
    if (when && Number.isNaN(when.getTime())) return upload.setError('Enter when the recording started.');
    if (when && when.getTime() > Date.now())
      return upload.setError(
        'That start time is in the future: enter when the recording began, or leave it empty.',
      );
    await upload.send({ file: f, cameraId: target(), ...(when ? { startTime: when.toISOString() } : {}) });
  };

  return (
    <section class="card" data-testid="upload-card">
      <h2>
        <Icon name="upload" /> Count a recorded video
      </h2>
      <p class="small muted">
        Upload a recording from one of your cameras. The hub counts it the same way as the live picture, using
        the areas and lines of the camera you choose. Its counts are kept apart from the live cameras': they
        stay out of the live view and of the numbers unless you choose to include them below.
      </p>
      <form class="row" onSubmit={submit}>
        <label>
          <span>Video file</span>
          <input
            type="file"
            name="video"
            accept="video/*,.avi,.mp4,.mkv,.mov"
            onChange={(e) => setFile(e.currentTarget.files?.[0] ?? null)}
          />
        </label>
        <label>
          <span>Camera it was recorded with</span>
          <select value={target()} onChange={(e) => setCameraId(e.currentTarget.value)}>
            <For each={cameras()}>{(c) => <option value={c.id}>{c.name}</option>}</For>
          </select>
        </label>
        <label>
          <span>Recording started at (empty: it ended just now)</span>
          <input
            type="datetime-local"
            name="start"
            value={start()}
            max={localNow()}
            onInput={(e) => setStart(e.currentTarget.value)}
          />
        </label>
        <button
          type="submit"
          class="primary"
          disabled={upload.sent() !== null && upload.sent()! < 1 && !upload.jobId()}
        >
          <Icon name="upload" /> Upload
        </button>
      </form>
      <ErrorNote text={upload.error()} />
      <Show when={upload.sent() !== null}>
        <UploadProgress file={file()} sent={upload.sent() ?? 0} job={upload.job()} />
      </Show>
      <RecordingsList canDelete={allows(session.state.user?.role, 'manager')} />
    </section>
  );
}
