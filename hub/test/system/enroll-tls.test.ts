/**
 * Enrollment as it happens in the field, through the whole hub (`startHub` with its own CA, HTTPS and
 * MQTT over TLS only): the box pins the hub through the fingerprint in the code, enrolls, connects
 * over mqtts trusting only that CA, and its event is stored and acknowledged. A code whose fingerprint
 * is not this hub's is refused by the box before the code is sent. A box that reaches the hub through
 * another address than loopback never gets a loopback address back.
 */
import { execFileSync } from 'node:child_process';
import mqtt from 'mqtt';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { enroll } from '../../../agent/src/commands/enroll.ts';
import { hubRequest } from '../../../agent/src/runtime/hub-request.ts';
import { pinnedTlsOptions } from '../../../agent/src/runtime/identity.ts';
import { sendOneCrossing } from '../support/enrolled-box.ts';
import { Api, postgresSettings, Resources, startTestHub, storedSeqs, tempDir } from './helpers.ts';

const resources = new Resources();
afterEach(() => resources.release());

/**
 * A non-loopback address on this machine, on one end of a veth pair the test makes (we run as root,
 * as CI does; the kernel here has no dummy interfaces): traffic to it never leaves the machine, and the
 * test does not depend on the host's network.
 */
const DUMMY = `otd${process.pid % 100_000}`;
const LOCAL_ADDRESS = `10.214.${(process.pid >> 8) % 250}.${(process.pid % 250) + 1}`;
beforeAll(() => {
  execFileSync('ip', ['link', 'add', DUMMY, 'type', 'veth', 'peer', 'name', `${DUMMY}p`]);
  execFileSync('ip', ['addr', 'add', `${LOCAL_ADDRESS}/32`, 'dev', DUMMY]);
  execFileSync('ip', ['link', 'set', DUMMY, 'up']);
  execFileSync('ip', ['link', 'set', `${DUMMY}p`, 'up']);
});
afterAll(() => {
  execFileSync('ip', ['link', 'del', DUMMY]);
});

/** How an MQTT login ends: 'connected', or the error's message. */
function tryLogin(url: string, options: mqtt.IClientOptions): Promise<string> {
  // `false`: a connection closed before the answer is a failure, not a wait for a retry.
  return mqtt.connectAsync(url, { reconnectPeriod: 0, connectTimeout: 10_000, ...options }, false).then(
    (c) => c.endAsync().then(() => 'connected'),
    (e: Error) => e.message,
  );
}

async function tlsHub(options: { host?: string; publicUrl?: string } = {}) {
  const hub = await startTestHub(resources, postgresSettings(resources, tempDir(resources, 'hub')), {
    tls: true,
    ...options,
  });
  const ca = hub.tls!.caPem;
  const api = await Api.login(hub.url, hub.admin!.name, hub.admin!.password, ca);
  const store = await api.ok<{ id: string }>('POST', '/api/stores', { name: 'Corner shop' });
  const newCode = () =>
    api.ok<{ code: string; command: string }>('POST', `/api/stores/${store.id}/enrollment-codes`);
  return { hub, ca, api, store, newCode };
}

