import { Ack, DeviceConfig, MAX_PAYLOAD_BYTES, topics } from '@oskartrack/protocol';
import { openSignedAs } from '@oskartrack/protocol/signing';
import { describe, expect, it } from 'vitest';
import { newHubKey } from '../../../agent/test/support/hub-key.ts';
import { signedPayload } from '../../src/broker/signed-publish.ts';

const key = newHubKey();

describe('what the hub publishes', () => {
  it('is signed for its topic on every channel a box acts on', () => {
    const ack = JSON.stringify({ v: 1, upToSeq: 3, at: 1 });
    const signed = signedPayload(key.privateKey, topics.ack('dev-1'), ack);
    expect(openSignedAs(Ack, key.publicKey, topics.ack('dev-1'), signed)).toEqual({
      ok: true,
      value: JSON.parse(ack),
    });
    expect(openSignedAs(Ack, key.publicKey, topics.ack('dev-2'), signed).ok).toBe(false);
    const config = {
      v: 1,
      revision: 1,
      cameras: [],
      detector: { kind: 'hog', scoreThreshold: 0.5, everyNth: 1, motionGate: false },
      live: { enabled: true, maxFps: 5 },
    };
    const signedConfig = signedPayload(
      key.privateKey,
      topics.config('dev-1'),
      Buffer.from(JSON.stringify(config)),
    );
    expect(openSignedAs(DeviceConfig, key.publicKey, topics.config('dev-1'), signedConfig)).toMatchObject({
      ok: true,
    });
    const request = signedPayload(key.privateKey, topics.request('dev-1', 'snapshot'), '{"v":1}');
    expect(JSON.parse(String(request))).toMatchObject({ v: 1, body: '{"v":1}' });
  });

  it('is left as it is elsewhere, and an empty retained payload still clears a topic', () => {
    for (const topic of [topics.events('dev-1'), topics.status('dev-1'), 'elsewhere/ack'])
      expect(signedPayload(key.privateKey, topic, '{"a":1}')).toBe('{"a":1}');
    expect(signedPayload(key.privateKey, topics.config('dev-1'), '')).toBe('');
  });

  it('refuses to sign what is not JSON, or what would be too large to deliver', () => {
    expect(() => signedPayload(key.privateKey, topics.ack('dev-1'), 'not json')).toThrow(
      /not JSON; this is a hub bug/,
    );
    const big = JSON.stringify({ pad: '"'.repeat(MAX_PAYLOAD_BYTES / 2) });
    expect(() => signedPayload(key.privateKey, topics.config('dev-1'), big)).toThrow(
      /over the .* byte limit/,
    );
  });
});
