import { describe, expect, it } from 'vitest';
import { fastifyTrustProxy, parseTrustProxy } from '../src/trust-proxy.ts';

describe('parseTrustProxy', () => {
  it('reads true/false, a hop count, and addresses or CIDR ranges', () => {
    expect(parseTrustProxy('true')).toBe(true);
    expect(parseTrustProxy('ON')).toBe(true);
    expect(parseTrustProxy('false')).toBe(false);
    expect(parseTrustProxy('0')).toBe(false);
    expect(parseTrustProxy('2')).toBe(2);
    expect(parseTrustProxy(' 10.0.0.1, 192.168.0.0/16,::1,fd00::/8, loopback ')).toEqual([
      '10.0.0.1',
      '192.168.0.0/16',
      '::1',
      'fd00::/8',
      'loopback',
    ]);
  });

  it('refuses what is not an address, naming the setting and what to give', () => {
    expect(() => parseTrustProxy('proxy.example.com', 'OSKARTRACK_TRUST_PROXY')).toThrow(
      /OSKARTRACK_TRUST_PROXY: "proxy.example.com" is not an address or CIDR range; give true/,
    );
    expect(() => parseTrustProxy('10.0.0.0/33')).toThrow(/--trust-proxy: "10.0.0.0\/33"/);
    expect(() => parseTrustProxy('10.0.0.1/8/1')).toThrow(/not an address/);
    expect(() => parseTrustProxy('10.0.0.1, maybe')).toThrow(/"maybe"/);
  });
});

describe('fastifyTrustProxy', () => {
  it('passes addresses through and turns a hop count into a function of the hop', () => {
    expect(fastifyTrustProxy(['10.0.0.1'])).toEqual(['10.0.0.1']);
    expect(fastifyTrustProxy(false)).toBe(false);
    const hops = fastifyTrustProxy(2);
    if (typeof hops !== 'function') throw new Error('expected a function');
    expect([0, 1, 2].map((hop) => hops('10.0.0.1', hop))).toEqual([true, true, false]);
  });
});
