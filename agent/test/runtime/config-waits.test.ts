import { describe, expect, it } from 'vitest';
import { ConfigWaits } from '../../src/runtime/config-waits.ts';

describe('a request waiting for the configuration that brings its camera', () => {
  it('has what is there at once', async () => {
    const waits = new ConfigWaits();
    await expect(waits.until(() => 'door', 60_000)).resolves.toBe('door');
  });

  it('gets the camera when a configuration that brings it is applied', async () => {
    const waits = new ConfigWaits();
    let cameras: string[] = [];
    const asked = waits.until(() => cameras.find((c) => c === 'door'), 60_000);
    cameras = ['till'];
    waits.applied(); // not this one: still waiting
    cameras = ['till', 'door'];
    waits.applied();
    await expect(asked).resolves.toBe('door');
  });

  it('gives up when no configuration brings it', async () => {
    const waits = new ConfigWaits();
    await expect(waits.until(() => undefined, 20)).resolves.toBeUndefined();
    waits.applied(); // nobody is left waiting
  });
});
