/** A camera's own detector (set on the hub's camera page) wins over the one every camera follows. */
import type { CameraConfig, DetectorSettings, DeviceConfig } from '@oskartrack/protocol';
import { describe, expect, it } from 'vitest';
import { detectorFor, sameSource } from '../../src/runtime/agent.ts';

const hog: DetectorSettings = { kind: 'hog', scoreThreshold: 'auto', everyNth: 'auto', motionGate: false };
const yolox: DetectorSettings = { kind: 'yolox', scoreThreshold: 0.3, everyNth: 2, motionGate: false };
const camera: CameraConfig = { id: 'door', name: 'Door', source: 'rtsp://10.0.0.5/s', zones: [], lines: [] };
const config: DeviceConfig = {
  v: 1,
  revision: 3,
  cameras: [camera],
  detector: hog,
  live: { enabled: true, maxFps: 5 },
};

describe("a camera's detector", () => {
  it("is the device's unless the camera has its own", () => {
    expect(detectorFor(camera, config)).toEqual(hog);
    expect(detectorFor({ ...camera, detector: yolox }, config)).toEqual(yolox);
  });

  it('restarts the camera when its own detector is set, changed or taken off', () => {
    const own = { ...camera, detector: yolox };
    expect(sameSource(camera, { ...camera })).toBe(true);
    expect(sameSource(camera, own)).toBe(false);
    expect(sameSource(own, { ...camera, detector: { ...yolox, everyNth: 3 } })).toBe(false);
    expect(sameSource(own, camera)).toBe(false);
  });
});
