/**
 * The hub's Ed25519 signing key: made on first start in `<dataDir>/hub-signing-key.pem` (mode 0600),
 * used to sign every config, ack and request a box acts on. Boxes get the public half at enrollment.
 */
import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  randomBytes,
} from 'node:crypto';
import { link, mkdir, readFile, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { publicKeyToBase64 } from '@oskartrack/protocol/signing';

export interface SigningKey {
  privateKey: KeyObject;
  /** SPKI DER, base64: what the enrollment reply carries. */
  publicKeyBase64: string;
}

export const signingKeyPath = (dataDir: string) => join(dataDir, 'hub-signing-key.pem');

function fromPrivate(privateKey: KeyObject): SigningKey {
  if (privateKey.asymmetricKeyType !== 'ed25519') throw new Error('the hub signing key must be Ed25519');
  return { privateKey, publicKeyBase64: publicKeyToBase64(createPublicKey(privateKey)) };
}

/** Loads the hub's signing key, or makes one (several hubs sharing a data folder share the key). */
export async function loadOrCreateSigningKey(dataDir: string): Promise<SigningKey> {
  const path = signingKeyPath(dataDir);
  try {
    return fromPrivate(createPrivateKey(await readFile(path, 'utf8')));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT')
      throw new Error(
        `${path} is not a usable signing key (${(error as Error).message}); move it away to make a new one`,
      );
  }
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const { privateKey } = generateKeyPairSync('ed25519');
  const pem = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
  // Written whole under a private name, then linked into place: two hubs starting at once on one
  // folder never overwrite each other's key, and neither ever reads a half-written file.
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  await writeFile(tmp, pem, { mode: 0o600, flag: 'wx' });
  try {
    await link(tmp, path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return loadOrCreateSigningKey(dataDir);
    throw error;
  } finally {
    await unlink(tmp).catch(() => undefined);
  }
  return fromPrivate(privateKey);
}
