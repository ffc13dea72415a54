// A camera's video file is a path on the box: its problems are reported in the box's words, retried
// with a growing delay, and a stopped worker does not wait out its delay.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { describeFileError, retryDelay } from '../../src/runtime/camera-retry.ts';
import { CameraWorker } from '../../src/runtime/camera-worker.ts';
import { waitFor } from '../link/helpers.ts';

const dir = mkdtempSync(join(tmpdir(), 'oskartrack-camera-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('camera retries', () => {
  it('backs off from the base delay up to a ceiling', () => {
    expect([0, 1, 2, 3].map((n) => retryDelay(n, 5000))).toEqual([5000, 10_000, 20_000, 40_000]);
    expect(retryDelay(50, 5000)).toBe(5 * 60_000);
  });

  it('says what is wrong with a file in the words of the box', () => {
    const p = '/srv/videos/door.mp4';
    expect(describeFileError(p, new Error(`Cannot read video file "${p}": the file does not exist`))).toBe(
      'the file /srv/videos/door.mp4 does not exist on the box',
    );
    expect(describeFileError(p, new Error(`Cannot read video file "${p}": permission denied`))).toMatch(
      /may not read the file \/srv\/videos\/door\.mp4 on the box/,
    );
    expect(describeFileError(p, new Error('something else'))).toBe('something else');
  });

  it('reports a missing file as failed with a plain reason, and stops at once while waiting to retry', async () => {
    const missing = join(dir, 'door.mp4');
    const worker = new CameraWorker({
      camera: { id: 'cam-1', name: 'Door', source: missing, zones: [], lines: [] },
      detector: { kind: 'hog', scoreThreshold: 0.5, everyNth: 1, motionGate: false },
      dataDir: dir,
      log: pino({ level: 'silent' }),
      onEvents: () => {},
      retryDelayMs: 10 * 60_000,
    });
    worker.start();
    await waitFor('failed', () => worker.state === 'failed', 60_000);
    expect(worker.error).toBe(`the file ${missing} does not exist on the box`);
    await worker.stop(); // would wait 10 minutes if the delay could not be cut short
    expect(worker.state).toBe('stopped');
  }, 90_000);

  it('says a file that is not a video is not one this box can read', async () => {
    const text = join(dir, 'notes.mp4');
    writeFileSync(text, 'not a video');
    const worker = new CameraWorker({
      camera: { id: 'cam-2', name: 'Till', source: text, zones: [], lines: [] },
      detector: { kind: 'hog', scoreThreshold: 0.5, everyNth: 1, motionGate: false },
      dataDir: dir,
      log: pino({ level: 'silent' }),
      onEvents: () => {},
      retryDelayMs: 10 * 60_000,
    });
    worker.start();
    await waitFor('failed', () => worker.state === 'failed', 60_000);
    expect(worker.error).toBe(
      `the file ${text} on the box is not a video this box can read (or it is damaged)`,
    );
    await worker.stop();
  }, 90_000);
});
