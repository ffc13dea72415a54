/**
 * `oskartrack-agent enroll` against a stand-in hub (a real HTTPS server with a test CA): the box pins
 * the CA through the fingerprint in the code before it sends the code, trusts only that CA afterwards
 * and saves it; a wrong fingerprint, a plain code for an https hub it cannot verify, a fingerprinted
 * code for an http hub, and loopback addresses from a hub reached from elsewhere are all refused.
 */
import { X509Certificate } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EnrollReply } from '@oskartrack/protocol';
import { caFingerprint } from '@oskartrack/protocol/enrollment-code';
import { afterEach, describe, expect, it } from 'vitest';
import { enroll, refuseCleartext, refuseLoopback, replacing } from '../../src/commands/enroll.ts';
import { configPath, identityPath, loadIdentity, saveIdentity } from '../../src/runtime/identity.ts';
import { makeCa, makeServerCert } from '../support/certs.ts';
import { refusedPort } from '../support/servers.ts';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const CODE = '7K2M-QX9D-4HRT-WB3N';
const SIGNING_KEY = 'MCowBQYDK2VwAyEAGb9ECWmEzf6FQbrBZ9w7lshQhqowtrbLDFw4rXAxZuE=';

function reply(overrides: Partial<EnrollReply> = {}): EnrollReply {
  return {
    deviceId: 'box-1',
    storeId: 'store-1',
    secret: 's'.repeat(43),
    hubUrl: 'https://localhost:1',
    mqtt: { url: 'mqtts://localhost:8883', username: 'box-1' },
    signingKey: SIGNING_KEY,
    ...overrides,
  };
}

interface StandIn {
  url: string;
  /** The enrollment requests it received (their bodies). */
  requests: unknown[];
}

/** Answers POST /api/enroll with `answer` (201) and GET /api/hub/ca with `ca`. */
function handler(requests: unknown[], answer: () => { status: number; body: unknown }, ca?: string) {
  return (req: IncomingMessage, res: ServerResponse) => {
    let text = '';
    req.on('data', (c: Buffer) => {
      text += c.toString();
    });
    req.on('end', () => {
      if (req.method === 'GET' && req.url === '/api/hub/ca' && ca) {
        res.writeHead(200, { 'content-type': 'application/x-pem-file' }).end(ca);
        return;
      }
      if (req.method !== 'POST' || req.url !== '/api/enroll') {
        res.writeHead(404).end();
        return;
      }
      requests.push(JSON.parse(text));
      const a = answer();
      res.writeHead(a.status, { 'content-type': 'application/json' }).end(JSON.stringify(a.body));
    });
  };
}

async function listen(server: Server, scheme: string, requests: unknown[]): Promise<StandIn> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  cleanups.push(() => new Promise((r) => server.close(r)));
  const { port } = server.address() as { port: number };
  return { url: `${scheme}://localhost:${port}`, requests };
}

/** A stand-in https hub; `chain: false` presents the server certificate alone (no CA in the chain). */
async function httpsHub(
  answer: (url: string) => { status: number; body: unknown },
  opts: { chain?: boolean } = {},
) {
  const ca = makeCa();
  const cert = makeServerCert(ca);
  const requests: unknown[] = [];
  let url = '';
  const server = createHttpsServer(
    { cert: opts.chain === false ? cert.certPem : `${cert.certPem}${ca.certPem}`, key: cert.keyPem },
    handler(requests, () => answer(url), ca.certPem),
  );
  const hub = await listen(server, 'https', requests);
  url = hub.url;
  return { ...hub, ca, fingerprint: caFingerprint(new X509Certificate(ca.certPem).raw) };
}

function dataDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'oskartrack-enroll-'));
  cleanups.push(() => rmSync(d, { recursive: true, force: true }));
  return d;
}

