/**
 * Enrollment codes (`@oskartrack/protocol/enrollment-code`, Node only). The code the dashboard shows
 * is a one-time random part followed by the fingerprint of the hub's certificate authority:
 * `7K2M-QX9D-4HRT-WB3N-<26 characters>`. The hub keeps only a hash of the random part; the box checks
 * the fingerprint against the certificate authority the hub presents, so it talks to that hub only.
 * A code without the fingerprint part works only with a hub started with `--insecure`.
 */
import { createHash } from 'node:crypto';

/** Crockford's base32 without I, L, O, U: easy to read out and type on a small box. */
export const CODE_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
/** Characters of the random part (80 bits). */
export const CODE_RANDOM_LENGTH = 16;
/** Bytes of SHA-256 the fingerprint keeps (128 bits), and its length in characters. */
export const FINGERPRINT_BYTES = 16;
export const FINGERPRINT_LENGTH = Math.ceil((FINGERPRINT_BYTES * 8) / 5);

function base32(bytes: Uint8Array): string {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += CODE_ALPHABET[(buffer >> (bits - 5)) & 31];
      bits -= 5;
    }
    buffer &= (1 << bits) - 1;
  }
  if (bits > 0) out += CODE_ALPHABET[(buffer << (5 - bits)) & 31];
  return out;
}

/** The fingerprint of a certificate authority (its DER bytes) as enrollment codes carry it. */
export function caFingerprint(der: Uint8Array): string {
  return base32(createHash('sha256').update(der).digest().subarray(0, FINGERPRINT_BYTES));
}

/** Upper case, no spaces or dashes, I/L read as 1 and O as 0 (what a person may have typed). */
export function normalizeCode(code: string): string {
  return code.toUpperCase().replace(/[\s-]/g, '').replace(/[IL]/g, '1').replace(/O/g, '0');
}

export interface EnrollmentCodeParts {
  /** The random one-time part, normalized: the hub hashes only this. */
  secret: string;
  /** The hub's CA fingerprint, when the code carries one. */
  fingerprint?: string;
}

/** Splits a code as typed into its random part and the CA fingerprint, when it has one. */
export function splitEnrollmentCode(code: string): EnrollmentCodeParts {
  const normalized = normalizeCode(code);
  if (normalized.length !== CODE_RANDOM_LENGTH + FINGERPRINT_LENGTH) return { secret: normalized };
  return {
    secret: normalized.slice(0, CODE_RANDOM_LENGTH),
    fingerprint: normalized.slice(CODE_RANDOM_LENGTH),
  };
}

/** The code to show: the random part in groups of four, then the fingerprint when there is one. */
export function formatEnrollmentCode(secret: string, fingerprint?: string): string {
  const groups = normalizeCode(secret).match(/.{1,4}/g) ?? [];
  return [...groups, ...(fingerprint ? [fingerprint] : [])].join('-');
}
