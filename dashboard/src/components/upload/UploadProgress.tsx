/** A recording on its way: the share sent, then processing, then what it found or why it failed. */
import { type JSX, Show } from 'solid-js';
import { formatBytes } from '../../lib/format.ts';
import { type JobProgress, jobFailed, jobFinished } from '../../lib/live.ts';
import { ErrorNote } from '../Common.tsx';
import { Progress } from './Progress.tsx';
import { UploadResults } from './UploadResults.tsx';

const jobWords = (j: JobProgress) =>
  jobFailed(j)
    ? 'Processing failed'
    : jobFinished(j)
      ? 'Processed'
      : j.state === 'queued'
        ? 'Waiting to be processed'
        : 'Counting people in the video';

export function UploadProgress(props: {
  file: File | null;
  sent: number;
  job: JobProgress | undefined;
}): JSX.Element {
  return (
    <div class="stack" style={{ 'margin-top': '0.75rem', gap: '0.5rem' }}>
      <Progress
        label={`Sending ${props.file ? `${props.file.name} (${formatBytes(props.file.size)})` : 'the video'}`}
        value={props.sent}
        testId="upload-sent"
      />
      <Show when={props.job}>
        {(j) => (
          <>
            <Progress label={jobWords(j())} value={j().progress} testId="upload-processed" />
            <Show when={jobFailed(j())}>
              <ErrorNote text={j().message ?? 'The video could not be processed.'} />
            </Show>
            <Show when={jobFinished(j())}>
              <UploadResults job={j()} />
            </Show>
          </>
        )}
      </Show>
    </div>
  );
}
