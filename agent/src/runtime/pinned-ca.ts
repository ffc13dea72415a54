/**
 * Pinning the hub at enrollment: the box opens a TLS connection to the hub, takes the certificate
 * authority from the chain the hub presents (or from `GET /api/hub/ca` when the chain lacks it), and
 * keeps it only when its SHA-256 matches the fingerprint in the enrollment code. Nothing the hub says
 * is trusted before that check; afterwards only this CA is.
 */

import { X509Certificate } from 'node:crypto';
import { request } from 'node:https';
import { isIP } from 'node:net';
import { connect, type DetailedPeerCertificate } from 'node:tls';
import { caFingerprint } from '@oskartrack/protocol/enrollment-code';
import { unreachableHub } from './unreachable-hub.ts';

export class PinningError extends Error {}

function pem(der: Buffer): string {
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN CERTIFICATE-----\n${lines.join('\n')}\n-----END CERTIFICATE-----\n`;
}

function target(hub: URL) {
  const host = hub.hostname.replace(/^\[(.*)\]$/, '$1');
  return {
    host,
    port: Number(hub.port || 443),
    // SNI takes names only, never addresses.
    ...(isIP(host) ? {} : { servername: host }),
  };
}

/** The DER certificates of the chain the hub presents, leaf first. */
function presentedChain(hub: URL, timeoutMs: number): Promise<Buffer[]> {
  return new Promise((resolve, reject) => {
    // Not verified here on purpose: the fingerprint check below is what decides.
    const socket = connect({ ...target(hub), rejectUnauthorized: false, timeout: timeoutMs }, () => {
      const chain: Buffer[] = [];
      let cert: DetailedPeerCertificate | undefined = socket.getPeerCertificate(true);
      while (cert?.raw && !chain.some((c) => c.equals(cert!.raw))) {
        chain.push(cert.raw);
        cert = cert.issuerCertificate;
      }
      socket.end();
      resolve(chain);
    });
    socket.once('timeout', () => socket.destroy(new Error(`no TLS answer within ${timeoutMs / 1000} s`)));
    socket.once('error', reject);
  });
}

/** `GET /api/hub/ca` without trusting the answer yet (it is checked against the fingerprint). */
function servedCa(hub: URL, timeoutMs: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const req = request(
      new URL('/api/hub/ca', hub),
      { ...target(hub), rejectUnauthorized: false, timeout: timeoutMs },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          if (text.length < 100_000) text += chunk;
        });
        res.on('end', () => resolve(res.statusCode === 200 ? text : undefined));
        res.on('error', () => resolve(undefined));
      },
    );
    req.once('timeout', () => req.destroy());
    req.once('error', () => resolve(undefined));
    req.end();
  });
}

/**
 * The hub's CA (PEM) whose fingerprint is `fingerprint`; a PinningError when the hub at `hub` shows
 * no such CA (it is not the hub that made the code, or something stands in between).
 */
export async function fetchPinnedCa(hub: URL, fingerprint: string, timeoutMs = 15_000): Promise<string> {
  let chain: Buffer[];
  try {
    chain = await presentedChain(hub, timeoutMs);
  } catch (error) {
    throw unreachableHub(hub, error);
  }
  const match = chain.find((der) => caFingerprint(der) === fingerprint);
  if (match) return pem(match);
  const served = await servedCa(hub, timeoutMs);
  if (served) {
    try {
      const der = new X509Certificate(served).raw;
      if (caFingerprint(der) === fingerprint) return pem(der);
    } catch {
      // not a certificate: reported below as a mismatch
    }
  }
  const shown = chain.length ? caFingerprint(chain[chain.length - 1]!) : 'none';
  throw new PinningError(
    `the hub at ${hub.origin} is not the hub that made this code: its certificate authority has ` +
      `fingerprint ${shown}, the code expects ${fingerprint}. Check the hub address, and that nothing ` +
      'on the network stands in between; then create a new code on the right hub.',
  );
}
