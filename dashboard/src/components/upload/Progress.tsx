/** A labelled progress bar (0 to 1), for sending and processing a recorded video. */
import type { JSX } from 'solid-js';
import { formatPercent } from '../../lib/format.ts';

export function Progress(props: { label: string; value: number; testId: string }): JSX.Element {
  return (
    <div data-testid={props.testId} data-value={props.value.toFixed(3)}>
      <div class="small" style={{ display: 'flex', 'justify-content': 'space-between' }}>
        <span>{props.label}</span>
        <span>{formatPercent(props.value)}</span>
      </div>
      <div
        class="progress"
        role="progressbar"
        aria-valuemin="0"
        aria-valuemax="100"
        aria-valuenow={Math.round(props.value * 100)}
      >
        <div style={{ width: `${Math.round(props.value * 100)}%` }} />
      </div>
    </div>
  );
}
