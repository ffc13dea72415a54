// A camera worker playing a recording whose picture is covered for a while: the status it gives the
// box (what goes to the hub) says `covered` and since when, the change is published at once, and the
// report goes away once the picture is back.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { loadOpenCV } from '../../src/cv.ts';
import { CameraWorker } from '../../src/runtime/camera-worker.ts';
import { waitFor } from '../source/rtsp-server.ts';
import { PETS_CLIP } from '../support/clip.ts';

const FPS = 7;
const dir = mkdtempSync(join(tmpdir(), 'oskartrack-picture-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** `good` frames of the PETS clip, then `covered` of the same frames with the lens covered by a bag. */
async function writeClip(path: string, good: number, covered: number): Promise<void> {
  const cv = await loadOpenCV();
  const capture = new cv.VideoCapture(PETS_CLIP);
  const writer = new cv.VideoWriter(path, cv.VideoWriter.fourcc('MJPG'), FPS, new cv.Size(768, 576), true);
  try {
    for (let i = 0; i < good + covered; i++) {
      const frame = capture.read();
      // An even grey over the whole picture: nothing of the scene is left.
      const out = i < good ? frame : frame.convertTo(cv.CV_8UC3, 0, 90);
      writer.write(out);
      if (out !== frame) out.release();
      frame.release();
    }
  } finally {
    writer.release();
    capture.release();
  }
}

describe('camera worker: the picture problem in the box status', () => {
  it('reports covered with its start while the lens is covered, and nothing once it is back', async () => {
    const clip = join(dir, 'covered.avi');
    await writeClip(clip, 6 * FPS, 6 * FPS);
    const published: ReturnType<CameraWorker['pictureProblem']>[] = [];
    const worker = new CameraWorker({
      camera: { id: 'door', name: 'Door', source: clip, fps: FPS, zones: [], lines: [] },
      detector: { kind: 'hog', scoreThreshold: 'auto', everyNth: 4, motionGate: true },
      dataDir: dir,
      log: pino({ level: 'silent' }),
      onEvents: () => {},
      onStateChange: () => published.push(worker.pictureProblem()),
      pictureWatch: { reportAfterMs: 2000, clearAfterMs: 2000, learnChecks: 3 },
    });
    worker.start();
    try {
      await waitFor(
        () => published.some((p) => p.picture === 'covered'),
        'the picture reported covered',
        120_000,
      );
      const covered = published.find((p) => p.picture === 'covered')!;
      const { lastFrameAt } = worker.picture();
      expect(covered.pictureSince).toBeGreaterThan(0);
      expect(covered.pictureSince).toBeLessThanOrEqual(lastFrameAt!);
      // The clip loops: the scene comes back and the report goes.
      await waitFor(
        () => published.at(-1)?.picture === undefined && published.length > published.indexOf(covered) + 1,
        'the picture reported fine again',
        120_000,
      );
      expect(worker.pictureProblem()).toEqual({});
      expect(published.every((p) => p.picture === undefined || p.picture === 'covered')).toBe(true);
    } finally {
      await worker.stop();
    }
  });
});
