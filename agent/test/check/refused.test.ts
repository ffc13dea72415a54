// The camera check on a network camera that is not there: a closed port on this machine (loopback
// only) fails the check at once, saying why and what to check, instead of waiting out the check's time.
import { describe, expect, it } from 'vitest';
import { runCheck } from '../../src/check/check.ts';
import { refusedPort } from '../support/servers.ts';

describe('check on a camera address where nothing listens', () => {
  it('fails with the reason and what to do next', async () => {
    const port = await refusedPort();
    await expect(
      runCheck({
        source: `rtsp://127.0.0.1:${port}/x`,
        seconds: 5,
        detector: { kind: 'hog' },
        dataDir: '/nonexistent',
        tryOther: false,
        // Without the quick probe the check would wait this long and then say only "no picture".
        budgetMs: 20_000,
      }),
    ).rejects.toThrow(
      `the check cannot read this camera: nothing listens at 127.0.0.1:${port}: check the camera is on and the port is right`,
    );
  });

  it('fails at once for a webcam number with no such device, saying what to check', async () => {
    // A number no machine has a camera under.
    await expect(
      runCheck({
        source: '63',
        seconds: 5,
        detector: { kind: 'hog' },
        dataDir: '/nonexistent',
        tryOther: false,
      }),
    ).rejects.toThrow(
      'the check cannot read this camera: there is no /dev/video63 on this box: check that the camera is plugged in',
    );
  });
});
