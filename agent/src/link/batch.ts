/**
 * One `events` message: as many of the outbox's next events as fit MAX_PAYLOAD_BYTES, measured one
 * event at a time and serialised once, through the channel table (schema, topic, QoS).
 */
import {
  type EventBatch,
  MAX_PAYLOAD_BYTES,
  type Outgoing,
  outgoing,
  PROTOCOL_VERSION,
  type SequencedEvent,
} from '@oskartrack/protocol';

/** Bytes of the envelope around the events (`{"v":1,"sentAt":...,"floor":...,"events":[]}`), with slack. */
const ENVELOPE_BYTES = 96;

export interface BuiltBatch {
  message: Outgoing;
  first: number;
  last: number;
  count: number;
}

/** How many of `events` (at least one) fit one payload together with the envelope. */
export function eventsThatFit(events: readonly SequencedEvent[], maxBytes = MAX_PAYLOAD_BYTES): number {
  let bytes = ENVELOPE_BYTES;
  let count = 0;
  for (const event of events) {
    const size = Buffer.byteLength(JSON.stringify(event)) + 1; // + the comma
    if (count > 0 && bytes + size > maxBytes) break;
    bytes += size;
    count++;
  }
  return count;
}

/**
 * The batch message for the first events of `events` that fit. `firstUnacked` is the outbox's oldest
 * seq: the batch's `floor` tells the hub nothing below it will ever come (dropped when full).
 */
export function buildBatch(
  deviceId: string,
  events: readonly SequencedEvent[],
  firstUnacked: number | undefined,
  sentAt: number = Date.now(),
): BuiltBatch {
  if (events.length === 0) throw new Error('a batch needs at least one event');
  const count = eventsThatFit(events);
  const taken = events.slice(0, count);
  const first = taken[0]!.seq;
  const last = taken[count - 1]!.seq;
  const batch: EventBatch = {
    v: PROTOCOL_VERSION,
    sentAt,
    floor: Math.min(first, firstUnacked ?? first),
    events: taken,
  };
  return { message: outgoing('events', deviceId, batch), first, last, count };
}
