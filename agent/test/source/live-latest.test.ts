// A live camera read by a consumer slower than the camera (detection that takes longer than a frame):
// with newestOnly it gets the newest picture each time (the pictures it sees jump ahead, the skipped
// ones are counted), where a plain read gets one picture after the other and falls behind. A file
// opened the same way still hands out every frame.
//
// The camera is the MJPEG-over-HTTP test server sending pictures of one even grey each, a different
// level per picture, so the picture itself says which one the camera sent.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CV, loadOpenCV, type Mat } from '../../src/cv.ts';
import { openSource } from '../../src/source/index.ts';
import { LiveSource } from '../../src/source/live.ts';
import type { FrameSource } from '../../src/source/source.ts';
import { type MjpegServer, startMjpegServer } from './mjpeg-server.ts';
import { waitFor } from './rtsp-server.ts';

/** Pictures the camera sends in a loop, and the grey-level step between two of them. */
const PICTURES = 50;
const STEP = 5;
/** The camera sends a picture every 20 ms (50 a second); the consumer works 150 ms on each. */
const CAMERA_MS = 20;
const WORK_MS = 150;
const READS = 8;

let cv: CV;
let server: MjpegServer;
const dir = mkdtempSync(join(tmpdir(), 'oskartrack-latest-'));

/** Picture `k`: 160x120, every pixel at grey level k * STEP. */
const picture = (k: number): Mat => new cv.Mat(120, 160, cv.CV_8UC3, [k * STEP, k * STEP, k * STEP]);

/** Which picture a decoded frame is, from its grey level (JPEG keeps an even grey to within a level). */
const pictureOf = (mat: Mat): number => Math.round(mat.cvtColor(cv.COLOR_BGR2GRAY).mean().w / STEP);

beforeAll(async () => {
  cv = await loadOpenCV();
  const jpegs: Buffer[] = [];
  for (let k = 0; k < PICTURES; k++)
    jpegs.push(cv.imencode('.jpg', picture(k), [cv.IMWRITE_JPEG_QUALITY, 95]));
  server = await startMjpegServer(jpegs, 0, CAMERA_MS);
});
afterAll(async () => {
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

interface Seen {
  index: number;
  picture: number;
}

/** Reads `READS` frames, working `WORK_MS` on each as slow detection would. */
async function slowConsumer(source: FrameSource): Promise<Seen[]> {
  const seen: Seen[] = [];
  for (let i = 0; i < READS; i++) {
    const frame = await source.read();
    if (!frame) break;
    seen.push({ index: frame.index, picture: pictureOf(frame.mat) });
    await sleep(WORK_MS);
  }
  return seen;
}

/** Steps between the pictures seen one after the other, in the camera's loop of PICTURES. */
const steps = (seen: Seen[]) =>
  seen.slice(1).map((s, i) => (s.picture - seen[i]!.picture + PICTURES) % PICTURES);

const url = () => `http://127.0.0.1:${server.port}/video.mjpg`;

describe('a live camera read by a consumer slower than the camera', () => {
  it('with newestOnly, gets the newest picture each time and counts the skipped ones', async () => {
    const source = new LiveSource(cv, 'stream', url(), { newestOnly: true, cameraId: 'door' });
    try {
      const seen = await slowConsumer(source);
      expect(seen).toHaveLength(READS);
      // The camera sent several pictures while the consumer worked: it sees them jump ahead.
      // (At least once: on a very busy machine the reader itself may fall behind now and then.)
      expect(steps(seen).filter((s) => s > 1).length).toBeGreaterThan(0);
      for (let i = 1; i < seen.length; i++) expect(seen[i]!.index).toBeGreaterThan(seen[i - 1]!.index);
      const jumps = seen.slice(1).filter((s, i) => s.index > seen[i]!.index + 1);
      expect(jumps.length).toBeGreaterThan(0);
      // Every frame decoded before the last one handed out was either handed out or dropped.
      expect(source.droppedFrames).toBeGreaterThan(0);
      expect(source.droppedFrames).toBeGreaterThanOrEqual(seen.at(-1)!.index + 1 - READS);
    } finally {
      await source.close();
    }
    expect(source.state).toBe('stopped');
    expect(await source.read()).toBeNull();
  });

  it('without it, gets one picture after the other and falls behind the camera', async () => {
    const source = new LiveSource(cv, 'stream', url(), { cameraId: 'door' });
    try {
      const seen = await slowConsumer(source);
      expect(seen.map((s) => s.index)).toEqual([...Array(READS).keys()]);
      expect(steps(seen)).toEqual(Array(READS - 1).fill(1));
      expect(source.droppedFrames).toBe(0);
    } finally {
      await source.close();
    }
  });
});

describe('a live camera read newest-only that goes away and comes back', () => {
  it('reconnects in the background and never hands out a picture from before the drop after it', async () => {
    const jpegs = [0, 1, 2].map((k) => cv.imencode('.jpg', picture(k)));
    let camera = await startMjpegServer(jpegs, 0, CAMERA_MS);
    const port = camera.port;
    const source = new LiveSource(cv, 'stream', `http://127.0.0.1:${port}/video.mjpg`, {
      newestOnly: true,
      initialDelayMs: 50,
      maxDelayMs: 200,
    });
    let lostAt: number | undefined;
    source.onState((c) => {
      if (c.state === 'reconnecting') lostAt ??= Date.now();
    });
    try {
      expect(await source.read()).not.toBeNull();
      await camera.stop();
      await waitFor(() => lostAt !== undefined, 'the source to notice the camera is gone');
      camera = await startMjpegServer(jpegs, port, CAMERA_MS);
      const frame = await source.read();
      // The picture handed out after the drop was taken after it, not left over from before.
      expect(frame!.at).toBeGreaterThanOrEqual(lostAt!);
      expect(source.state).toBe('running');
    } finally {
      await source.close();
      await camera.stop();
    }
  });
});

describe('a video file read by the same slow consumer', () => {
  it('still gets every frame in order, even when opened with newestOnly as the camera worker does', async () => {
    const path = join(dir, 'greys.avi');
    const writer = new cv.VideoWriter(path, cv.VideoWriter.fourcc('MJPG'), 25, new cv.Size(160, 120), true);
    for (let k = 0; k < READS; k++) writer.write(picture(k));
    writer.release();
    const source = await openSource(path, { newestOnly: true, realtime: true });
    try {
      const seen = await slowConsumer(source);
      expect(seen.map((s) => s.index)).toEqual([...Array(READS).keys()]);
      expect(seen.map((s) => s.picture)).toEqual([...Array(READS).keys()]);
    } finally {
      await source.close();
    }
  });
});
