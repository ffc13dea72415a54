/**
 * The store's uploaded videos: when each was recorded, what it found, and a way to delete one with
 * everything counted from it. The switch says whether the numbers count them (by default they do not:
 * a test video must not change the day's real numbers).
 */

import type { UploadJob } from '@oskartrack/protocol';
import { createEffect, createResource, createSignal, For, type JSX, on, Show } from 'solid-js';
import { describeError } from '../../api/client.ts';
import { deleteUpload, listUploads } from '../../api/endpoints.ts';
import { formatCount, formatDateTime, formatDuration } from '../../lib/format.ts';
import { useApp } from '../../stores/app.tsx';
import { ErrorNote } from '../Common.tsx';
import { includeRecordings, setIncludeRecordings } from './recordings-choice.ts';

function stateWords(j: UploadJob): string {
  if (j.state === 'done') {
    const s = j.summary;
    return s
      ? `${formatCount(s.visits)} visits in ${formatDuration(s.videoSeconds * 1000)} of video`
      : 'Counted';
  }
  if (j.state === 'failed') return 'Could not be counted';
  return j.state === 'queued' ? 'Waiting to be counted' : 'Being counted';
}

export function RecordingsList(props: { canDelete: boolean }): JSX.Element {
  const { api, choice, live } = useApp();
  const [error, setError] = createSignal('');
  const storeId = () => choice.state.storeId;
  const [jobs, { refetch }] = createResource(storeId, (id) => listUploads(api, id));
  // A job that finishes or fails changes the list (its result, or a new row).
  createEffect(
    on(
      () => Object.values(live.state.jobs).filter((j) => j.state === 'done' || j.state === 'failed').length,
      () => void refetch(),
      { defer: true },
    ),
  );
  const remove = async (j: UploadJob) => {
    if (!confirm(`Delete "${j.fileName}" and everything counted from it? This cannot be undone.`)) return;
    setError('');
    try {
      await deleteUpload(api, j.id);
      await refetch();
    } catch (err) {
      setError(describeError(err));
    }
  };
  return (
    <div class="stack" data-testid="recordings" style={{ 'margin-top': '1rem', gap: '0.5rem' }}>
      <h3>Recorded videos</h3>
      <label class="choice small">
        <input
          type="checkbox"
          data-testid="include-recordings"
          checked={includeRecordings()}
          onChange={(e) => setIncludeRecordings(e.currentTarget.checked)}
        />{' '}
        Count recorded videos in the numbers (normally only the live cameras count)
      </label>
      <Show when={(jobs() ?? []).length > 0} fallback={<p class="small muted">No recorded videos yet.</p>}>
        <ul class="small" style={{ 'list-style': 'none', padding: 0, margin: 0 }}>
          <For each={jobs()}>
            {(j) => (
              <li data-testid="recording" data-id={j.id} class="row" style={{ 'align-items': 'center' }}>
                <span style={{ flex: 1 }}>
                  <strong>{j.fileName}</strong>, recorded from {formatDateTime(j.startTime)}: {stateWords(j)}
                </span>
                <Show when={props.canDelete}>
                  <button type="button" class="danger" onClick={() => void remove(j)}>
                    Delete
                  </button>
                </Show>
              </li>
            )}
          </For>
        </ul>
      </Show>
      <ErrorNote text={error() || (jobs.error ? describeError(jobs.error) : '')} />
    </div>
  );
}
