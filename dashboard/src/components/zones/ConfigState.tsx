/** After a save: whether the camera's unit already counts with the change, or is still picking it up. */
import type { JSX } from 'solid-js';
import type { Device } from '../../api/types.ts';

export function ConfigState(props: { device: Device; applied: boolean }): JSX.Element {
  return (
    <div
      class={`note ${props.applied ? 'ok' : ''}`}
      data-testid="config-state"
      style={{ 'margin-top': '0.75rem' }}
    >
      {props.applied
        ? `Saved. ${props.device.name} is counting with the new areas and lines.`
        : `Saved. Waiting for ${props.device.name} to pick up the change…`}
    </div>
  );
}
