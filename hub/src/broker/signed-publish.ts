/**
 * The hub signs every message a box acts on: whatever it publishes on a channel that CHANNELS marks
 * `signed` (ack, config, requests) leaves here in an Ed25519 envelope bound to the topic. Both buses
 * call this in `publish`, so no publisher can forget; the retained hub status is signed where it is
 * built (`hubStatusPayload`), as its topic is outside the device tree.
 */
import type { KeyObject } from 'node:crypto';
import { isSignedTopic, MAX_PAYLOAD_BYTES } from '@oskartrack/protocol';
import { signText } from '@oskartrack/protocol/signing';

/** The payload to put on the wire for `topic`: signed on a signed channel, unchanged elsewhere. */
export function signedPayload(key: KeyObject, topic: string, payload: string | Buffer): string | Buffer {
  // An empty retained payload clears the topic (a deleted device's config): nothing to sign.
  if (!isSignedTopic(topic) || payload.length === 0) return payload;
  const text = typeof payload === 'string' ? payload : payload.toString('utf8');
  try {
    JSON.parse(text);
  } catch {
    throw new Error(`refusing to sign a message for ${topic} that is not JSON; this is a hub bug`);
  }
  const signed = signText(key, topic, text);
  if (Buffer.byteLength(signed) > MAX_PAYLOAD_BYTES)
    throw new Error(
      `the signed message for ${topic} is over the ${MAX_PAYLOAD_BYTES} byte limit; make the configuration smaller (fewer areas or points)`,
    );
  return signed;
}
