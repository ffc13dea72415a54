/** A store's boxes: online or not, last seen, and how many events each still has to send. */
import { For, type JSX } from 'solid-js';
import type { Device } from '../../api/types.ts';
import { formatAgo, formatCount, formatDuration } from '../../lib/format.ts';
import { DeviceState } from '../Common.tsx';

const waiting = (d: Device) =>
  d.outboxDepth
    ? `${formatCount(d.outboxDepth)} event${d.outboxDepth === 1 ? '' : 's'} (oldest ${formatDuration(d.outboxOldestAgeMs)})`
    : 'Nothing';

export function BoxStates(props: { devices: Device[] }): JSX.Element {
  return (
    <div class="table-wrap">
      <table class="table">
        <thead>
          <tr>
            <th>Box</th>
            <th>State</th>
            <th>Last seen</th>
            <th>Waiting to send</th>
          </tr>
        </thead>
        <tbody>
          <For
            each={props.devices}
            fallback={
              <tr>
                <td colSpan={4} class="muted">
                  No boxes in this store yet.
                </td>
              </tr>
            }
          >
            {(d) => (
              <tr data-testid={`device-${d.id}`}>
                <td>{d.name}</td>
                <td>
                  <DeviceState device={d} />
                </td>
                <td>{formatAgo(d.lastSeenAt)}</td>
                <td>{waiting(d)}</td>
              </tr>
            )}
          </For>
        </tbody>
      </table>
    </div>
  );
}
