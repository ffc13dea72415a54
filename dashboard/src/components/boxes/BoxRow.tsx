/** One box of a store: its state, when it was last heard from, its software, rename and lock out. */
import { type JSX, Show } from 'solid-js';
import type { Device } from '../../api/types.ts';
import { formatAgo } from '../../lib/format.ts';
import { DeviceState } from '../Common.tsx';

export function BoxRow(props: {
  device: Device;
  onRename: (d: Device) => void;
  onLockOut: (d: Device) => void;
}): JSX.Element {
  const d = props.device;
  return (
    <tr>
      <td>{d.name}</td>
      <td data-label="State">
        <DeviceState device={d} />
      </td>
      <td data-label="Last seen">{formatAgo(d.lastSeenAt)}</td>
      <td data-label="Software">{d.softwareVersion ?? '–'}</td>
      <td class="actions">
        <button type="button" class="ghost small" onClick={() => props.onRename(d)}>
          Rename
        </button>
        <Show when={!d.revoked}>
          <button type="button" class="ghost small danger" onClick={() => props.onLockOut(d)}>
            Lock out
          </button>
        </Show>
      </td>
    </tr>
  );
}
