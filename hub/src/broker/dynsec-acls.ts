/**
 * The broker roles the hub keeps in Mosquitto's dynamic security: one for the hub, one per device.
 * The same rules as the embedded broker's (acl.ts), derived from the protocol's channel table:
 * a device publishes only its own agent channels and subscribes only to its own hub channels and the
 * hub status; only the hub writes a device's ack, config and requests and the hub status.
 * Pure functions, tested without a broker.
 */
import { CHANNELS, type Channel, SUB_CHANNELS, TOPIC_ROOT, topics } from '@oskartrack/protocol';
import type { Acl } from './dynsec.ts';

export const HUB_ROLE = 'oskartrack-hub';
/** Every device's role name starts with this; the hub owns every role and client that has it. */
export const DEVICE_ROLE_PREFIX = 'oskartrack-device-';
/** The text name of device accounts, so an administrator can tell them apart in `listClients`. */
export const DEVICE_TEXT_NAME = 'OskarTrack box (managed by the hub)';

export function deviceRoleName(deviceId: string): string {
  return `${DEVICE_ROLE_PREFIX}${deviceId}`;
}

/** The device id of a role the hub made, or undefined for any other role. */
export function deviceIdOfRole(rolename: string): string | undefined {
  return rolename.startsWith(DEVICE_ROLE_PREFIX) ? rolename.slice(DEVICE_ROLE_PREFIX.length) : undefined;
}

/** What one device may do: publish its own agent channels, subscribe its own hub channels. */
export function deviceAcls(deviceId: string): Acl[] {
  const root = topics.deviceRoot(deviceId); // throws on an id that is not a safe topic segment
  const acls: Acl[] = [];
  for (const [name, channel] of Object.entries(CHANNELS) as [Channel, (typeof CHANNELS)[Channel]][]) {
    const topic = SUB_CHANNELS.has(name) ? `${root}/${name}/+` : `${root}/${name}`;
    if (channel.from === 'agent') acls.push({ acltype: 'publishClientSend', topic, allow: true });
    else acls.push({ acltype: 'subscribePattern', topic, allow: true });
  }
  acls.push({ acltype: 'subscribeLiteral', topic: topics.hubStatus, allow: true });
  return acls;
}

/**
 * The hub reads and writes the whole tree, through shared subscriptions too (Mosquitto checks a
 * `$share/{group}/...` filter as written, so it needs its own pattern).
 */
export function hubAcls(): Acl[] {
  const tree = `${TOPIC_ROOT}/#`;
  return [
    { acltype: 'publishClientSend', topic: tree, allow: true },
    { acltype: 'publishClientReceive', topic: tree, allow: true },
    { acltype: 'subscribePattern', topic: tree, allow: true },
    { acltype: 'subscribePattern', topic: `$share/+/${tree}`, allow: true },
    { acltype: 'unsubscribePattern', topic: tree, allow: true },
    { acltype: 'unsubscribePattern', topic: `$share/+/${tree}`, allow: true },
  ];
}
