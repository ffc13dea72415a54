import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { isLoopbackHost } from '../src/addresses.ts';
import {
  CODE_ALPHABET,
  caFingerprint,
  FINGERPRINT_LENGTH,
  formatEnrollmentCode,
  splitEnrollmentCode,
} from '../src/enrollment-code.ts';

describe('enrollment codes', () => {
  it('carry the first 16 bytes of the CA hash in base32 after the random part', () => {
    const der = Buffer.from('not really a certificate, but bytes all the same');
    const fp = caFingerprint(der);
    expect(fp).toHaveLength(FINGERPRINT_LENGTH);
    expect(fp).toMatch(/^[0-9A-HJKMNP-TV-Z]+$/);
    // A different byte anywhere in the first 16 of the hash changes it.
    expect(caFingerprint(Buffer.concat([der, Buffer.from('x')]))).not.toBe(fp);
    // Read back, it is exactly the first 16 bytes of SHA-256 of the DER.
    const bits = [...fp].map((c) => CODE_ALPHABET.indexOf(c).toString(2).padStart(5, '0')).join('');
    const bytes = Buffer.from(
      Array.from({ length: 16 }, (_, i) => Number.parseInt(bits.slice(i * 8, i * 8 + 8), 2)),
    );
    expect(bytes).toEqual(createHash('sha256').update(der).digest().subarray(0, 16));

    const code = formatEnrollmentCode('7k2mqx9d4hrtwb3n', fp);
    expect(code).toBe(`7K2M-QX9D-4HRT-WB3N-${fp}`);
    expect(splitEnrollmentCode(code)).toEqual({ secret: '7K2MQX9D4HRTWB3N', fingerprint: fp });
    // As a person may type it: lower case, spaces, O for 0.
    expect(splitEnrollmentCode(` ${code.toLowerCase().replaceAll('-', ' ')} `)).toEqual({
      secret: '7K2MQX9D4HRTWB3N',
      fingerprint: fp,
    });
    expect(splitEnrollmentCode('7K2M-QX9D-4HRT-WB3N')).toEqual({ secret: '7K2MQX9D4HRTWB3N' });
  });

  it('tell loopback addresses from others', () => {
    for (const h of [
      'localhost',
      'LOCALHOST.',
      'box.localhost',
      '127.0.0.1',
      '127.8.9.10',
      '::1',
      '[::1]',
      '0:0:0:0:0:0:0:1',
      '::ffff:127.0.0.1',
      '0.0.0.0',
      '::',
    ])
      expect(isLoopbackHost(h), h).toBe(true);
    for (const h of [
      'hub.example.com',
      '192.168.1.10',
      '10.0.0.1',
      'fd00::2',
      '[fe80::1]',
      '128.0.0.1',
      'localhost.example.com',
    ])
      expect(isLoopbackHost(h), h).toBe(false);
  });
});
