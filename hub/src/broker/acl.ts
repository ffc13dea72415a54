/**
 * What a device may do on the hub's broker: publish only on its own agent channels, subscribe only to
 * its own hub channels and the hub status. Pure functions, so the rules are tested without a broker.
 */
import { CHANNELS, parseTopic, topics } from '@oskartrack/protocol';

export type Decision = { ok: true } | { ok: false; reason: string };

const ALLOW: Decision = { ok: true };
const deny = (reason: string): Decision => ({ ok: false, reason });

/**
 * A device may publish under `oskartrack/v1/devices/{its id}/...` on the channels the protocol says
 * come from the agent (status, events, live/{camera}, response/{name}); retained only where the
 * channel is retained (status), so a device cannot park data in the broker's memory.
 */
export function devicePublishDecision(deviceId: string, topic: string, retain: boolean): Decision {
  const parsed = parseTopic(topic);
  if (!parsed) return deny('topic outside the device tree');
  if (parsed.deviceId !== deviceId) return deny("another device's topic");
  const channel = CHANNELS[parsed.channel];
  if (channel.from !== 'agent') return deny(`the ${parsed.channel} channel is the hub's`);
  if (retain && !channel.retain) return deny(`the ${parsed.channel} channel is not retained`);
  return ALLOW;
}

/**
 * A device may subscribe to its own ack, config and request channels (`request/+` or one request
 * name) and to the global hub status: nothing with `#`, nothing of another device.
 */
export function deviceSubscribeDecision(deviceId: string, pattern: string): Decision {
  if (pattern === topics.hubStatus) return ALLOW;
  let own: string[];
  try {
    own = [topics.ack(deviceId), topics.config(deviceId), `${topics.deviceRoot(deviceId)}/request/+`];
  } catch {
    return deny('invalid device id');
  }
  if (own.includes(pattern)) return ALLOW;
  const parsed = parseTopic(pattern); // wildcards are not valid segments, so `+` never parses here
  if (parsed?.deviceId === deviceId && parsed.channel === 'request') return ALLOW;
  return deny('not one of the device subscriptions');
}

/** Whether an MQTT topic matches a subscription pattern (`+` one level, `#` the rest). */
export function topicMatches(pattern: string, topic: string): boolean {
  if (topic.startsWith('$') && (pattern.startsWith('+') || pattern.startsWith('#'))) return false;
  const p = pattern.split('/');
  const t = topic.split('/');
  for (let i = 0; i < p.length; i++) {
    const level = p[i];
    if (level === '#') return i === p.length - 1;
    if (i >= t.length) return false;
    if (level !== '+' && level !== t[i]) return false;
  }
  return p.length === t.length;
}
