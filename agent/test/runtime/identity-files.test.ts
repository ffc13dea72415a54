import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type DeviceConfig, PROTOCOL_VERSION } from '@oskartrack/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { configPath, loadConfig, saveConfig } from '../../src/runtime/identity.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe("the box's saved configuration", () => {
  it('is readable by its own user only: camera addresses may carry passwords', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'oskartrack-config-'));
    dirs.push(dir);
    const config: DeviceConfig = {
      v: PROTOCOL_VERSION,
      revision: 3,
      cameras: [
        { id: 'door', name: 'Door', source: 'rtsp://admin:secret@127.0.0.1/s', zones: [], lines: [] },
      ],
      detector: { kind: 'hog', scoreThreshold: 'auto', everyNth: 'auto', motionGate: false },
      live: { enabled: true, maxFps: 5 },
    };
    await saveConfig(dir, config);
    expect(statSync(configPath(dir)).mode & 0o777).toBe(0o600);
    await saveConfig(dir, { ...config, revision: 4 }); // every update, not only the first
    expect(statSync(configPath(dir)).mode & 0o777).toBe(0o600);
    expect((await loadConfig(dir))?.revision).toBe(4);
  });
});
