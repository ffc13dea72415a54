/**
 * Secrets the hub hands out (device MQTT passwords, enrollment codes, refresh tokens) and how they are
 * kept: passwords and device secrets as argon2id hashes; enrollment codes and refresh tokens, which are
 * long random values, as SHA-256 (fast to look up, nothing to brute-force).
 */
import { createHash, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import { type Algorithm, hash, verify } from '@node-rs/argon2';
import {
  CODE_ALPHABET,
  CODE_RANDOM_LENGTH,
  formatEnrollmentCode,
  normalizeCode,
  splitEnrollmentCode,
} from '@oskartrack/protocol/enrollment-code';

export const normalizeEnrollmentCode = normalizeCode;

/** argon2id with OWASP's minimum (19 MiB, 2 passes, 1 lane). */
const ARGON2ID = 2 as Algorithm;
export const ARGON2_OPTIONS = { algorithm: ARGON2ID, memoryCost: 19_456, timeCost: 2, parallelism: 1 };

/** A random secret, base64url (32 bytes: 43 characters). */
export function generateSecret(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

/** An argon2id hash (PHC string) of a secret or password. */
export function hashSecret(secret: string): Promise<string> {
  if (secret.length === 0) throw new Error('cannot hash an empty secret');
  return hash(secret, ARGON2_OPTIONS);
}

/** Longest secret or password `verifySecret` looks at; anything longer is refused before hashing. */
export const MAX_SECRET_LENGTH = 256;

/** Checks a secret against its argon2 hash; false (never a throw) for a wrong secret or a malformed hash. */
export async function verifySecret(hashed: string, secret: string): Promise<boolean> {
  if (secret.length === 0 || secret.length > MAX_SECRET_LENGTH || !hashed.startsWith('$argon2')) return false;
  try {
    return await verify(hashed, secret);
  } catch {
    return false;
  }
}

export function sha256(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

/** Constant-time comparison of two hex digests. */
export function sameDigest(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && x.length > 0 && timingSafeEqual(x, y);
}

/** A one-time enrollment code's random part such as `7K2M-QX9D-4HRT-WB3N` (80 random bits). */
export function generateEnrollmentCode(): string {
  const chars = Array.from(
    { length: CODE_RANDOM_LENGTH },
    () => CODE_ALPHABET[randomInt(CODE_ALPHABET.length)],
  );
  return formatEnrollmentCode(chars.join(''));
}

/** What is hashed: the random part only, normalized (the CA fingerprint after it is public). */
export function hashEnrollmentCode(code: string): string {
  return sha256(`enroll:${splitEnrollmentCode(code).secret}`);
}

/** A random password for a generated account (24 characters). */
export function generatePassword(): string {
  return randomBytes(18).toString('base64url');
}
