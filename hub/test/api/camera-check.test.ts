/**
 * The installer's camera check from the hub: `POST /api/cameras/:id/check` through the real app and its
 * embedded MQTT broker to a real box (`oskartrack-agent run`, enrolled with a code) that runs the check
 * on its camera (the PETS 2009 clip) and answers over the signed request channel. Refused to viewers,
 * for a camera without a box, and, in plain words, while the box is not connected.
 */
import { CameraCheck, check } from '@oskartrack/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { BOX_NOT_CONNECTED } from '../../src/api/routes/camera-check.ts';
import { enrollCliBox, runCliBox } from '../support/cli-box.ts';
import {
  Api,
  postgresSettings,
  Resources,
  startTestHub,
  tempDir,
  VIDEO,
  waitFor,
} from '../system/helpers.ts';

const resources = new Resources();
afterEach(() => resources.release());

/** A check runs the box's detectors for a while: the plain fetch, with time for a loaded machine. */
async function postCheck(
  base: string,
  token: string,
  cameraId: string,
  body: object,
): Promise<{ status: number; body: unknown }> {
  const res = await fetch(new URL(`/api/cameras/${cameraId}/check`, base), {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(280_000),
  });
  return { status: res.status, body: await res.json() };
}

async function login(base: string, name: string, password: string): Promise<string> {
  const res = await fetch(new URL('/api/auth/login', base), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name, password }),
  });
  return ((await res.json()) as { accessToken: string }).accessToken;
}

describe('camera check through the hub', () => {
  it("has the camera's box check its view, and says so plainly when the box is not connected", async () => {
    const hub = await startTestHub(resources, postgresSettings(resources, tempDir(resources, 'hub')));
    const admin = hub.admin!;
    const api = await Api.login(hub.url, admin.name, admin.password);
    const token = await login(hub.url, admin.name, admin.password);
    const store = await api.ok<{ id: string }>('POST', '/api/stores', {
      name: 'Corner shop',
      timezone: 'UTC',
    });
    const camera = await api.ok<{ id: string }>('POST', '/api/cameras', {
      storeId: store.id,
      name: 'Entrance',
      source: VIDEO,
      fps: 7,
    });
    const noBox = await postCheck(hub.url, token, camera.id, { seconds: 3 });
    expect(noBox.status).toBe(409);
    expect(noBox.body).toMatchObject({ message: expect.stringContaining('not assigned to a box') });

    const viewer = { name: 'viewer-vic', password: 'viewer-password-2025' };
    await api.ok('POST', '/api/users', { ...viewer, role: 'viewer', storeIds: [store.id] });
    const viewerToken = await login(hub.url, viewer.name, viewer.password);
    expect((await postCheck(hub.url, viewerToken, camera.id, {})).status).toBe(403);

    // The box: enrolled with a code, given the camera, running.
    const enrolled = await enrollCliBox(resources, hub.url, api, store.id);
    const { deviceId } = enrolled;
    await api.ok('PATCH', `/api/cameras/${camera.id}`, { deviceId });
    const box = await runCliBox(resources, api, enrolled);
    const { online } = box;

    const answered = await postCheck(hub.url, token, camera.id, { seconds: 3 });
    expect(answered.status).toBe(200);
    const result = answered.body as CameraCheck;
    expect(check(CameraCheck, result).ok).toBe(true);
    expect(result).toMatchObject({ cameraId: camera.id, width: 768, height: 576, cameraFps: 7 });
    expect(result.runs[0]).toMatchObject({ detector: 'hog', configured: true });
    expect(result.runs[0]!.frames).toBeGreaterThan(0);
    // PETS09's people are about 81 px tall (ground truth median).
    expect(result.personHeight!.median).toBeGreaterThan(50);
    expect(result.personHeight!.median).toBeLessThan(130);
    expect(result.summary.length).toBeGreaterThan(10);

    await box.stop();
    await waitFor('the box offline', async () => !(await online()), 60_000, 250);
    const offline = await postCheck(hub.url, token, camera.id, { seconds: 3 });
    expect(offline.status).toBe(503);
    expect(offline.body).toMatchObject({ message: BOX_NOT_CONNECTED });
  }, 400_000);
});
