/**
 * Typed access to the channel table: what a channel carries, its topic, QoS and retain flag, in one
 * call, so no publisher hard-codes `{ qos, retain }` or builds JSON by hand. Signing (for the channels
 * CHANNELS marks `signed`) happens below this, in the hub's bus; the box opens them in its link.
 */
import type { Static } from '@sinclair/typebox';
import { CHANNELS, type Channel, STORE_ALERTS_CHANNEL, topics } from './topics.ts';
import { assertValid, type Parsed, parsePayload } from './validate.ts';

/** The payload type a channel carries. */
export type PayloadOf<C extends Channel> = Static<(typeof CHANNELS)[C]['schema']>;

/** A message ready for an MQTT client: topic, JSON text, and the channel's QoS and retain flag. */
export interface Outgoing {
  topic: string;
  payload: string;
  qos: 0 | 1;
  retain: boolean;
}

/** The topic of `channel` for one device; `sub` is the camera id (live, video) or request name (request, response). */
export function channelTopic(channel: Channel, deviceId: string, sub?: string): string {
  switch (channel) {
    case 'live':
    case 'request':
    case 'response':
    case 'video':
      if (sub === undefined) throw new Error(`channel ${channel} needs a sub-topic`);
      return topics[channel](deviceId, sub);
    default:
      if (sub !== undefined) throw new Error(`channel ${channel} takes no sub-topic`);
      return topics[channel](deviceId);
  }
}

/** Serialises `value` for `channel`; throws when it does not match the schema (our own code built it). */
export function outgoing<C extends Channel>(
  channel: C,
  deviceId: string,
  value: PayloadOf<C>,
  sub?: string,
): Outgoing {
  const { schema, qos, retain } = CHANNELS[channel];
  assertValid(schema, value, `${channel} message`);
  return { topic: channelTopic(channel, deviceId, sub), payload: JSON.stringify(value), qos, retain };
}

/** Parses and checks a payload received on `channel` (size, JSON, schema); never throws. */
export function incoming<C extends Channel>(channel: C, payload: Uint8Array | string): Parsed<PayloadOf<C>> {
  return parsePayload(CHANNELS[channel].schema, payload) as Parsed<PayloadOf<C>>;
}

/** An alert notice for a store's alert topic, ready for an MQTT client; throws when it does not match. */
export function outgoingAlert(storeId: string, notice: Static<typeof STORE_ALERTS_CHANNEL.schema>): Outgoing {
  const { schema, qos, retain } = STORE_ALERTS_CHANNEL;
  assertValid(schema, notice, 'alert notice');
  return { topic: topics.storeAlerts(storeId), payload: JSON.stringify(notice), qos, retain };
}
