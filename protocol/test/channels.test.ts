import { describe, expect, it } from 'vitest';
import { CHANNELS, channelTopic, incoming, outgoing, PROTOCOL_VERSION } from '../src/index.ts';

describe('typed channels', () => {
  it('carries the topic, QoS and retain flag of the channel table', () => {
    const ack = outgoing('ack', 'box-1', { v: PROTOCOL_VERSION, upToSeq: 7, at: 1 });
    expect(ack).toEqual({
      topic: 'oskartrack/v1/devices/box-1/ack',
      payload: JSON.stringify({ v: PROTOCOL_VERSION, upToSeq: 7, at: 1 }),
      qos: CHANNELS.ack.qos,
      retain: CHANNELS.ack.retain,
    });
    expect(channelTopic('live', 'box-1', 'cam-2')).toBe('oskartrack/v1/devices/box-1/live/cam-2');
  });

  it('refuses a value that does not match its channel, and a wrong sub-topic', () => {
    expect(() => outgoing('ack', 'box-1', { v: PROTOCOL_VERSION, upToSeq: -1, at: 1 })).toThrow(/ack/);
    expect(() => channelTopic('live', 'box-1')).toThrow(/needs/);
    expect(() => channelTopic('ack', 'box-1', 'x')).toThrow(/takes no/);
    expect(() => channelTopic('live', 'box-1', 'a/b')).toThrow(/camera id/);
  });

  it('parses what arrives and says why it refuses', () => {
    const ok = incoming('ack', JSON.stringify({ v: PROTOCOL_VERSION, upToSeq: 3, at: 2 }));
    expect(ok).toEqual({ ok: true, value: { v: PROTOCOL_VERSION, upToSeq: 3, at: 2 } });
    expect(incoming('ack', '{"v":1}').ok).toBe(false);
    expect(incoming('ack', 'not json').ok).toBe(false);
  });
});
