// The hub's camera check on a running box: the camera is looked up through the box's configuration,
// which may still be on its way (the lookup waits for it); a camera the box does not run is refused.
import { type DeviceConfig, PROTOCOL_VERSION } from '@oskartrack/protocol';
import { describe, expect, it } from 'vitest';
import { BoxChecks } from '../../src/check/box-check.ts';
import { refusedPort } from '../support/servers.ts';

const request = (cameraId: string) => ({ v: PROTOCOL_VERSION, id: 'req-1', cameraId, seconds: 3 }) as const;

describe('a camera check asked by the hub', () => {
  it('is refused in words for a camera this box does not run', async () => {
    const checks = new BoxChecks('/nonexistent', async () => undefined);
    await expect(checks.answer(request('cam-x'))).resolves.toMatchObject({
      status: 'error',
      error: 'camera cam-x is not on this box',
    });
  });

  it('runs on the camera the lookup gives once its configuration is there', async () => {
    const port = await refusedPort();
    const camera = { id: 'cam-1', name: 'Door', source: `rtsp://127.0.0.1:${port}/x`, zones: [], lines: [] };
    const config: DeviceConfig = {
      v: PROTOCOL_VERSION,
      revision: 2,
      cameras: [camera],
      detector: { kind: 'hog', scoreThreshold: 'auto', everyNth: 'auto', motionGate: false },
      live: { enabled: false, maxFps: 1 },
    };
    let arrive: () => void = () => {};
    const applied = new Promise<void>((resolve) => {
      arrive = resolve;
    });
    const checks = new BoxChecks('/nonexistent', async (id) => {
      await applied; // the configuration comes after the request
      return id === camera.id ? { camera, config } : undefined;
    });
    const answer = checks.answer(request('cam-1'));
    arrive();
    // It got as far as the camera itself: nothing listens there.
    await expect(answer).resolves.toMatchObject({
      status: 'error',
      error: expect.stringContaining(`nothing listens at 127.0.0.1:${port}`),
    });
  });
});
