/**
 * Typed channel access on any MessageBus: `send` publishes a hub channel's message (topic, JSON, QoS
 * and retain from the channel table; signed below, by the bus) and `on` delivers an agent channel's
 * messages parsed against their schema, with the device id and sub-topic already taken from the
 * topic. Callers never build a topic, a JSON text or `{ qos, retain }` by hand.
 */
import {
  CHANNELS,
  type Channel,
  channelTopic,
  incoming,
  outgoing,
  type Parsed,
  type PayloadOf,
  parseTopic,
  topics,
} from '@oskartrack/protocol';
import type { InboundMessage, MessageBus } from './bus.ts';

type ChannelFrom<W extends 'agent' | 'hub'> = {
  [C in Channel]: (typeof CHANNELS)[C]['from'] extends W ? C : never;
}[Channel];

/** Channels the hub writes (ack, config, request). */
export type HubChannel = ChannelFrom<'hub'>;
/** Channels the boxes write and the hub reads (status, events, live, response). */
export type AgentChannel = ChannelFrom<'agent'>;

/**
 * What a channel handler gets: the device, the payload checked against the channel's schema (a
 * failure says why, for the handler to report), the camera id or request name, and the raw message.
 */
export type ChannelHandler<C extends AgentChannel> = (
  deviceId: string,
  parsed: Parsed<PayloadOf<C>>,
  sub: string | undefined,
  message: InboundMessage,
) => void | Promise<void>;

/** Publishes `value` on a hub channel of `deviceId`; throws when it does not match the schema. */
export function send<C extends HubChannel>(
  bus: MessageBus,
  channel: C,
  deviceId: string,
  value: PayloadOf<C>,
  sub?: string,
): Promise<void> {
  const message = outgoing(channel, deviceId, value, sub);
  return bus.publish(message.topic, message.payload, message);
}

/** Clears a retained hub channel of `deviceId` (an empty payload), e.g. a deleted device's config. */
export function clearRetained(bus: MessageBus, channel: HubChannel, deviceId: string): Promise<void> {
  const { qos, retain } = CHANNELS[channel];
  if (!retain) throw new Error(`channel ${channel} is not retained: nothing to clear`);
  return bus.publish(channelTopic(channel, deviceId), '', { qos, retain });
}

export interface OnOptions {
  /**
   * Checked before the payload is parsed: a message it refuses is dropped unparsed (an empty retained
   * message that only clears a topic; live boxes while nobody watches).
   */
  accept?: (message: InboundMessage) => boolean;
}

/**
 * Subscribes to an agent channel of every device. Messages whose topic is not a device topic of this
 * channel (a broker's misrouting), or that `options.accept` refuses, are not handed on.
 */
export function on<C extends AgentChannel>(
  bus: MessageBus,
  channel: C,
  handler: ChannelHandler<C>,
  options: OnOptions = {},
): Promise<void> {
  return bus.subscribe(topics.all[channel], (message) => {
    const topic = parseTopic(message.topic);
    if (topic?.channel !== channel) return;
    if (options.accept && !options.accept(message)) return;
    return handler(topic.deviceId, incoming(channel, message.payload), topic.sub, message);
  });
}
