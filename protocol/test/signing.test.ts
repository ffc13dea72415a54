import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { Ack, CHANNELS, HUB_STATUS_CHANNEL, isSignedTopic, topics } from '../src/index.ts';
import {
  openSigned,
  openSignedAs,
  publicKeyFromBase64,
  publicKeyToBase64,
  signMessage,
  signText,
} from '../src/signing.ts';

const hub = generateKeyPairSync('ed25519');
const other = generateKeyPairSync('ed25519');
const ack = { v: 1, upToSeq: 42, at: 1_700_000_000_000 };

describe('signed hub messages', () => {
  it('opens what the hub signed for the same topic', () => {
    const payload = signMessage(hub.privateKey, topics.ack('dev-1'), ack);
    expect(openSigned(hub.publicKey, topics.ack('dev-1'), payload)).toEqual({ ok: true, value: ack });
    expect(openSignedAs(Ack, hub.publicKey, topics.ack('dev-1'), Buffer.from(payload))).toEqual({
      ok: true,
      value: ack,
    });
  });

  it('signs JSON text byte for byte', () => {
    const body = '{"v":1,"upToSeq":7,"at":1}';
    const payload = signText(hub.privateKey, topics.ack('dev-1'), body);
    expect(JSON.parse(payload).body).toBe(body);
    expect(openSigned(hub.publicKey, topics.ack('dev-1'), payload)).toEqual({
      ok: true,
      value: JSON.parse(body),
    });
  });

  it('refuses a message signed for another device or another channel', () => {
    const payload = signMessage(hub.privateKey, topics.ack('dev-1'), ack);
    for (const topic of [topics.ack('dev-2'), topics.config('dev-1'), topics.hubStatus]) {
      const opened = openSignedAs(Ack, hub.publicKey, topic, payload);
      expect(opened).toMatchObject({ ok: false, reason: 'forged' });
      expect(opened.ok ? '' : opened.error).toMatch(/signed for another box or channel/);
    }
  });

  it('refuses a message signed with another key', () => {
    const payload = signMessage(other.privateKey, topics.ack('dev-1'), ack);
    expect(openSigned(hub.publicKey, topics.ack('dev-1'), payload)).toMatchObject({ ok: false });
  });

  it('refuses a body changed after signing', () => {
    const envelope = JSON.parse(signMessage(hub.privateKey, topics.ack('dev-1'), ack));
    envelope.body = JSON.stringify({ ...ack, upToSeq: 9_000_000 });
    expect(openSigned(hub.publicKey, topics.ack('dev-1'), JSON.stringify(envelope))).toMatchObject({
      ok: false,
    });
  });

  it.each([
    ['an unsigned message', JSON.stringify(ack)],
    ['not JSON', 'not json'],
    ['an empty payload', ''],
    [
      'a signature of the wrong length',
      JSON.stringify({ v: 1, body: JSON.stringify(ack), sig: 'A'.repeat(84) }),
    ],
    ['an extra field', JSON.stringify({ v: 1, body: '{}', sig: 'A'.repeat(88), upToSeq: 5 })],
    ['a payload over the size limit', Buffer.alloc(1_100_000, 0x20)],
  ])('refuses %s as forged', (_what, payload) => {
    const opened = openSignedAs(Ack, hub.publicKey, topics.ack('dev-1'), payload);
    expect(opened).toMatchObject({ ok: false, reason: 'forged' });
    expect(opened.ok ? '' : opened.error).toMatch(/not a signed hub message|signature/);
  });

  it('tells a signed message that does not match the schema from a forged one', () => {
    const payload = signMessage(hub.privateKey, topics.ack('dev-1'), { ...ack, upToSeq: -1 });
    expect(openSignedAs(Ack, hub.publicKey, topics.ack('dev-1'), payload)).toMatchObject({
      ok: false,
      reason: 'malformed',
    });
  });

  it('hands the public key out as base64 SPKI and reads it back', () => {
    const text = publicKeyToBase64(hub.publicKey);
    const key = publicKeyFromBase64(text);
    const payload = signMessage(hub.privateKey, topics.hubStatus, { v: 1, state: 'online', at: 1 });
    expect(openSigned(key, topics.hubStatus, payload).ok).toBe(true);
    expect(publicKeyToBase64(createPublicKey(hub.privateKey))).toBe(text);
  });

  it('refuses a public key that is not Ed25519', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 });
    expect(() => publicKeyFromBase64(publicKeyToBase64(rsa.publicKey))).toThrow(/not an Ed25519 key/);
    expect(() => publicKeyFromBase64('bm90IGEga2V5')).toThrow();
  });
});

describe('which channels are signed', () => {
  it('signs everything the hub writes and nothing the agent writes', () => {
    for (const channel of Object.values(CHANNELS)) expect(channel.signed).toBe(channel.from === 'hub');
    expect(HUB_STATUS_CHANNEL.signed).toBe(true);
  });

  it('tells a signed topic from the others', () => {
    for (const topic of [topics.ack('dev-1'), topics.config('dev-1'), topics.request('dev-1', 'snapshot')])
      expect(isSignedTopic(topic)).toBe(true);
    for (const topic of [
      topics.events('dev-1'),
      topics.status('dev-1'),
      topics.live('dev-1', 'c'),
      'elsewhere/ack',
    ])
      expect(isSignedTopic(topic)).toBe(false);
  });
});
