import { describe, expect, it } from 'vitest';
import { liveChannel } from '../../src/cluster/live-bridge.ts';

describe('liveChannel', () => {
  it('names the channel after the schema', () => {
    expect(liveChannel(undefined)).toBe('oskartrack_live_public');
    expect(liveChannel('chain_a')).toBe('oskartrack_live_chain_a');
  });

  it('keeps long schema names that share their first 63 bytes apart, within the identifier limit', () => {
    const start = 'x'.repeat(60);
    const a = liveChannel(`${start}_north`);
    const b = liveChannel(`${start}_south`);
    expect(a).not.toBe(b);
    expect(Buffer.byteLength(a)).toBeLessThanOrEqual(63);
    expect(Buffer.byteLength(b)).toBeLessThanOrEqual(63);
  });
});
