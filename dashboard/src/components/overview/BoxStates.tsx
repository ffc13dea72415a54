/**
 * A store's camera units (the small computers beside the cameras that count): online or not, last
 * seen, and how many counts each has not yet sent to the dashboard.
 */
import { For, type JSX } from 'solid-js';
import type { Device } from '../../api/types.ts';
import { formatAgo, formatCount, formatDuration } from '../../lib/format.ts';
import { DeviceState } from '../Common.tsx';

const notSent = (d: Device) =>
  d.outboxDepth
    ? `${formatCount(d.outboxDepth)} count${d.outboxDepth === 1 ? '' : 's'} (the oldest from ${formatDuration(d.outboxOldestAgeMs)} ago)`
    : 'All sent';

export function BoxStates(props: { devices: Device[] }): JSX.Element {
  return (
    <div class="table-wrap">
      <table class="table">
        <thead>
          <tr>
            <th>Camera unit</th>
            <th>State</th>
            <th>Last seen</th>
            <th>Not yet sent to the dashboard</th>
          </tr>
        </thead>
        <tbody>
          <For
            each={props.devices}
            fallback={
              <tr>
                <td colSpan={4} class="muted">
                  No camera units in this store yet.
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
                <td>{notSent(d)}</td>
              </tr>
            )}
          </For>
        </tbody>
      </table>
    </div>
  );
}
