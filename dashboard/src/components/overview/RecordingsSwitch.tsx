/**
 * The one "count recorded videos" switch, where numbers are shown (Overview, Live, the downloads):
 * every copy reads and sets the same choice (recordings-choice.ts), kept for the next visit.
 */
import type { JSX } from 'solid-js';
import { includeRecordings, setIncludeRecordings } from '../upload/recordings-choice.ts';

export function RecordingsSwitch(props: { testId: string }): JSX.Element {
  return (
    // The tick box level with the first line of its words (inputs are 38px tall by default).
    <label class="choice small" style={{ 'align-items': 'flex-start' }}>
      <input
        type="checkbox"
        style={{ 'min-height': '0', margin: '0.15em 0 0' }}
        data-testid={props.testId}
        checked={includeRecordings()}
        onChange={(e) => setIncludeRecordings(e.currentTarget.checked)}
      />
      <span>Count recorded videos in these numbers (normally only the live cameras count)</span>
    </label>
  );
}
