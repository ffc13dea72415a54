/** What a processed recording found: visitors, visits, each line's in and out, each area's visits. */
import { type JSX, Show } from 'solid-js';
import { formatCount, formatDuration } from '../../lib/format.ts';
import type { JobProgress } from '../../lib/live.ts';

export function UploadResults(props: { job: JobProgress }): JSX.Element {
  const s = () => props.job.summary;
  return (
    <div
      class="note ok"
      data-testid="upload-results"
      style={{ 'flex-direction': 'column', 'align-items': 'stretch' }}
    >
      <strong>
        Done. The results are kept apart from the live cameras: see "Recorded videos" below to count them in
        the numbers or to delete them.
      </strong>
      <Show when={s()}>
        {(sum) => (
          <>
            <span>
              {formatCount(sum().visitors)} visitors, {formatCount(sum().visits)} visits in{' '}
              {formatDuration(sum().videoSeconds * 1000)} of video.
            </span>
            <Show when={sum().lines.length}>
              <span>
                Lines:{' '}
                {sum()
                  .lines.map((l) => `${l.name} ${l.in} in / ${l.out} out`)
                  .join(', ')}
              </span>
            </Show>
            <Show when={sum().zones.length}>
              <span>
                Areas:{' '}
                {sum()
                  .zones.map((z) => `${z.name} ${z.entries} visits, ${formatDuration(z.dwellMs)} in total`)
                  .join(', ')}
              </span>
            </Show>
          </>
        )}
      </Show>
    </div>
  );
}
