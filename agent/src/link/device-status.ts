/**
 * The box's retained status message (also its last will, in the offline form): connection number,
 * software, config revision, outbox and cameras. A camera callback that fails or reports something
 * the schema refuses still leaves a valid status, without the cameras.
 */
import { check, DeviceStatus, type Outgoing, outgoing, PROTOCOL_VERSION } from '@oskartrack/protocol';
import type { Logger } from 'pino';
import type { OutboxStats } from '../outbox/outbox.ts';

export type CameraStatus = DeviceStatus['cameras'][number];

export interface StatusSource {
  deviceId: string;
  software: string;
  connection: () => number;
  configRevision: () => number;
  outbox: () => OutboxStats;
  cameras?: () => CameraStatus[];
  log: Logger;
}

/** The status of the box now, valid against the schema. */
export function deviceStatus(source: StatusSource, state: DeviceStatus['state']): DeviceStatus {
  let cameras: CameraStatus[] = [];
  try {
    cameras = source.cameras?.() ?? [];
  } catch (error) {
    source.log.error({ err: error }, 'camera state callback failed');
  }
  const status: DeviceStatus = {
    v: PROTOCOL_VERSION,
    state,
    at: Date.now(),
    connection: source.connection(),
    software: source.software,
    configRevision: source.configRevision(),
    outbox: source.outbox(),
    cameras,
  };
  const valid = check(DeviceStatus, status);
  if (valid.ok) return status;
  source.log.error({ error: valid.error }, 'device status does not match the schema; cameras left out');
  return { ...status, cameras: [], software: source.software.slice(0, 64) || 'unknown' };
}

/** The status message, ready to publish (retained, QoS 1). */
export function statusMessage(source: StatusSource, state: DeviceStatus['state']): Outgoing {
  return outgoing('status', source.deviceId, deviceStatus(source, state));
}
