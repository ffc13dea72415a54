/** Enrollment codes of a store nobody has used yet, each one withdrawable. */
import { For, type JSX, Show } from 'solid-js';
import type { EnrollmentCode } from '../../api/types.ts';
import { formatAgo, formatDateTime } from '../../lib/format.ts';

export function UnusedCodes(props: {
  codes: EnrollmentCode[] | undefined;
  onWithdraw: (c: EnrollmentCode) => void;
}): JSX.Element {
  return (
    <Show when={props.codes?.length}>
      <h3 style={{ 'margin-top': '0.75rem' }}>Unused codes</h3>
      <ul class="small">
        <For each={props.codes}>
          {(c) => (
            <li>
              Created {formatAgo(c.createdAt)}, valid until {formatDateTime(c.expiresAt)}{' '}
              <button type="button" class="link" onClick={() => props.onWithdraw(c)}>
                withdraw
              </button>
            </li>
          )}
        </For>
      </ul>
    </Show>
  );
}