describe('enroll', () => {
  it('pins the CA through the code, then enrolls trusting only it, and saves it (mode 0600)', async () => {
    const hub = await httpsHub((url) => ({
      status: 201,
      body: reply({ hubUrl: url, mqtt: { url: 'mqtts://localhost:8883', username: 'box-1' } }),
    }));
    const dir = dataDir();
    const identity = await enroll({
      hub: hub.url,
      code: `${CODE}-${hub.fingerprint}`,
      name: 'Till',
      dataDir: dir,
    });
    expect(hub.requests).toEqual([{ code: `${CODE}-${hub.fingerprint}`, name: 'Till' }]);
    expect(identity).toEqual({
      deviceId: 'box-1',
      secret: 's'.repeat(43),
      hubUrl: hub.url,
      mqttUrl: 'mqtts://localhost:8883',
      signingKey: SIGNING_KEY,
      caPem: expect.stringContaining('-----BEGIN CERTIFICATE-----'),
    });
    expect(new X509Certificate(identity.caPem!).raw).toEqual(new X509Certificate(hub.ca.certPem).raw);
    expect(await loadIdentity(dir)).toEqual(identity);
    expect(statSync(identityPath(dir)).mode & 0o777).toBe(0o600);
  });

  it("drops the saved configuration of an old identity it did not take over, and keeps a taken-over one's", async () => {
    let replaced: EnrollReply['replaced'];
    const hub = await httpsHub((url) => ({
      status: 201,
      body: reply({ hubUrl: url, ...(replaced ? { replaced } : {}) }),
    }));
    const dir = dataDir();
    const enrollHere = () => enroll({ hub: hub.url, code: `${CODE}-${hub.fingerprint}`, dataDir: dir });
    const config = { v: 1, revision: 7, cameras: [], detector: { kind: 'hog' } };
    writeFileSync(configPath(dir), JSON.stringify(config));
    replaced = { deviceId: 'box-0', cameras: 2 };
    await enrollHere();
    expect(existsSync(configPath(dir))).toBe(true);
    // Revoked meanwhile, or a code of another store: the hub hands nothing over.
    replaced = undefined;
    await enrollHere();
    expect(existsSync(configPath(dir))).toBe(false);
  });

  it('finds the CA through GET /api/hub/ca when the hub presents its certificate alone', async () => {
    const hub = await httpsHub((url) => ({ status: 201, body: reply({ hubUrl: url }) }), { chain: false });
    const identity = await enroll({ hub: hub.url, code: `${CODE}-${hub.fingerprint}`, dataDir: dataDir() });
    expect(new X509Certificate(identity.caPem!).raw).toEqual(new X509Certificate(hub.ca.certPem).raw);
  });

  it('refuses a hub whose CA is not the one in the code, before sending the code', async () => {
    const hub = await httpsHub((url) => ({ status: 201, body: reply({ hubUrl: url }) }));
    const other = caFingerprint(new X509Certificate(makeCa('another hub').certPem).raw);
    const dir = dataDir();
    await expect(enroll({ hub: hub.url, code: `${CODE}-${other}`, dataDir: dir })).rejects.toThrow(
      `the hub at ${hub.url} is not the hub that made this code: its certificate authority has fingerprint ${hub.fingerprint}, the code expects ${other}`,
    );
    expect(hub.requests).toEqual([]);
    expect(() => readFileSync(identityPath(dir))).toThrow(/ENOENT/);
  });

  it('a code without fingerprint trusts only the system store: a private CA is refused', async () => {
    const hub = await httpsHub((url) => ({ status: 201, body: reply({ hubUrl: url }) }));
    const warnings: string[] = [];
    await expect(
      enroll({ hub: hub.url, code: CODE, dataDir: dataDir(), warn: (m) => warnings.push(m) }),
    ).rejects.toThrow(
      /not trusted by this machine, and this code carries no hub fingerprint to trust it by: copy the whole code/,
    );
    expect(warnings.join()).toMatch(/no hub fingerprint/);
    expect(hub.requests).toEqual([]);
  });

  it('warns when the hub gives an address this box cannot look up (a --public-url name)', async () => {
    const hub = await httpsHub(() => ({
      status: 201,
      body: reply({
        hubUrl: 'https://hubpub.example:8443',
        mqtt: { url: 'mqtts://hubpub.example:8883', username: 'box-1' },
      }),
    }));
    const warnings: string[] = [];
    const lookupHost = async (host: string) => {
      if (host === 'hubpub.example') throw new Error('ENOTFOUND');
    };
    await enroll({
      hub: hub.url,
      code: `${CODE}-${hub.fingerprint}`,
      dataDir: dataDir(),
      warn: (m) => warnings.push(m),
      lookupHost,
    });
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toBe(
      "the hub gives https://hubpub.example:8443 as its address, and this box cannot look up hubpub.example (DNS): add the name to this network's DNS or this box's /etc/hosts, or start the hub with --public-url set to an address this network knows and enroll again (for the broker alone: --mqtt-url)",
    );
  });

  it('says why the hub cannot be reached and what to check, in the words of status and doctor', async () => {
    const port = await refusedPort();
    const at = `https://127.0.0.1:${port}`;
    await expect(enroll({ hub: at, code: `${CODE}-${'A'.repeat(26)}`, dataDir: dataDir() })).rejects.toThrow(
      `cannot reach the hub at ${at}: 127.0.0.1:${port} refused the connection: nothing listens on that port: check that --hub is the hub's web address and port`,
    );
    await expect(enroll({ hub: `http://127.0.0.1:${port}`, code: CODE, dataDir: dataDir() })).rejects.toThrow(
      /refused the connection: nothing listens on that port: check that --hub/,
    );
  });

  it('an http hub: a fingerprinted code is refused, a plain one works with a warning', async () => {
    const requests: unknown[] = [];
    const server = createHttpServer(
      handler(requests, () => ({
        status: 201,
        body: reply({
          hubUrl: 'http://localhost:1',
          mqtt: { url: 'mqtt://localhost:1883', username: 'box-1' },
        }),
      })),
    );
    const hub = await listen(server, 'http', requests);
    await expect(
      enroll({ hub: hub.url, code: `${CODE}-${'A'.repeat(26)}`, dataDir: dataDir() }),
    ).rejects.toThrow(
      `this code is for a hub that serves HTTPS, but --hub says ${hub.url}: use --hub https://`,
    );
    expect(requests).toEqual([]);
    const warnings: string[] = [];
    const identity = await enroll({
      hub: hub.url,
      code: CODE,
      dataDir: dataDir(),
      warn: (m) => warnings.push(m),
    });
    expect(identity.caPem).toBeUndefined();
    expect(identity.mqttUrl).toBe('mqtt://localhost:1883');
    expect(warnings.join()).toMatch(/runs without TLS \(--insecure\)/);
  });

  it("passes the hub's refusal on in its words", async () => {
    const hub = await httpsHub(() => ({
      status: 400,
      body: {
        statusCode: 400,
        message: 'this enrollment code was already used; create a new one in the dashboard',
      },
    }));
    await expect(
      enroll({ hub: hub.url, code: `${CODE}-${hub.fingerprint}`, dataDir: dataDir() }),
    ).rejects.toThrow(
      'the hub refused the code (400): this enrollment code was already used; create a new one in the dashboard',
    );
  });

  it('refuses a broker address in clear for a hub whose broker speaks TLS', () => {
    const tls = reply({ mqtt: { url: 'mqtts://hub.example.com:8883', username: 'b' } });
    expect(() => refuseCleartext(tls, 'mqtt://10.0.0.2:1883')).toThrow(
      /--mqtt-url mqtt:\/\/10\.0\.0\.2:1883 is not encrypted.*in clear.*--mqtt-url mqtts:\/\/10\.0\.0\.2:1883/,
    );
    expect(() => refuseCleartext(tls, 'WS://10.0.0.2/mqtt')).toThrow(/wss:\/\/10\.0\.0\.2\/mqtt/);
    expect(() => refuseCleartext(tls, 'mqtts://10.0.0.2:8883')).not.toThrow();
    expect(() => refuseCleartext(tls, undefined)).not.toThrow();
    // A hub whose broker is plain itself (an external one): the box could not do better.
    const plain = reply({ mqtt: { url: 'mqtt://broker.example:1883', username: 'b' } });
    expect(() => refuseCleartext(plain, 'mqtt://10.0.0.2:1883')).not.toThrow();
  });

  it("refuses the hub's own loopback addresses when the hub was reached from elsewhere", () => {
    const remote = new URL('https://hub.example.com:8080');
    const loopMqtt = reply({ hubUrl: remote.origin, mqtt: { url: 'mqtts://127.0.0.1:8883', username: 'b' } });
    expect(() => refuseLoopback(remote, loopMqtt, false)).toThrow(
      /gave this box the broker address mqtts:\/\/127\.0\.0\.1:8883, .*--public-url .*--mqtt-url/,
    );
    // The installer gave the broker address: the hub's is not used.
    expect(() => refuseLoopback(remote, loopMqtt, true)).not.toThrow();
    const loopHub = reply({
      hubUrl: 'https://localhost:8080',
      mqtt: { url: 'mqtts://hub.example.com:8883', username: 'b' },
    });
    expect(() => refuseLoopback(remote, loopHub, true)).toThrow(/hub address https:\/\/localhost:8080/);
    // A box on the hub's own machine may use loopback.
    expect(() => refuseLoopback(new URL('https://127.0.0.1:8080'), loopMqtt, false)).not.toThrow();
    expect(() =>
      refuseLoopback(
        remote,
        reply({ hubUrl: remote.origin, mqtt: { url: 'mqtts://[::1]:8883', username: 'b' } }),
        false,
      ),
    ).toThrow(/broker address/);
  });

  it('offers its old identity only to the same hub: the same pinned authority, or the same address without one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'oskartrack-replacing-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const hub = new URL('https://hub.example.com:8443');
    const ca = makeCa('Hub CA').certPem;
    const otherCa = makeCa('Another hub CA').certPem;
    expect(await replacing(dir, hub, ca)).toBeUndefined();
    const old = {
      deviceId: 'dev-old',
      secret: 'the-old-secret-of-this-box',
      hubUrl: hub.origin,
      mqttUrl: 'mqtts://hub.example.com:8883',
      caPem: ca,
    };
    await saveIdentity(dir, old);
    const claim = { deviceId: 'dev-old', secret: 'the-old-secret-of-this-box' };
    expect(await replacing(dir, hub, ca)).toEqual(claim);
    // Another hub, even at the same address: its authority is not the one pinned before.
    expect(await replacing(dir, hub, otherCa)).toBeUndefined();
    expect(await replacing(dir, hub, undefined)).toBeUndefined();
    // A hub without a pinned authority: only at the same address.
    const { caPem: _, ...plain } = old;
    await saveIdentity(dir, { ...plain, hubUrl: 'http://10.0.0.5:8080' });
    expect(await replacing(dir, new URL('http://10.0.0.5:8080'), undefined)).toEqual(claim);
    expect(await replacing(dir, new URL('http://10.0.0.6:8080'), undefined)).toBeUndefined();
    expect(await replacing(dir, new URL('https://10.0.0.5:8080'), ca)).toBeUndefined();
  });
});
