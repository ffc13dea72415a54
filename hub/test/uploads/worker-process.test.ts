/**
 * One upload worker process (Node with tsx, the agent's pipeline, real OpenCV) on clips cut from the
 * PETS 2009 video: a file cut short is done with a warning saying how many frames it held, at a lower
 * priority, batches stored in order; random bytes are "not a video file" and the worker carries on; a
 * probe is answered while a recording is counted; a cancelled recording stops and the worker stays; a
 * worker killed mid-job fails its request with words naming the signal.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { getPriority, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cutClip } from '../../../agent/test/support/clip.ts';
import type { ProcessRequest } from '../../src/uploads/worker-messages.ts';
import { UploadWorkerError, WorkerProcess, workerNice } from '../../src/uploads/worker-process.ts';

let dir: string;
let worker: WorkerProcess;

const request = (file: string): Omit<ProcessRequest, 'id'> => ({
  type: 'process',
  file,
  cameraId: 'cam-1',
  startTime: Date.parse('2025-07-01T09:00:00Z'),
  fps: 7,
  detector: 'hog',
  dataDir: dir,
  zones: [],
  lines: [{ id: 'west', name: 'West', start: [250, 330], end: [250, 180], inSide: 'left' }],
  batchEvents: 50,
});

const failure = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: unknown) => e,
  );

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'oskartrack-worker-'));
  await cutClip(join(dir, 'clip.avi'), 40);
  const whole = readFileSync(join(dir, 'clip.avi'));
  writeFileSync(join(dir, 'cut.avi'), whole.subarray(0, Math.floor(whole.length * 0.3)));
  // Random bytes behind a real AVI header: the signature check passes, the decoder does not.
  const junk = Buffer.alloc(200_000);
  for (let i = 0; i < junk.length; i++) junk[i] = (i * 7919 + (i >> 3) * 104_729) & 0xff;
  writeFileSync(join(dir, 'random.avi'), junk);
  worker = new WorkerProcess();
}, 600_000);

afterAll(async () => {
  await worker?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('upload worker process', () => {
  it('processes a file cut short to its end, at a lower priority, storing batches in order', async () => {
    const stored: number[] = [];
    let storing = 0;
    let overlapped = false;
    const nice = getPriority(worker.pid!);
    const done = await worker.request(
      { ...request(join(dir, 'cut.avi')), batchEvents: 2 },
      {
        onEvents: async (events) => {
          // Batches run ahead in the worker, but the hub stores them one at a time, in order.
          overlapped ||= storing > 0;
          storing++;
          await new Promise((r) => setTimeout(r, 20));
          stored.push(events.length);
          storing--;
        },
      },
    );
    expect(nice).toBe(workerNice());
    expect(nice).toBeGreaterThan(getPriority());
    expect(overlapped).toBe(false);
    if (done.type !== 'done') throw new Error(`answered ${done.type}`);
    expect(done.frames).toBeGreaterThan(0);
    expect(done.frames).toBeLessThan(40);
    expect(done.framesTotal).toBe(40);
    expect(done.warning).toBe(
      `The video ended after ${done.frames} of 40 frames: the file looks truncated or damaged; counts cover only the part that could be read.`,
    );
    expect(stored.reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
    expect(done.stderr.length).toBeLessThan(1200);
  }, 600_000);

  it('says "not a video file" for random bytes, and the same process answers the next request', async () => {
    const pid = worker.pid;
    const probe = worker.request({ type: 'probe', file: join(dir, 'random.avi') });
    await expect(probe).rejects.toThrow(/not a video file/);
    await expect(probe).rejects.toMatchObject({ rejected: true });
    await expect(worker.request(request(join(dir, 'random.avi')))).rejects.toThrow(/not a video file/);
    const probed = await worker.request({ type: 'probe', file: join(dir, 'clip.avi') });
    expect(probed).toMatchObject({ type: 'probed', width: 768, height: 576, frameCount: 40 });
    expect(worker.pid).toBe(pid);
    expect(worker.exited).toBe(false);
  }, 600_000);

  it('answers a probe while it counts a recording, and stops a cancelled recording without dying', async () => {
    const abort = new AbortController();
    let framesDone = 0;
    let probed: unknown;
    const counting = worker.request(request(join(dir, 'clip.avi')), {
      signal: abort.signal,
      onProgress: (p) => {
        framesDone = p.framesDone;
        if (probed) abort.abort();
      },
    });
    probed = await worker.request({ type: 'probe', file: join(dir, 'cut.avi') });
    expect(probed).toMatchObject({ type: 'probed', frameCount: 40 });
    const err = await failure(counting);
    // Stopped once the probe was answered: before its end, with the worker still there.
    expect(err).toBeInstanceOf(UploadWorkerError);
    expect((err as Error).message).toBe('stopped by the hub');
    expect(framesDone).toBeLessThan(40);
    expect(worker.exited).toBe(false);
    expect(worker.busy).toBe(0);
  }, 600_000);

  it('fails the request with the signal when the worker is killed mid-job', async () => {
    let progressed = 0;
    const pid = worker.pid!;
    const run = worker.request(request(join(dir, 'clip.avi')), {
      onProgress: (p) => {
        if (progressed === 0) process.kill(pid, 'SIGKILL');
        progressed = p.framesDone;
      },
    });
    const err = await failure(run);
    expect(err).toBeInstanceOf(UploadWorkerError);
    expect((err as Error).message).toMatch(
      /^the video decoder stopped unexpectedly: its process was killed \(SIGKILL\).*upload the recording again/,
    );
    expect(progressed).toBeGreaterThan(0);
    await worker.closed;
    expect(worker.exited).toBe(true);
    await expect(worker.request({ type: 'probe', file: join(dir, 'clip.avi') })).rejects.toThrow(
      /had stopped: try again/,
    );
  }, 600_000);
});
