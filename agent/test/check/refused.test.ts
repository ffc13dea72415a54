// The camera check on a network camera that is not there: a closed port on this machine (loopback
// only) fails the check at once, saying why and what to check, instead of waiting out the check's time.
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { runCheck } from '../../src/check/check.ts';
import { endpointOf, probeTcp } from '../../src/source/tcp-probe.ts';

/** A port on 127.0.0.1 that nothing listens on: one the system just gave out and took back. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return address.port;
}

describe('check on a camera address where nothing listens', () => {
  it('fails with the reason and what to do next', async () => {
    const port = await closedPort();
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
      `Nothing answers at 127.0.0.1:${port} (connection refused): check the camera's address and port, and that the camera is on`,
    );
  });

  it('probes the TCP port: refused, or something answering', async () => {
    const port = await closedPort();
    expect(await probeTcp({ host: '127.0.0.1', port })).toMatch(/connection refused/);
    const server = createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const open = (server.address() as { port: number }).port;
    expect(await probeTcp({ host: '127.0.0.1', port: open })).toBeUndefined();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it("reads the host and port of a camera address, with the scheme's default port", () => {
    expect(endpointOf('rtsp://user:pw@10.0.0.5/stream1')).toEqual({ host: '10.0.0.5', port: 554 });
    expect(endpointOf('rtsp://[::1]:8554/x')).toEqual({ host: '::1', port: 8554 });
    expect(endpointOf('http://cam.local/video.mjpg')).toEqual({ host: 'cam.local', port: 80 });
    expect(endpointOf('https://cam.local:8443/v')).toEqual({ host: 'cam.local', port: 8443 });
    expect(endpointOf('/videos/door.mp4')).toBeUndefined();
  });
});
