/**
 * An external broker with a certificate authority of its own (`serve --mqtt-ca <file>`): the hub
 * trusts it for its broker connections, and enrollment hands it to boxes, which trust it for MQTT
 * instead of the hub's CA. Without it the broker's certificate must be issued by the hub's CA (the one
 * boxes pin; the hub trusts it for the broker too) or, for a hub without its own, by a public one.
 */
import { X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { MAX_CA_PEM_CHARS } from '@oskartrack/protocol';
import { PEM_BLOCK } from '../identity/tls.ts';

/** The certificates of `file` (PEM, one or more), checked to be certificates; an error that says why not. */
export async function loadBrokerCa(file: string): Promise<string> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new Error(`--mqtt-ca ${file} cannot be read (${(error as NodeJS.ErrnoException).code ?? error})`);
  }
  const blocks = text.match(PEM_BLOCK) ?? [];
  if (blocks.length === 0)
    throw new Error(
      `--mqtt-ca ${file} holds no PEM certificate: give the CA that issued the broker's certificate`,
    );
  for (const block of blocks) {
    try {
      new X509Certificate(block);
    } catch (error) {
      throw new Error(
        `--mqtt-ca ${file} holds a certificate that cannot be read: ${(error as Error).message}`,
      );
    }
  }
  const pem = `${blocks.join('\n')}\n`;
  if (pem.length > MAX_CA_PEM_CHARS)
    throw new Error(
      `--mqtt-ca ${file} holds ${blocks.length} certificates (${pem.length} characters): boxes keep at most ${MAX_CA_PEM_CHARS}; give only the authority that issued the broker's certificate`,
    );
  return pem;
}

/** Node's codes for a certificate chain that does not lead to a trusted authority. */
const UNTRUSTED = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_GET_ISSUER_CERT',
]);

/**
 * A failed broker connection in words with what to do, for the certificate problems an installer
 * meets first; undefined for other failures (their own message says enough).
 */
export function brokerTlsProblem(url: string, error: unknown): string | undefined {
  const code = (error as { code?: unknown }).code;
  if (typeof code !== 'string') return undefined;
  if (UNTRUSTED.has(code))
    return `the MQTT broker at ${url} shows a certificate this hub does not trust (${code}): start the hub with --mqtt-ca <file> (or OSKARTRACK_MQTT_CA) naming the certificate authority that issued it`;
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID')
    return `the MQTT broker's certificate is made out to other names than the host in ${url}: use a name it covers in --mqtt-url, or make the broker a certificate for this one`;
  if (code === 'CERT_HAS_EXPIRED' || code === 'CERT_NOT_YET_VALID')
    return `the MQTT broker's certificate at ${url} has expired or is not valid yet (${code}): check its dates and this machine's clock`;
  return undefined;
}