describe('enrollment over TLS', () => {
  it('pins the hub through the code, connects over mqtts, and gets its event stored and acked', async () => {
    const { hub, ca, api, store, newCode } = await tlsHub();
    expect(hub.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const fingerprint = hub.tls!.caFingerprint;
    const made = await newCode();
    expect(made.code).toMatch(new RegExp(`^([0-9A-Z]{4}-){4}${fingerprint}$`));
    expect(made.command).toBe(`npx --no oskartrack-agent enroll --hub ${hub.url} --code ${made.code}`);
    // The CA is public, for whoever wants to check it.
    const served = await hubRequest(new URL('/api/hub/ca', hub.url), { method: 'GET', ca });
    expect(served.status).toBe(200);

    // A code for another hub (another fingerprint): the box refuses before it sends the code.
    const otherFingerprint = fingerprint.replace(/^./, (c) => (c === 'A' ? 'B' : 'A'));
    const wrongCode = made.code.replace(fingerprint, otherFingerprint);
    await expect(
      enroll({ hub: hub.url, code: wrongCode, dataDir: tempDir(resources, 'wrong') }),
    ).rejects.toThrow(`the hub at ${hub.url} is not the hub that made this code`);
    // The hub itself refuses a plain code (no fingerprint) when it runs with TLS.
    const plain = made.code.slice(0, 19);
    const refused = await new Api(hub.url, ca).call<{ message: string }>('POST', '/api/enroll', {
      code: plain,
    });
    expect(refused.status).toBe(400);
    expect(refused.body.message).toMatch(/no hub fingerprint.*--insecure/);

    // The right code: still unused, since neither attempt above spent it.
    const dir = tempDir(resources, 'box');
    const identity = await enroll({ hub: hub.url, code: made.code, name: 'Till box', dataDir: dir });
    expect(identity.hubUrl).toBe(hub.url);
    expect(identity.mqttUrl).toBe(hub.mqttUrl);
    expect(identity.mqttUrl).toMatch(/^mqtts:\/\/127\.0\.0\.1:\d+$/);
    expect(identity.caPem).toBe(ca);
    expect(identity.signingKey).toBe(hub.signingKey.publicKeyBase64);
    // MQTT over TLS only: nothing answers plain MQTT, and a client that does not trust the CA is refused.
    const login = { username: identity.deviceId, password: identity.secret, clientId: identity.deviceId };
    const plainUrl = hub.mqttUrl.replace(/^mqtts:/, 'mqtt:');
    expect(await tryLogin(plainUrl, login)).not.toBe('connected');
    expect(await tryLogin(hub.mqttUrl, login)).toMatch(/self.signed|certificate/i);
    expect(await tryLogin(hub.mqttUrl, { ...login, ...pinnedTlsOptions(identity) })).toBe('connected');

    const link = await sendOneCrossing(resources, api, store.id, identity, dir);
    expect(await storedSeqs(hub.db.db, identity.deviceId)).toEqual([1]);
    expect(link.state().connected).toBe(true);
  }, 90_000);

  it('hands a box that came through another address that address, never a loopback one', async () => {
    const { hub, ca, newCode } = await tlsHub({ host: '0.0.0.0' });
    const port = new URL(hub.url).port;
    const mqttPort = new URL(hub.mqttUrl).port;
    const remoteHub = `https://${LOCAL_ADDRESS}:${port}`;

    // The box calls the hub at a non-loopback address: it gets that address back, for both.
    const dir = tempDir(resources, 'remote-box');
    const identity = await enroll({ hub: remoteHub, code: (await newCode()).code, dataDir: dir });
    expect(identity.hubUrl).toBe(remoteHub);
    expect(identity.mqttUrl).toBe(`mqtts://${LOCAL_ADDRESS}:${mqttPort}`);
    // The server certificate names the interface address: the pinned CA accepts it over mqtts.
    const client = await mqtt.connectAsync(identity.mqttUrl, {
      username: identity.deviceId,
      password: identity.secret,
      clientId: identity.deviceId,
      reconnectPeriod: 0,
      ...pinnedTlsOptions(identity),
    });
    await client.endAsync();

    // The same box naming the hub by a loopback Host (a tunnel, a proxy): refused, code kept.
    const code = (await newCode()).code;
    const viaLoopbackName = await hubRequest(new URL('/api/enroll', remoteHub), {
      method: 'POST',
      headers: { host: `127.0.0.1:${port}` },
      body: { code },
      ca,
    });
    expect(viaLoopbackName.status).toBe(409);
    expect((viaLoopbackName.body as { message: string }).message).toMatch(
      new RegExp(`reached the hub from ${LOCAL_ADDRESS.replaceAll('.', '\\.')}.*--public-url`),
    );
    const after = await enroll({ hub: remoteHub, code, dataDir: tempDir(resources, 'again') });
    expect(after.mqttUrl).toBe(`mqtts://${LOCAL_ADDRESS}:${mqttPort}`);
  }, 90_000);

  it('with --public-url hands every box that address, the broker on the same host', async () => {
    const { hub, ca, newCode } = await tlsHub({ publicUrl: 'https://hub.example.com:8443' });
    const made = await newCode();
    expect(made.command).toBe(
      `npx --no oskartrack-agent enroll --hub https://hub.example.com:8443 --code ${made.code}`,
    );
    const r = await new Api(hub.url, ca).call<{ hubUrl: string; mqtt: { url: string } }>(
      'POST',
      '/api/enroll',
      {
        code: made.code,
      },
    );
    expect(r.status).toBe(201);
    expect(r.body.hubUrl).toBe('https://hub.example.com:8443');
    expect(r.body.mqtt.url).toBe(`mqtts://hub.example.com:${new URL(hub.mqttUrl).port}`);
    expect(hub.tls!.names).toContain('hub.example.com');
  }, 60_000);
});
