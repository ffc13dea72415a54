// A hub signing key for tests: what the test plays as the hub signs with `privateKey`, the box under
// test checks with `publicKey` (one key per test process; another process gets `publicKeyBase64`).
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { publicKeyToBase64, signMessage } from '@oskartrack/protocol/signing';

export interface HubKey {
  privateKey: KeyObject;
  publicKey: KeyObject;
  publicKeyBase64: string;
}

/** A fresh Ed25519 key pair, e.g. a forger's. */
export function newHubKey(): HubKey {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return { privateKey, publicKey, publicKeyBase64: publicKeyToBase64(publicKey) };
}

export const TEST_HUB_KEY: HubKey = newHubKey();

/** `value` signed for `topic` as the hub would publish it (with `key`, default TEST_HUB_KEY). */
export function hubSigned(topic: string, value: unknown, key: HubKey = TEST_HUB_KEY): string {
  return signMessage(key.privateKey, topic, value);
}
