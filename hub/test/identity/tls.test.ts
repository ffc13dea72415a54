/**
 * The hub's own certificate authority and server certificate: made once and kept, the server
 * certificate names every address and is made again (by the same CA) when that set changes or its end
 * draws near; keys are mode 0600; the certificate really serves TLS to a client that trusts only the CA.
 */
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, createServer } from 'node:tls';
import { caFingerprint, FINGERPRINT_LENGTH } from '@oskartrack/protocol/enrollment-code';
import { afterEach, describe, expect, it } from 'vitest';
import {
  certificateNames,
  loadOrCreateHubTls,
  loadTlsFiles,
  namesOf,
  tlsFiles,
} from '../../src/identity/tls.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function dataDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'oskartrack-tls-'));
  dirs.push(d);
  return d;
}

const NAMES = ['hub.example.com', 'shop-pc', '192.168.7.20', 'fd00::20', 'localhost', '127.0.0.1', '::1'];
const DAY = 86_400_000;

/** A TLS handshake to a server with `tls`, trusting only `ca`, for `servername`. */
async function handshake(
  tls: { certChain: string; key: string },
  ca: string,
  servername: string,
): Promise<{ authorized: boolean; error?: string }> {
  const server = createServer({ cert: tls.certChain, key: tls.key }, (s) => s.end());
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  try {
    return await new Promise((resolve) => {
      const socket = connect({ host: '127.0.0.1', port, ca, servername, rejectUnauthorized: true }, () => {
        resolve({ authorized: socket.authorized });
        socket.end();
      });
      socket.once('error', (error) => resolve({ authorized: false, error: error.message }));
    });
  } finally {
    server.close();
  }
}

