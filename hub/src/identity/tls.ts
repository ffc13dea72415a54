/**
 * The hub's TLS identity. On first start the hub makes its own certificate authority (kept for good:
 * boxes pin its fingerprint at enrollment) and a server certificate signed by it, in `<dataDir>/tls/`
 * (keys mode 0600). The server certificate names every address a box may use to reach the hub; when
 * that set changes (a new interface address, another public URL) it is made again at start, by the
 * same authority, so enrolled boxes keep trusting the hub. `--tls-cert/--tls-key/--tls-ca` use given
 * files instead (`loadTlsFiles`).
 */
// @peculiar/x509 resolves its parsers through tsyringe, which needs the Reflect metadata polyfill.
import 'reflect-metadata';
import { createPrivateKey, randomBytes, webcrypto, X509Certificate } from 'node:crypto';
import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { networkInterfaces, hostname as osHostname } from 'node:os';
import { join } from 'node:path';
import { caFingerprint } from '@oskartrack/protocol/enrollment-code';
import * as x509 from '@peculiar/x509';

// The last overload of `set` is (name, crypto): its second parameter is the WebCrypto type x509 wants.
x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[1]);

export interface HubTls {
  /** The server certificate followed by the CA: a box reads the CA from the chain it is shown. */
  certChain: string;
  /** The server's private key (PEM). */
  key: string;
  /** The certificate authority boxes pin (PEM). */
  caPem: string;
  /** `caFingerprint` of the CA: what enrollment codes carry. */
  caFingerprint: string;
  /** The host names and addresses the server certificate covers. */
  names: string[];
}

const ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const DAY = 86_400_000;
const CA_DAYS = 20 * 365;
const SERVER_DAYS = 2 * 365;
/** A server certificate this close to its end is made again at start. */
const RENEW_BEFORE_DAYS = 30;

export const tlsDir = (dataDir: string) => join(dataDir, 'tls');
export const tlsFiles = (dataDir: string) => ({
  ca: join(tlsDir(dataDir), 'ca.pem'),
  caKey: join(tlsDir(dataDir), 'ca-key.pem'),
  server: join(tlsDir(dataDir), 'server.pem'),
  serverKey: join(tlsDir(dataDir), 'server-key.pem'),
});

/** An address as the certificate and the comparison see it: lower case, IPv6 without brackets and compressed. */
function canonicalName(name: string): string {
  const bare = name.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  if (isIP(bare) === 6) return new URL(`http://[${bare}]`).hostname.slice(1, -1);
  return bare;
}

/**
 * What the server certificate must name: the public URL's host, the machine's host name, every
 * non-internal interface address, and the loopback names.
 */
export function certificateNames(
  opts: {
    publicUrl?: string | undefined;
    hostname?: string;
    interfaces?: ReturnType<typeof networkInterfaces>;
  } = {},
): string[] {
  const names = new Set<string>();
  if (opts.publicUrl) names.add(canonicalName(new URL(opts.publicUrl).hostname));
  const host = opts.hostname ?? osHostname();
  if (host) names.add(canonicalName(host));
  for (const list of Object.values(opts.interfaces ?? networkInterfaces())) {
    for (const address of list ?? []) if (!address.internal) names.add(canonicalName(address.address));
  }
  for (const name of ['localhost', '127.0.0.1', '::1']) names.add(name);
  return [...names];
}

function sameNames(a: readonly string[], b: readonly string[]): boolean {
  const x = [...new Set(a.map(canonicalName))].sort();
  const y = [...new Set(b.map(canonicalName))].sort();
  return x.length === y.length && x.every((n, i) => n === y[i]);
}

/** The DNS names and IP addresses a certificate covers. */
export function namesOf(pem: string): string[] {
  const san = new x509.X509Certificate(pem).getExtension(x509.SubjectAlternativeNameExtension);
  return (san?.names.items ?? [])
    .filter((n) => n.type === 'dns' || n.type === 'ip')
    .map((n) => canonicalName(n.value));
}

function serial(): string {
  const bytes = randomBytes(16);
  bytes[0] = bytes[0]! & 0x7f; // a positive number
  return bytes.toString('hex');
}

async function newKeys(): Promise<webcrypto.CryptoKeyPair> {
  return (await webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
}

async function keyPem(key: webcrypto.CryptoKey): Promise<string> {
  const der = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', key));
  return createPrivateKey({ key: der, format: 'der', type: 'pkcs8' })
    .export({ format: 'pem', type: 'pkcs8' })
    .toString();
}

async function importSigningKey(pem: string): Promise<webcrypto.CryptoKey> {
  const der = createPrivateKey(pem).export({ format: 'der', type: 'pkcs8' });
  return webcrypto.subtle.importKey('pkcs8', der, ALGORITHM, false, ['sign']);
}

async function makeCa(now: number): Promise<{ cert: string; key: string }> {
  const keys = await newKeys();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: `CN=OskarTrack hub CA ${osHostname()} ${randomBytes(4).toString('hex')}, O=OskarTrack`,
    notBefore: new Date(now - DAY),
    notAfter: new Date(now + CA_DAYS * DAY),
    signingAlgorithm: ALGORITHM,
    keys,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { cert: cert.toString('pem'), key: await keyPem(keys.privateKey) };
}

async function makeServer(
  ca: { cert: string; key: string },
  names: string[],
  now: number,
): Promise<{ cert: string; key: string }> {
  const keys = await newKeys();
  const issuer = new x509.X509Certificate(ca.cert);
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject: `CN=${names[0] ?? 'localhost'}, O=OskarTrack`,
    issuer: issuer.subject,
    notBefore: new Date(now - DAY),
    notAfter: new Date(now + SERVER_DAYS * DAY),
    signingAlgorithm: ALGORITHM,
    publicKey: keys.publicKey,
    signingKey: await importSigningKey(ca.key),
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension(
        names.map((n) => ({ type: isIP(n) ? 'ip' : 'dns', value: n }) as const),
      ),
      await x509.AuthorityKeyIdentifierExtension.create(issuer),
    ],
  });
  return { cert: cert.toString('pem'), key: await keyPem(keys.privateKey) };
}

