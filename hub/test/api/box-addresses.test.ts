import { describe, expect, it } from 'vitest';
import { AddressError, boxAddresses, type EnrollmentSettings } from '../../src/api/box-addresses.ts';

const TLS = { caPem: 'pem', caFingerprint: 'F'.repeat(26) };
const embedded = (overrides: Partial<EnrollmentSettings> = {}): EnrollmentSettings => ({
  tls: TLS,
  broker: { port: 8883, tls: true },
  signingKey: 'key',
  ...overrides,
});

describe('the addresses enrollment hands a box', () => {
  it('come from the Host the box called: same HTTPS port, the broker on its real port', () => {
    expect(boxAddresses(embedded(), { host: '192.168.7.20:8080', clientIp: '192.168.7.31' })).toEqual({
      hubUrl: 'https://192.168.7.20:8080',
      mqttUrl: 'mqtts://192.168.7.20:8883',
    });
    expect(boxAddresses(embedded(), { host: '[fd00::20]:8080', clientIp: 'fd00::31' })).toEqual({
      hubUrl: 'https://[fd00::20]:8080',
      mqttUrl: 'mqtts://[fd00::20]:8883',
    });
    const plain = embedded({ tls: undefined, broker: { port: 1883, tls: false } });
    expect(boxAddresses(plain, { host: 'shop-pc:8080', clientIp: '10.0.0.5' })).toEqual({
      hubUrl: 'http://shop-pc:8080',
      mqttUrl: 'mqtt://shop-pc:1883',
    });
  });

  it('come from the public URL when one is set, whatever Host the box called', () => {
    const s = embedded({ publicUrl: 'https://hub.example.com:8443' });
    expect(boxAddresses(s, { host: '10.0.0.2:8080', clientIp: '203.0.113.9' })).toEqual({
      hubUrl: 'https://hub.example.com:8443',
      mqttUrl: 'mqtts://hub.example.com:8883',
    });
  });

  it("put an external broker on the hub's host when the hub reaches it on loopback", () => {
    const s = embedded({ broker: { url: 'mqtts://127.0.0.1:8884' } });
    expect(boxAddresses(s, { host: 'hub.lan:8080', clientIp: '10.0.0.5' }).mqttUrl).toBe(
      'mqtts://hub.lan:8884',
    );
    const elsewhere = embedded({ broker: { url: 'mqtts://broker.example.com:8883' } });
    expect(boxAddresses(elsewhere, { host: 'hub.lan:8080', clientIp: '10.0.0.5' }).mqttUrl).toBe(
      'mqtts://broker.example.com:8883',
    );
  });

  it('are loopback only for a box on the same machine; otherwise the admin is told to set --public-url', () => {
    expect(boxAddresses(embedded(), { host: '127.0.0.1:8080', clientIp: '127.0.0.1' }).mqttUrl).toBe(
      'mqtts://127.0.0.1:8883',
    );
    expect(boxAddresses(embedded(), { host: 'localhost:8080', clientIp: '::ffff:127.0.0.1' }).hubUrl).toBe(
      'https://localhost:8080',
    );
    for (const request of [
      { host: '127.0.0.1:8080', clientIp: '192.168.7.31' },
      { host: 'localhost:8080', clientIp: 'fd00::31' },
      { host: '[::1]:8080', clientIp: '10.0.0.5' },
    ]) {
      expect(() => boxAddresses(embedded(), request)).toThrow(AddressError);
      expect(() => boxAddresses(embedded(), request)).toThrow(
        /--public-url https:\/\/.*OSKARTRACK_PUBLIC_URL/,
      );
    }
    const loopbackPublic = embedded({ publicUrl: 'https://localhost:8080' });
    expect(() => boxAddresses(loopbackPublic, { host: 'hub.lan:8080', clientIp: '10.0.0.5' })).toThrow(
      AddressError,
    );
    expect(() => boxAddresses(embedded(), { host: undefined, clientIp: '10.0.0.5' })).toThrow(/--public-url/);
    expect(() => boxAddresses(embedded(), { host: 'bad host:80', clientIp: '10.0.0.5' })).toThrow(
      /not a host name/,
    );
  });
});