describe('the hub TLS identity', () => {
  it('makes a CA once and keeps it; keys are mode 0600; the server certificate names every address', async () => {
    const dir = dataDir();
    const first = await loadOrCreateHubTls({ dataDir: dir, names: NAMES });
    expect(first.made).toEqual({ ca: true, server: true });
    const files = tlsFiles(dir);
    for (const key of [files.caKey, files.serverKey]) expect(statSync(key).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, 'tls')).mode & 0o077).toBe(0);

    expect(new Set(first.names)).toEqual(new Set(NAMES));
    const ca = new X509Certificate(first.caPem);
    expect(ca.ca).toBe(true);
    const server = new X509Certificate(first.certChain);
    expect(server.ca).toBe(false);
    expect(server.checkIssued(ca)).toBe(true);
    expect(server.verify(ca.publicKey)).toBe(true);
    expect(server.subjectAltName).toContain('DNS:hub.example.com');
    expect(server.subjectAltName).toContain('IP Address:192.168.7.20');
    expect(first.caFingerprint).toBe(caFingerprint(ca.raw));
    expect(first.caFingerprint).toHaveLength(FINGERPRINT_LENGTH);
    // The chain a client is shown holds the CA after the server certificate.
    expect(first.certChain).toContain(first.caPem.trim());

    const again = await loadOrCreateHubTls({ dataDir: dir, names: [...NAMES].reverse() });
    expect(again.made).toEqual({ ca: false, server: false });
    expect(again.caPem).toBe(first.caPem);
    expect(again.certChain).toBe(first.certChain);
  });

  it('makes the server certificate again, with the same CA, when the names change or its end is near', async () => {
    const dir = dataDir();
    const first = await loadOrCreateHubTls({ dataDir: dir, names: NAMES });
    const moved = await loadOrCreateHubTls({ dataDir: dir, names: [...NAMES, '10.1.2.3'] });
    expect(moved.made).toEqual({ ca: false, server: true });
    expect(moved.caFingerprint).toBe(first.caFingerprint);
    expect(moved.names).toContain('10.1.2.3');
    expect(new X509Certificate(moved.certChain).checkIssued(new X509Certificate(first.caPem))).toBe(true);

    const dropped = await loadOrCreateHubTls({ dataDir: dir, names: NAMES });
    expect(dropped.made.server).toBe(true);
    expect(dropped.names).not.toContain('10.1.2.3');

    const validTo = Date.parse(new X509Certificate(dropped.certChain).validTo);
    const late = await loadOrCreateHubTls({ dataDir: dir, names: NAMES, now: validTo - 10 * DAY });
    expect(late.made).toEqual({ ca: false, server: true });
    expect(Date.parse(new X509Certificate(late.certChain).validTo)).toBeGreaterThan(validTo);
    expect(late.caPem).toBe(first.caPem);
  });

  it('serves TLS that a client trusting only the CA accepts for each name, and refuses for others', async () => {
    const tls = await loadOrCreateHubTls({ dataDir: dataDir(), names: NAMES });
    expect(await handshake(tls, tls.caPem, 'hub.example.com')).toEqual({ authorized: true });
    expect(await handshake(tls, tls.caPem, 'localhost')).toEqual({ authorized: true });
    const wrongName = await handshake(tls, tls.caPem, 'other.example.com');
    expect(wrongName.error).toMatch(/altnames/i);
    const otherCa = await loadOrCreateHubTls({ dataDir: dataDir(), names: NAMES });
    const wrongCa = await handshake(tls, otherCa.caPem, 'localhost');
    expect(wrongCa.authorized).toBe(false);
    expect(wrongCa.error).toMatch(/certificate/i);
  });

  it('refuses half a CA instead of silently making a new one (boxes pin it)', async () => {
    const dir = dataDir();
    await loadOrCreateHubTls({ dataDir: dir, names: NAMES });
    rmSync(tlsFiles(dir).caKey);
    await expect(loadOrCreateHubTls({ dataDir: dir, names: NAMES })).rejects.toThrow(
      /half a certificate authority .*ca-key\.pem is missing.*enroll again/,
    );
  });

  it('names the public URL host, the host name, non-internal interface addresses and loopback', () => {
    const names = certificateNames({
      publicUrl: 'https://Hub.Example.com:8443',
      hostname: 'shop-pc',
      interfaces: {
        lo: [
          {
            address: '127.0.0.1',
            netmask: '255.0.0.0',
            family: 'IPv4',
            mac: '00:00:00:00:00:00',
            internal: true,
            cidr: '127.0.0.1/8',
          },
        ],
        eth0: [
          {
            address: '192.168.7.20',
            netmask: '255.255.255.0',
            family: 'IPv4',
            mac: '02:00:00:00:00:01',
            internal: false,
            cidr: '192.168.7.20/24',
          },
          {
            address: 'fd00:0:0::20',
            netmask: 'ffff:ffff:ffff:ffff::',
            family: 'IPv6',
            mac: '02:00:00:00:00:01',
            internal: false,
            cidr: 'fd00::20/64',
            scopeid: 0,
          },
        ],
      },
    });
    expect(names).toEqual([
      'hub.example.com',
      'shop-pc',
      '192.168.7.20',
      'fd00::20',
      'localhost',
      '127.0.0.1',
      '::1',
    ]);
    expect(
      certificateNames({ publicUrl: 'https://[fd00::9]:8443', hostname: 'x', interfaces: {} }),
    ).toContain('fd00::9');
  });

  it('uses given files: the CA boxes pin is --tls-ca, else the last certificate of --tls-cert', async () => {
    const made = await loadOrCreateHubTls({ dataDir: dataDir(), names: NAMES });
    const dir = dataDir();
    const write = (name: string, text: string) => {
      writeFileSync(join(dir, name), text);
      return join(dir, name);
    };
    const serverOnly = new X509Certificate(made.certChain).toString();
    const cert = write('cert.pem', serverOnly);
    const chain = write('chain.pem', made.certChain);
    const key = write('key.pem', made.key);
    const ca = write('ca.pem', made.caPem);

    const withCa = await loadTlsFiles({ cert, key, ca });
    expect(withCa.caFingerprint).toBe(made.caFingerprint);
    expect(withCa.certChain).toContain(made.caPem.trim());
    expect(namesOf(withCa.certChain)).toEqual(made.names);
    const fromChain = await loadTlsFiles({ cert: chain, key });
    expect(fromChain.caFingerprint).toBe(made.caFingerprint);
    expect(await handshake(fromChain, fromChain.caPem, 'localhost')).toEqual({ authorized: true });

    const other = await loadOrCreateHubTls({ dataDir: dataDir(), names: NAMES });
    const wrongKey = write('wrong-key.pem', other.key);
    await expect(loadTlsFiles({ cert, key: wrongKey, ca })).rejects.toThrow(/is not the key of/);
    await expect(loadTlsFiles({ cert: join(dir, 'missing.pem'), key })).rejects.toThrow(
      /cannot read the TLS certificate .*missing\.pem: ENOENT/,
    );
  });
});
