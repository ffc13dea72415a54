// The camera check on a network camera (a real MJPEG stream over HTTP serving PETS09 frames at
// 7 frames/s): it stops after the asked seconds of the camera's own capture times, and measures the
// people it saw.
import { CameraCheck, check } from '@oskartrack/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCheck } from '../../src/check/check.ts';
import { loadOpenCV } from '../../src/cv.ts';
import { readFrames, YOLOX_NANO } from '../detect/pets.ts';
import { type MjpegServer, startMjpegServer } from '../source/mjpeg-server.ts';

let server: MjpegServer;

beforeAll(async () => {
  const cv = await loadOpenCV();
  const frames = await readFrames(Array.from({ length: 56 }, (_, i) => i));
  const jpegs = frames.map((m) => {
    const jpeg = cv.imencode('.jpg', m);
    m.release();
    return jpeg;
  });
  server = await startMjpegServer(jpegs, 0, Math.round(1000 / 7));
});
afterAll(() => server?.stop());

describe('camera check on a stream', () => {
  it('looks at the asked seconds of the camera and measures its people', async () => {
    const c = await runCheck({
      source: `http://127.0.0.1:${server.port}/video.mjpg`,
      fps: 7,
      seconds: 8,
      detector: { kind: 'yolox', model: YOLOX_NANO },
      dataDir: '/nonexistent',
      tryOther: false,
      budgetMs: 240_000,
    });
    expect(check(CameraCheck, c).ok).toBe(true);
    expect(c).toMatchObject({ width: 768, height: 576 });
    const run = c.runs[0]!;
    expect(run.frames).toBeGreaterThan(0);
    // It stops once the frames' capture times span the 8 s asked for.
    expect(run.seconds).toBeGreaterThanOrEqual(8);
    expect(run.fps).toBeGreaterThan(0);
    expect(c.motionShare).toBeGreaterThan(0);
    expect(c.personHeight!.median).toBeGreaterThan(50);
    expect(c.personHeight!.median).toBeLessThan(130);
  }, 300_000);
});
