/**
 * Counts a store's boxes sent for cameras the hub does not know as theirs (kept aside, not counted):
 * said in plain words with what to do. Shows nothing when there are none.
 */

import { createResource, For, type JSX, Show } from 'solid-js';
import { listDeadLetters } from '../api/endpoints.ts';
import type { DeadLetterGroup } from '../api/types.ts';
import { formatAgo } from '../lib/format.ts';
import { useApp } from '../stores/app.tsx';

export function DeadLetterNote(props: { groups: readonly DeadLetterGroup[] }): JSX.Element {
  return (
    <Show when={props.groups.length > 0}>
      <div class="note warn" data-testid="dead-letters">
        <For each={props.groups}>
          {(g) => (
            <p>
              Counts from a camera the hub does not know: {g.count} (box "{g.deviceName}", camera{' '}
              <span class="code">{g.cameraId}</span>, {g.lastReason}, last {formatAgo(g.lastReceivedAt)}) —
              add the camera or move the box back.
            </p>
          )}
        </For>
      </div>
    </Show>
  );
}

/** The note for one store, from `GET /api/dead-letters`. */
export function DeadLetters(props: { storeId: string }): JSX.Element {
  const { api } = useApp();
  const [groups] = createResource(
    () => props.storeId,
    (id) => listDeadLetters(api, id),
  );
  return <DeadLetterNote groups={groups() ?? []} />;
}
