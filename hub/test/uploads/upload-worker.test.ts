/**
 * The hub's one upload worker over its life (real child processes, real OpenCV, a clip cut from the
 * PETS 2009 video): not started until asked, the same process for probes and recordings one after
 * the other, a new process once it was killed, and ended with the hub.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cutClip } from '../../../agent/test/support/clip.ts';
import { UploadWorker } from '../../src/uploads/upload-worker.ts';

let dir: string;
let clip: string;
let startedAt = 0;
const worker = new UploadWorker();

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function until(test: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 120_000;
  while (!test()) {
    if (Date.now() > deadline) throw new Error(`still waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const count = () =>
  worker.process({
    file: clip,
    cameraId: 'cam-1',
    startTime: Date.parse('2025-07-01T09:00:00Z'),
    fps: 7,
    detector: 'hog',
    dataDir: dir,
    zones: [],
    lines: [],
    batchEvents: 50,
  });

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'oskartrack-upload-worker-'));
  clip = join(dir, 'clip.avi');
  await cutClip(clip, 10);
}, 600_000);

afterAll(async () => {
  await worker.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('the upload worker', () => {
  it('starts when asked and answers probes and recordings in the same process', async () => {
    expect(worker.pid).toBeUndefined();
    worker.start();
    startedAt = Date.now();
    const pid = worker.pid;
    expect(pid).toBeDefined();
    worker.start();
    expect(worker.pid).toBe(pid);
    const probed = await worker.probe({ file: clip });
    expect(probed).toMatchObject({ width: 768, height: 576, frameCount: 10 });
    const done = await count();
    expect(done.frames).toBe(10);
    const again = await count();
    expect(again.frames).toBe(10);
    expect(worker.pid).toBe(pid);
  }, 600_000);

  it('starts a new process at once when its process is killed', async () => {
    const first = worker.pid!;
    // Only a worker that ran 10 s is restarted at once (one that cannot start must not loop).
    await until(() => Date.now() - startedAt > 10_500, 'the worker to have run 10 s');
    process.kill(first, 'SIGKILL');
    await until(() => worker.pid !== undefined && worker.pid !== first, 'a new worker, before any request');
    const probed = await worker.probe({ file: clip });
    expect(probed.frameCount).toBe(10);
    const second = worker.pid;
    expect(second).toBeDefined();
    expect(second).not.toBe(first);
    expect((await count()).frames).toBe(10);
    expect(worker.pid).toBe(second);
  }, 600_000);

  it('ends its process when stopped, and refuses work after that with words', async () => {
    const pid = worker.pid!;
    await worker.stop();
    expect(worker.pid).toBeUndefined();
    await until(() => !alive(pid), 'the worker process to end');
    await expect(worker.probe({ file: clip })).rejects.toThrow(
      'the hub is shutting down: upload again once it runs',
    );
    worker.start();
    expect(worker.pid).toBeUndefined();
  }, 600_000);
});
