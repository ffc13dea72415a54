/**
 * The upload worker as a real child process (Node with tsx, the agent's pipeline, real OpenCV) on
 * clips cut from the PETS 2009 video: a file cut short is done with a warning saying how many frames
 * it held, random bytes are "not a video file", a worker killed mid-job is an error naming the
 * signal, and what FFmpeg prints is summed up in one short line.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { getPriority, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cutClip } from '../../../agent/test/support/clip.ts';
import type { ProcessRequest } from '../../src/uploads/worker-messages.ts';
import { runWorker, StderrSummary, UploadWorkerError, workerNice } from '../../src/uploads/worker-process.ts';

let dir: string;

const request = (file: string): ProcessRequest => ({
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

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'oskartrack-worker-'));
  await cutClip(join(dir, 'clip.avi'), 40);
  const whole = readFileSync(join(dir, 'clip.avi'));
  writeFileSync(join(dir, 'cut.avi'), whole.subarray(0, Math.floor(whole.length * 0.3)));
  // Random bytes behind a real AVI header: the signature check passes, the decoder does not.
  const junk = Buffer.alloc(200_000);
  for (let i = 0; i < junk.length; i++) junk[i] = (i * 7919 + (i >> 3) * 104_729) & 0xff;
  writeFileSync(join(dir, 'random.avi'), junk);
}, 600_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('upload worker', () => {
  it('processes a file cut short to its end, at a lower priority, storing batches in order', async () => {
    const stored: number[] = [];
    let nice: number | undefined;
    let storing = 0;
    let overlapped = false;
    const done = await runWorker(
      { ...request(join(dir, 'cut.avi')), batchEvents: 2 },
      {
        onStart: (child) => {
          nice = getPriority(child.pid!);
        },
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
    expect(done.frames).toBeGreaterThan(0);
    expect(done.frames).toBeLessThan(40);
    expect(done.framesTotal).toBe(40);
    expect(done.warning).toBe(`the video ends after ${done.frames} of 40 frames: the file may be cut short`);
    expect(stored.reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
    expect(done.stderr.length).toBeLessThan(1200);
  }, 600_000);

  it('says "not a video file" for random bytes', async () => {
    const probe = runWorker({ type: 'probe', file: join(dir, 'random.avi') });
    await expect(probe).rejects.toThrow(/not a video file/);
    await expect(probe).rejects.toMatchObject({ rejected: true });
    const run = runWorker(request(join(dir, 'random.avi')));
    await expect(run).rejects.toThrow(/not a video file/);
  }, 600_000);

  it('fails with the signal when the worker is killed mid-job', async () => {
    let pid: number | undefined;
    let progressed = 0;
    const run = runWorker(request(join(dir, 'clip.avi')), {
      onStart: (child) => {
        pid = child.pid;
      },
      onProgress: (p) => {
        progressed = p.framesDone;
        if (pid) process.kill(pid, 'SIGKILL');
      },
    });
    const err = await run.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(UploadWorkerError);
    expect((err as Error).message).toMatch(
      /^the video decoder stopped unexpectedly: its process was killed \(SIGKILL\)/,
    );
    expect(progressed).toBeGreaterThan(0);
  }, 600_000);
});

describe('StderrSummary', () => {
  it('keeps a count and the last three different lines, not thousands of raw lines', () => {
    const s = new StderrSummary();
    for (let i = 0; i < 3000; i++) s.add(Buffer.from(`[mjpeg @ 0x5] error at MB ${i % 5}\n`));
    s.add(Buffer.from('[mjpeg @ 0x5] last words without newline'));
    const text = s.toString();
    expect(text).toMatch(/^3001 decoder messages, the last: /);
    expect(text.split(' | ')).toHaveLength(3);
    expect(text).toContain('last words without newline');
    expect(new StderrSummary().toString()).toBe('');
  });
});
