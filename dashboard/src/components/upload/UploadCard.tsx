/** Upload a recorded video, see it sent and processed, then its results. */
import { createSignal, For, type JSX, Show } from 'solid-js';
import { toDateInput } from '../../lib/format.ts';
import { useApp } from '../../stores/app.tsx';
import { ErrorNote } from '../Common.tsx';
import { Icon } from '../Icon.tsx';
import { UploadProgress } from './UploadProgress.tsx';
import { useUploadJob } from './upload-job.ts';

export function UploadCard(): JSX.Element {
  const { choice, places } = useApp();
  const [file, setFile] = createSignal<File | null>(null);
  const [start, setStart] = createSignal(`${toDateInput(new Date())}T09:00`);
  const cameras = () => places.actions.camerasOf(choice.state.storeId);
  const [cameraId, setCameraId] = createSignal<string>('');
  const target = () => cameraId() || choice.state.cameraId || cameras()[0]?.id || '';
  const upload = useUploadJob();

  const submit = async (e: SubmitEvent) => {
    e.preventDefault();
    const f = file();
    if (!f) return upload.setError('Choose a video file first.');
    if (!target()) return upload.setError('Choose the camera the video was recorded with.');
    const when = new Date(start());
    if (Number.isNaN(when.getTime())) return upload.setError('Enter when the recording started.');
    await upload.send({ file: f, cameraId: target(), startTime: when.toISOString() });
  };

  return (
    <section class="card" data-testid="upload-card">
      <h2>
        <Icon name="upload" /> Count a recorded video
      </h2>
      <p class="small muted">
        Upload a recording from one of your cameras. The hub counts it the same way as the live picture, using
        the areas and lines of the camera you choose.
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
          <span>Recording started at</span>
          <input type="datetime-local" value={start()} onInput={(e) => setStart(e.currentTarget.value)} />
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
    </section>
  );
}
