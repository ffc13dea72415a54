/**
 * The one "count recorded videos" switch, where numbers are shown (Overview, Live, the downloads):
 * every copy reads and sets the same choice (recordings-choice.ts), kept for the next visit.
 */
import type { JSX } from 'solid-js';
import { includeRecordings, setIncludeRecordings } from '../upload/recordings-choice.ts';

export function RecordingsSwitch(props: { testId: string }): JSX.Element {
  return (
    <label class="choice small">
      <input
        type="checkbox"
        data-testid={props.testId}
        checked={includeRecordings()}
        onChange={(e) => setIncludeRecordings(e.currentTarget.checked)}
      />{' '}
      Count recorded videos in these numbers (normally only the live cameras count)
    </label>
  );
}
