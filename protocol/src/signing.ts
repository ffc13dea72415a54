/**
 * Signed hub messages (`@oskartrack/protocol/signing`, Node only). The hub signs what a box acts on
 * (config, ack, requests, hub status) with its Ed25519 key; the box checks the signature with the
 * public key it received at enrollment, so a broker client that is not the hub cannot forge them.
 * The signature covers the topic too: a message signed for one box or channel is refused on another.
 */
import { createPublicKey, type KeyObject, sign, verify } from 'node:crypto';
import { type Static, type TSchema, Type } from '@sinclair/typebox';
import { PROTOCOL_VERSION } from './messages.ts';
import { check, type Parsed, parsePayload } from './validate.ts';

export const SignedEnvelope = Type.Object(
  {
    v: Type.Literal(PROTOCOL_VERSION),
    /** The message itself, as JSON text: exactly the bytes that were signed. */
    body: Type.String({ minLength: 2, maxLength: 1_000_000 }),
    /** Ed25519 signature of `topic + "\n" + body`, base64. */
    sig: Type.String({ minLength: 80, maxLength: 100, pattern: '^[A-Za-z0-9+/]+={0,2}$' }),
  },
  { additionalProperties: false },
);
export type SignedEnvelope = Static<typeof SignedEnvelope>;

function signedBytes(topic: string, body: string): Buffer {
  return Buffer.from(`${topic}\n${body}`, 'utf8');
}

/** The payload to publish at `topic`: `value` as JSON, signed with the hub's private key. */
export function signMessage(privateKey: KeyObject, topic: string, value: unknown): string {
  return signText(privateKey, topic, JSON.stringify(value));
}

/** Like `signMessage`, for a message already written as JSON text: signed byte for byte. */
export function signText(privateKey: KeyObject, topic: string, body: string): string {
  const sig = sign(null, signedBytes(topic, body), privateKey).toString('base64');
  return JSON.stringify({ v: PROTOCOL_VERSION, body, sig } satisfies SignedEnvelope);
}

function verified(publicKey: KeyObject, topic: string, body: string, sig: string): boolean {
  try {
    return verify(null, signedBytes(topic, body), publicKey, Buffer.from(sig, 'base64'));
  } catch {
    return false; // a signature of the wrong length, or a key that is not Ed25519
  }
}

/** The verified message text of a signed payload received at `topic`, or why it was refused. */
export function openSigned(publicKey: KeyObject, topic: string, payload: Buffer | string): Parsed<unknown> {
  const envelope = parsePayload(SignedEnvelope, payload);
  if (!envelope.ok) return { ok: false, error: `not a signed hub message: ${envelope.error}` };
  const { body, sig } = envelope.value;
  if (!verified(publicKey, topic, body, sig))
    return {
      ok: false,
      error:
        'the signature does not match this topic and the hub key this box was enrolled with (forged, or signed for another box or channel)',
    };
  try {
    return { ok: true, value: JSON.parse(body) as unknown };
  } catch {
    return { ok: false, error: 'signed body is not JSON' };
  }
}

/** Why a signed message was not accepted: `forged` (unsigned, bad signature) or `malformed` (signed, invalid). */
export type Opened<T> = { ok: true; value: T } | { ok: false; reason: 'forged' | 'malformed'; error: string };

/** Opens a signed payload and checks it against `schema`: what a box does with every hub message. */
export function openSignedAs<S extends TSchema>(
  schema: S,
  publicKey: KeyObject,
  topic: string,
  payload: Buffer | string,
): Opened<Static<S>> {
  const opened = openSigned(publicKey, topic, payload);
  if (!opened.ok) return { ok: false, reason: 'forged', error: opened.error };
  const valid = check(schema, opened.value);
  return valid.ok ? valid : { ok: false, reason: 'malformed', error: valid.error };
}

/** The hub's public key from the base64 SPKI DER form that enrollment hands out. */
export function publicKeyFromBase64(spkiBase64: string): KeyObject {
  const key = createPublicKey({ key: Buffer.from(spkiBase64, 'base64'), format: 'der', type: 'spki' });
  if (key.asymmetricKeyType !== 'ed25519') throw new Error('the hub signing key is not an Ed25519 key');
  return key;
}

/** The base64 SPKI DER form of a public key (what enrollment hands out). */
export function publicKeyToBase64(key: KeyObject): string {
  return key.export({ format: 'der', type: 'spki' }).toString('base64');
}
