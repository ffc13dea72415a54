import { incoming, MAX_PAYLOAD_BYTES, type SequencedEvent } from '@oskartrack/protocol';
import { describe, expect, it } from 'vitest';
import { buildBatch, eventsThatFit } from '../../src/link/batch.ts';
import { crossing } from '../outbox/helpers.ts';

function sequenced(from: number, count: number): SequencedEvent[] {
  return Array.from({ length: count }, (_, i) => ({ seq: from + i, event: crossing(from + i) }));
}

describe('batch', () => {
  it('takes every event that fits and at least one', () => {
    const events = sequenced(1, 10);
    const one = Buffer.byteLength(JSON.stringify(events[0])) + 1;
    expect(eventsThatFit(events)).toBe(10);
    expect(eventsThatFit(events, 96 + 3 * one)).toBe(3);
    expect(eventsThatFit(events, 10)).toBe(1);
  });

  it('builds an events message the hub can read, within MAX_PAYLOAD_BYTES', () => {
    const built = buildBatch('box-1', sequenced(1, 500), 1, 42);
    expect(built).toMatchObject({ first: 1, last: 500, count: 500 });
    expect(Buffer.byteLength(built.message.payload)).toBeLessThanOrEqual(MAX_PAYLOAD_BYTES);
    const parsed = incoming('events', built.message.payload);
    expect(parsed.ok && parsed.value.events.map((e) => e.seq)).toEqual(sequenced(1, 500).map((e) => e.seq));
  });

  it('sets the floor to the oldest waiting seq, never above the first one sent', () => {
    expect(JSON.parse(buildBatch('box-1', sequenced(5, 2), 3).message.payload)).toMatchObject({ floor: 3 });
    expect(JSON.parse(buildBatch('box-1', sequenced(5, 2), undefined).message.payload)).toMatchObject({
      floor: 5,
    });
  });
});
