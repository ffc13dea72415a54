/**
 * A box enrolled again on the same hub (a new code, the same data folder) takes over its old identity:
 * the name moves to the new one at once; once the new one runs, the cameras move and the old credential
 * stops working, so no dead box and no camera without a reader stay behind. A claim with the wrong secret, or a code of another
 * store, takes over nothing. Through the whole hub over HTTPS, with the agent's own enroll.
 */
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { enroll } from '../../../agent/src/commands/enroll.ts';
import { pinnedTlsOptions, saveIdentity } from '../../../agent/src/runtime/identity.ts';
import { runCliBox } from '../support/cli-box.ts';
import { Api, postgresSettings, Resources, startTestHub, tempDir, waitFor } from '../system/helpers.ts';

const resources = new Resources();
afterEach(() => resources.release());

/** 'connected', or why the broker turned the login away. */
function tryLogin(url: string, options: mqtt.IClientOptions): Promise<string> {
  return mqtt.connectAsync(url, { reconnectPeriod: 0, connectTimeout: 10_000, ...options }, false).then(
    (c) => c.endAsync().then(() => 'connected'),
    (e: Error) => e.message,
  );
}

async function hubWithStores() {
  const hub = await startTestHub(resources, postgresSettings(resources, tempDir(resources, 'hub')), {
    tls: true,
  });
  const ca = hub.tls!.caPem;
  const api = await Api.login(hub.url, hub.admin!.name, hub.admin!.password, ca);
  const store = await api.ok<{ id: string }>('POST', '/api/stores', { name: 'Corner shop' });
  const other = await api.ok<{ id: string }>('POST', '/api/stores', { name: 'High street' });
  const code = async (storeId = store.id) =>
    (await api.ok<{ code: string }>('POST', `/api/stores/${storeId}/enrollment-codes`)).code;
  /** A box enrolled as "Till box" with a camera "Door" (a local file: no traffic leaves the machine). */
  const enrolledBox = async () => {
    const dir = tempDir(resources, 'box');
    const first = await enroll({ hub: hub.url, code: await code(), name: 'Till box', dataDir: dir });
    const camera = await api.ok<{ id: string }>('POST', '/api/cameras', {
      storeId: store.id,
      deviceId: first.deviceId,
      name: 'Door',
      source: join(dir, 'no-such-camera.avi'),
    });
    const cameraBox = async () =>
      (await api.ok<{ deviceId: string }>('GET', `/api/cameras/${camera.id}`)).deviceId;
    return { dir, first, camera, cameraBox };
  };
  return { hub, api, store, other, code, enrolledBox };
}

describe('enrolling a box again', () => {
  it('moves its cameras and name to the new identity once that connects, and revokes the old one', async () => {
    const { hub, api, code, enrolledBox } = await hubWithStores();
    const { dir, first, cameraBox } = await enrolledBox();
    const login = (id: { deviceId: string; secret: string }) =>
      tryLogin(first.mqttUrl, {
        username: id.deviceId,
        password: id.secret,
        clientId: id.deviceId,
        ...pinnedTlsOptions(first),
      });

    // The box runs while the installer enrolls it again: it moves to the new identity by itself.
    const box = await runCliBox(resources, api, { deviceId: first.deviceId, dir });
    const second = await enroll({ hub: hub.url, code: await code(), dataDir: dir });
    expect(second.deviceId).not.toBe(first.deviceId);
    expect(second.replaced).toEqual({ deviceId: first.deviceId, cameras: 1 });
    expect((await api.ok<{ name: string }>('GET', `/api/devices/${second.deviceId}`)).name).toBe('Till box');
    await waitFor('the cameras taken over', async () => (await cameraBox()) === second.deviceId, 60_000, 250);
    expect((await api.ok<{ name: string }>('GET', `/api/devices/${first.deviceId}`)).name).toBe(
      'Till box (replaced)',
    );
    expect(await login(first)).toMatch(/not authorized|bad user ?name or password/i);
    await box.stop();
    expect(await login(second)).toBe('connected');
  }, 180_000);

  it('leaves the old identity working until the new one connects (an answer lost on the way)', async () => {
    const { hub, code, enrolledBox } = await hubWithStores();
    const { first, cameraBox } = await enrolledBox();
    // The hub answered, the box never got it: it still has only its old identity.
    const lost = tempDir(resources, 'lost-answer');
    await saveIdentity(lost, first);
    const second = await enroll({ hub: hub.url, code: await code(), dataDir: lost });
    expect(second.replaced).toEqual({ deviceId: first.deviceId, cameras: 1 });
    expect(await cameraBox()).toBe(first.deviceId);
    const login = await tryLogin(first.mqttUrl, {
      username: first.deviceId,
      password: first.secret,
      clientId: first.deviceId,
      ...pinnedTlsOptions(first),
    });
    expect(login).toBe('connected');
  }, 90_000);

  it('takes over a chain of identities that never connected, even one an administrator revoked', async () => {
    const { hub, api, code, enrolledBox } = await hubWithStores();
    const { dir, first, cameraBox } = await enrolledBox();
    // Enrolled again, never run; the dashboard shows two "Till box" and the old one is locked out.
    const second = await enroll({ hub: hub.url, code: await code(), dataDir: dir });
    await api.ok('POST', `/api/devices/${first.deviceId}/revoke`);
    // Enrolled once more (the second identity proves itself): this one runs.
    const third = await enroll({ hub: hub.url, code: await code(), dataDir: dir });
    expect(third.replaced).toEqual({ deviceId: second.deviceId, cameras: 0 });
    const box = await runCliBox(resources, api, { deviceId: third.deviceId, dir });
    await waitFor('the cameras taken over', async () => (await cameraBox()) === third.deviceId, 60_000, 250);
    for (const old of [first, second]) {
      const device = await api.ok<{ name: string; revoked: boolean }>('GET', `/api/devices/${old.deviceId}`);
      expect(device).toMatchObject({ revoked: true, name: expect.stringMatching(/\(replaced\)$/) });
    }
    await box.stop();
  }, 180_000);

  it('takes over nothing with a wrong secret or with a code of another store', async () => {
    const { hub, api, store, other, code } = await hubWithStores();
    const dir = tempDir(resources, 'box');
    const owner = await enroll({ hub: hub.url, code: await code(), name: 'Till box', dataDir: dir });
    const camera = await api.ok<{ id: string }>('POST', '/api/cameras', {
      storeId: store.id,
      deviceId: owner.deviceId,
      name: 'Door',
      source: 'rtsp://10.0.0.7/stream',
    });
    // Another box that claims to be the owner, without its secret.
    const forger = tempDir(resources, 'forger');
    await saveIdentity(forger, { ...owner, secret: 'not-the-secret-of-that-box' });
    const forged = await enroll({ hub: hub.url, code: await code(), dataDir: forger });
    expect(forged.replaced).toBeUndefined();
    // The owner itself, moved to another store by its code: a move is an administrator's decision.
    const moved = await enroll({ hub: hub.url, code: await code(other.id), dataDir: dir });
    expect(moved.replaced).toBeUndefined();
    expect((await api.ok<{ deviceId: string }>('GET', `/api/cameras/${camera.id}`)).deviceId).toBe(
      owner.deviceId,
    );
  }, 90_000);
});
