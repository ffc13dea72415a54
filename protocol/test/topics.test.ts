import { describe, expect, it } from 'vitest';
import { CHANNELS, parseTopic, topics } from '../src/index.ts';

describe('topic tree', () => {
  it('builds every device topic under the versioned root', () => {
    expect(topics.status('dev-1')).toBe('oskartrack/v1/devices/dev-1/status');
    expect(topics.events('dev-1')).toBe('oskartrack/v1/devices/dev-1/events');
    expect(topics.ack('dev-1')).toBe('oskartrack/v1/devices/dev-1/ack');
    expect(topics.config('dev-1')).toBe('oskartrack/v1/devices/dev-1/config');
    expect(topics.live('dev-1', 'cam-2')).toBe('oskartrack/v1/devices/dev-1/live/cam-2');
    expect(topics.request('dev-1', 'snapshot')).toBe('oskartrack/v1/devices/dev-1/request/snapshot');
    expect(topics.hubStatus).toBe('oskartrack/v1/hub/status');
  });

  it.each(['a/b', '+', '#', '', 'x'.repeat(65), 'dev 1'])('refuses the unsafe device id %j', (id) => {
    expect(() => topics.status(id)).toThrow(/invalid device id/);
  });

  it.each([
    ['oskartrack/v1/devices/dev-1/status', { deviceId: 'dev-1', channel: 'status' }],
    ['oskartrack/v1/devices/dev-1/events', { deviceId: 'dev-1', channel: 'events' }],
    ['oskartrack/v1/devices/dev-1/live/cam-2', { deviceId: 'dev-1', channel: 'live', sub: 'cam-2' }],
    [
      'oskartrack/v1/devices/dev-1/response/snapshot',
      { deviceId: 'dev-1', channel: 'response', sub: 'snapshot' },
    ],
  ])('parses %s', (topic, expected) => {
    expect(parseTopic(topic)).toEqual(expected);
  });

  it.each([
    'oskartrack/v2/devices/dev-1/status',
    'oskartrack/v1/devices/dev-1/unknown',
    'oskartrack/v1/devices/dev-1/status/extra',
    'oskartrack/v1/devices/dev-1/live',
    'oskartrack/v1/hub/status',
    'other/v1/devices/dev-1/status',
  ])('ignores %s', (topic) => {
    expect(parseTopic(topic)).toBeUndefined();
  });

  it('marks retained channels: status and config only', () => {
    const retained = Object.entries(CHANNELS)
      .filter(([, c]) => c.retain)
      .map(([name]) => name);
    expect(retained.sort()).toEqual(['config', 'status']);
  });
});
