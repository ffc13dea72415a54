/**
 * Each hub process's own id. Several hubs share one database and one broker; a watch request names
 * the hub asking (protocol `WatchRequest.hub`), so each hub's video lease on a box is its own.
 * Random per start unless given (`--instance-id`): nothing is kept under it across restarts.
 */
import { randomBytes } from 'node:crypto';
import { check, HubInstanceId } from '@oskartrack/protocol';

export function newInstanceId(): string {
  return `hub-${randomBytes(6).toString('hex')}`;
}

/** The id given, checked; a new one when none is given. */
export function instanceId(given?: string): string {
  if (given === undefined) return newInstanceId();
  if (!check(HubInstanceId, given).ok)
    throw new Error(
      `invalid hub instance id ${JSON.stringify(given)}: use 1 to 64 letters, digits, "-" or "_"`,
    );
  return given;
}
