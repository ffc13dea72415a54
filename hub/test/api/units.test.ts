import { describe, expect, it } from 'vitest';
import { csvField, csvLine } from '../../src/api/csv.ts';
import {
  generateEnrollmentCode,
  hashEnrollmentCode,
  hashSecret,
  normalizeEnrollmentCode,
  verifySecret,
} from '../../src/api/secrets.ts';
import { parseIpv4, parseIpv6, redactSource } from '../../src/api/sources.ts';

describe('CSV', () => {
  it('quotes commas, quotes and line breaks, and defuses formulas', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
    expect(csvField('+1')).toBe("'+1");
    expect(csvField(-5)).toBe('-5');
    expect(csvField(null)).toBe('');
    expect(csvField(Number.NaN)).toBe('');
    expect(csvField(new Date(0))).toBe('1970-01-01T00:00:00.000Z');
    expect(csvLine(['a', 1, true, undefined])).toBe('a,1,true,\r\n');
  });
});

describe('addresses', () => {
  it('reads IPv4 literals in every inet_aton form', () => {
    expect(parseIpv4('169.254.169.254')).toEqual([169, 254, 169, 254]);
    expect(parseIpv4('2852039166')).toEqual([169, 254, 169, 254]);
    expect(parseIpv4('0xa9fea9fe')).toEqual([169, 254, 169, 254]);
    expect(parseIpv4('0251.0376.0251.0376')).toEqual([169, 254, 169, 254]);
    expect(parseIpv4('169.254.43518')).toEqual([169, 254, 169, 254]);
    expect(parseIpv4('127.1')).toEqual([127, 0, 0, 1]);
    expect(parseIpv4('256.1.1.1')).toBeUndefined();
    expect(parseIpv4('cam.local')).toBeUndefined();
    expect(parseIpv4('4294967296')).toBeUndefined();
  });

  it('reads IPv6 literals, with embedded IPv4', () => {
    expect(parseIpv6('::1')).toEqual([0, 0, 0, 0, 0, 0, 0, 1]);
    expect(parseIpv6('fe80::1%eth0')).toEqual([0xfe80, 0, 0, 0, 0, 0, 0, 1]);
    expect(parseIpv6('::ffff:169.254.169.254')).toEqual([0, 0, 0, 0, 0, 0xffff, 0xa9fe, 0xa9fe]);
    expect(parseIpv6('2001:db8::')).toEqual([0x2001, 0xdb8, 0, 0, 0, 0, 0, 0]);
    expect(parseIpv6('1:2:3:4:5:6:7:8')).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(parseIpv6('1::2::3')).toBeUndefined();
    expect(parseIpv6('10.0.0.1')).toBeUndefined();
  });

  it('hides passwords in camera addresses', () => {
    expect(redactSource('rtsp://admin:hunter2@10.0.0.2:554/s')).toBe('rtsp://admin:***@10.0.0.2:554/s');
    expect(redactSource('rtsp://10.0.0.2/s')).toBe('rtsp://10.0.0.2/s');
    expect(redactSource('0')).toBe('0');
  });
});

describe('secrets', () => {
  it('hashes with argon2id and verifies; enrollment codes are forgiving to type', async () => {
    const hash = await hashSecret('s3cret-value');
    expect(hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(await verifySecret(hash, 's3cret-value')).toBe(true);
    expect(await verifySecret(hash, 'wrong')).toBe(false);
    expect(await verifySecret('not a hash', 'x')).toBe(false);
    const code = generateEnrollmentCode();
    expect(code).toMatch(/^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}$/);
    expect(normalizeEnrollmentCode('ab1o-il 00')).toBe('AB10110' + '0');
    expect(hashEnrollmentCode(code.toLowerCase().replaceAll('-', ' '))).toBe(hashEnrollmentCode(code));
    // Only the random part is hashed: the CA fingerprint after it is public.
    expect(hashEnrollmentCode(`${code}-${'A'.repeat(26)}`)).toBe(hashEnrollmentCode(code));
  });
});
