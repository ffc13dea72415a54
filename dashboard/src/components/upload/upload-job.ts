/**
 * Sending a recorded video and following its job: the share sent, then the job's progress from the
 * live feed, with a poll every 1.5 s as a backstop until the job has finished or failed.
 */
import { createSignal, onCleanup } from 'solid-js';
import { describeError } from '../../api/client.ts';
import { getUpload } from '../../api/endpoints.ts';
import { uploadVideo } from '../../api/upload.ts';
import { type JobProgress, jobFailed, jobFinished, jobOf } from '../../lib/live.ts';
import { useApp } from '../../stores/app.tsx';

const POLL_MS = 1500;

export interface UploadRequest {
  file: File;
  cameraId: string;
  /** ISO 8601; left out: the recording ended now. */
  startTime?: string;
}

export function useUploadJob() {
  const { api, live } = useApp();
  const [sent, setSent] = createSignal<number | null>(null);
  const [jobId, setJobId] = createSignal<string | null>(null);
  const [error, setError] = createSignal('');
  let abort: (() => void) | null = null;
  let poll: ReturnType<typeof setInterval> | undefined;
  onCleanup(() => {
    clearInterval(poll);
    abort?.();
  });
  const job = (): JobProgress | undefined => {
    const id = jobId();
    return id ? live.state.jobs[id] : undefined;
  };

  const pollJob = (id: string) => {
    clearInterval(poll);
    poll = setInterval(async () => {
      try {
        const j = jobOf(await getUpload(api, id));
        live.actions.job(j);
        if (jobFinished(j) || jobFailed(j)) clearInterval(poll);
      } catch (err) {
        setError(describeError(err));
        clearInterval(poll);
      }
    }, POLL_MS);
  };

  const send = async (request: UploadRequest) => {
    setError('');
    setJobId(null);
    setSent(0);
    const upload = uploadVideo(api, request, (p) => setSent(p));
    abort = upload.abort;
    try {
      const accepted = await upload.done;
      live.actions.job(jobOf(accepted));
      setJobId(accepted.id);
      live.actions.start();
      pollJob(accepted.id);
    } catch (err) {
      setError(describeError(err));
      setSent(null);
    } finally {
      abort = null;
    }
  };
  return { sent, jobId, job, error, setError, send };
}