async function readOptional(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** Writes through a temporary file, so a crash never leaves half a key behind. */
async function writeSecure(path: string, text: string, mode: number): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, text, { mode });
  await chmod(tmp, mode);
  await rename(tmp, path);
}

/** Whether the server certificate is still good: same CA, same names, not near its end. */
function serverUsable(server: string, ca: string, names: string[], now: number): boolean {
  try {
    const cert = new X509Certificate(server);
    const authority = new X509Certificate(ca);
    return (
      cert.checkIssued(authority) &&
      cert.verify(authority.publicKey) &&
      Date.parse(cert.validTo) - now > RENEW_BEFORE_DAYS * DAY &&
      sameNames(namesOf(server), names)
    );
  } catch {
    return false;
  }
}

export interface TlsMade extends HubTls {
  /** What this start made: a new CA (first start), a new server certificate. */
  made: { ca: boolean; server: boolean };
}

/** The hub's own CA and server certificate from `<dataDir>/tls/`, made when missing or outdated. */
export async function loadOrCreateHubTls(opts: {
  dataDir: string;
  names: string[];
  now?: number;
}): Promise<TlsMade> {
  const now = opts.now ?? Date.now();
  const files = tlsFiles(opts.dataDir);
  await mkdir(tlsDir(opts.dataDir), { recursive: true, mode: 0o700 });
  let caCert = await readOptional(files.ca);
  let caKey = await readOptional(files.caKey);
  const made = { ca: false, server: false };
  if ((caCert === undefined) !== (caKey === undefined)) {
    throw new Error(
      `${tlsDir(opts.dataDir)} holds half a certificate authority (${caCert ? files.caKey : files.ca} is missing); ` +
        'put the missing file back, or move the folder away to make a new one (every box must then enroll again)',
    );
  }
  if (caCert === undefined || caKey === undefined) {
    const ca = await makeCa(now);
    await writeSecure(files.caKey, ca.key, 0o600);
    await writeSecure(files.ca, ca.cert, 0o644);
    caCert = ca.cert;
    caKey = ca.key;
    made.ca = true;
  }
  let server = await readOptional(files.server);
  let serverKey = await readOptional(files.serverKey);
  if (!server || !serverKey || !serverUsable(server, caCert, opts.names, now)) {
    const made2 = await makeServer({ cert: caCert, key: caKey }, opts.names, now);
    await writeSecure(files.serverKey, made2.key, 0o600);
    await writeSecure(files.server, made2.cert, 0o644);
    server = made2.cert;
    serverKey = made2.key;
    made.server = true;
  }
  return {
    certChain: `${server.trim()}\n${caCert.trim()}\n`,
    key: serverKey,
    caPem: `${caCert.trim()}\n`,
    caFingerprint: caFingerprint(new X509Certificate(caCert).raw),
    names: namesOf(server),
    made,
  };
}

/** One certificate in PEM text (global: `match` finds every one). */
export const PEM_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/**
 * Given files (`--tls-cert`, `--tls-key`, optional `--tls-ca`): the CA boxes pin is the `--tls-ca`
 * file, or else the last certificate of the `--tls-cert` file (its root when it holds the whole chain).
 */
export async function loadTlsFiles(opts: { cert: string; key: string; ca?: string }): Promise<HubTls> {
  const read = (path: string, what: string) =>
    readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
      throw new Error(`cannot read the ${what} ${path}: ${error.code ?? error.message}`);
    });
  const certText = await read(opts.cert, 'TLS certificate');
  const key = await read(opts.key, 'TLS key');
  const chain: string[] = [...(certText.match(PEM_BLOCK) ?? [])];
  if (chain.length === 0) throw new Error(`${opts.cert} holds no PEM certificate`);
  const caText = opts.ca ? await read(opts.ca, 'TLS certificate authority') : undefined;
  const caPem = caText ? caText.match(PEM_BLOCK)?.[0] : chain[chain.length - 1];
  if (!caPem) throw new Error(`${opts.ca} holds no PEM certificate`);
  const leaf = new X509Certificate(chain[0]!);
  try {
    if (!leaf.checkPrivateKey(createPrivateKey(key)))
      throw new Error('the key does not belong to the certificate');
  } catch (error) {
    throw new Error(`${opts.key} is not the key of ${opts.cert}: ${(error as Error).message}`);
  }
  const full = chain.includes(caPem) ? chain : [...chain, caPem];
  return {
    certChain: `${full.join('\n')}\n`,
    key,
    caPem: `${caPem}\n`,
    caFingerprint: caFingerprint(new X509Certificate(caPem).raw),
    names: namesOf(chain[0]!),
  };
}
