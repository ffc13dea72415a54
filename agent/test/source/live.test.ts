import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CV, loadOpenCV } from '../../src/cv.ts';
import { backoffDelay, LiveSource, maskCredentials, redactUrl } from '../../src/source/live.ts';
import type { Capture, StateChange } from '../../src/source/source.ts';
import { readFrames, VIDEO } from '../detect/pets.ts';
import { startMjpegServer } from './mjpeg-server.ts';

describe('backoff', () => {
  it('doubles from the initial delay up to the cap', () => {
    const delays = [1, 2, 3, 4, 5, 6, 7, 8].map((a) => backoffDelay(a));
    expect(delays).toEqual([500, 1000, 2000, 4000, 8000, 16000, 30000, 30000]);
    expect(backoffDelay(3, { initialDelayMs: 10, factor: 3, maxDelayMs: 50 })).toBe(50);
    expect(backoffDelay(2, { initialDelayMs: 10, factor: 3 })).toBe(30);
  });

  it('keeps passwords out of reported URIs', () => {
    expect(redactUrl('rtsp://admin:secret@10.0.0.5:554/h264')).toBe('rtsp://admin:***@10.0.0.5:554/h264');
    expect(redactUrl('http://10.0.0.5/video')).toBe('http://10.0.0.5/video');
    expect(maskCredentials('cannot open rtsp://admin:p@ss:w0rd@10.0.0.5/h264 or http://u:x@cam/a')).toBe(
      'cannot open rtsp://admin:***@10.0.0.5/h264 or http://u:***@cam/a',
    );
  });
});

describe('live source state machine (the open function injected, real captures)', () => {
  let cv: CV;
  beforeAll(async () => {
    cv = await loadOpenCV();
  });

  it('retries a camera that cannot be opened with growing delays, then runs', async () => {
    let attempts = 0;
    const open = (target: string | number): Capture => {
      attempts++;
      if (attempts <= 2) throw new Error('VideoCapture::New - failed to open capture');
      return new cv.VideoCapture(String(target));
    };
    const times = [1_000, 2_000];
    const source = new LiveSource(cv, 'stream', VIDEO, {
      openCapture: open,
      initialDelayMs: 20,
      jitter: 0,
      now: () => times.shift() ?? 3_000,
    });
    const changes: StateChange[] = [];
    source.onState((c) => changes.push(c));
    expect(source.state).toBe('starting');
    const first = await source.read();
    const second = await source.read();
    expect(first?.index).toBe(0);
    expect(first?.at).toBe(1_000);
    expect(second?.index).toBe(1);
    expect(second?.at).toBe(2_000);
    expect(source.info).toMatchObject({
      kind: 'stream',
      width: 768,
      height: 576,
      fps: 10,
      fpsFrom: 'header',
    });
    expect(changes.map(({ state, attempt, delayMs }) => ({ state, attempt, delayMs }))).toEqual([
      { state: 'reconnecting', attempt: 1, delayMs: 20 },
      { state: 'reconnecting', attempt: 2, delayMs: 40 },
      { state: 'running', attempt: undefined, delayMs: undefined },
    ]);
    expect(changes[0]?.reason).toMatch(
      /cannot open .*vtest\.avi: VideoCapture::New - failed to open capture/,
    );
    await source.close();
    expect(source.state).toBe('stopped');
    expect(await source.read()).toBeNull();
  });

  it('gives up after maxAttempts: state failed, read rejects with the reason', async () => {
    const source = new LiveSource(cv, 'webcam', 7, {
      openCapture: () => {
        throw new Error('no such device');
      },
      initialDelayMs: 5,
      jitter: 0,
      maxAttempts: 3,
    });
    const states: string[] = [];
    source.onState((c) => states.push(c.state));
    await expect(source.read()).rejects.toThrow('Camera webcam:7 failed after 3 reconnection attempts');
    expect(states).toEqual(['reconnecting', 'reconnecting', 'reconnecting', 'failed']);
    expect(source.state).toBe('failed');
    await expect(source.read()).rejects.toThrow(/no such device/);
    await source.close();
  });

  it('close() interrupts a long backoff', async () => {
    const source = new LiveSource(cv, 'stream', 'rtsp://127.0.0.1:1/none', {
      openCapture: () => {
        throw new Error('refused');
      },
      initialDelayMs: 60_000,
    });
    const pending = source.read();
    await new Promise((r) => setTimeout(r, 20));
    const t0 = performance.now();
    await source.close();
    expect(await pending).toBeNull();
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(source.state).toBe('stopped');
  });
});

describe('live source against a real MJPEG camera over HTTP that goes away and comes back', () => {
  let jpegs: Buffer[] = [];
  beforeAll(async () => {
    const cv = await loadOpenCV();
    const mats = await readFrames([0, 1, 2, 3]);
    jpegs = mats.map((m) => {
      const small = m.resize(144, 192);
      const jpeg = cv.imencode('.jpg', small);
      small.release();
      m.release();
      return jpeg;
    });
  });
  afterAll(() => {
    jpegs = [];
  });

  it('runs, reconnects with backoff while the server is down, and runs again', async () => {
    const cv = await loadOpenCV();
    let server = await startMjpegServer(jpegs);
    const port = server.port;
    const source = new LiveSource(cv, 'stream', `http://127.0.0.1:${port}/video.mjpg`, {
      initialDelayMs: 50,
      maxDelayMs: 200,
      jitter: 0,
      cameraId: 'door',
    });
    const changes: StateChange[] = [];
    source.onState((c) => changes.push(c));
    try {
      for (let i = 0; i < 5; i++) {
        const before = Date.now();
        const frame = await source.read();
        expect(frame).toMatchObject({ cameraId: 'door', index: i, width: 192, height: 144 });
        expect(frame!.at).toBeGreaterThanOrEqual(before);
      }
      expect(source.state).toBe('running');

      await server.stop();
      // Read on: buffered frames may still come, then the drop sends the source into reconnecting.
      let reconnected = false;
      const restarted = (async () => {
        while (changes.filter((c) => c.state === 'reconnecting').length < 3) {
          await new Promise((r) => setTimeout(r, 10));
        }
        server = await startMjpegServer(jpegs, port);
        reconnected = true;
      })();
      let frame = await source.read();
      while (frame && !reconnected) frame = await source.read();
      await restarted;
      expect(frame).not.toBeNull();
      expect(source.state).toBe('running');
      const states = changes.map((c) => c.state);
      expect(states[0]).toBe('running');
      expect(states.at(-1)).toBe('running');
      const retries = changes.filter((c) => c.state === 'reconnecting');
      expect(retries.length).toBeGreaterThanOrEqual(3);
      expect(retries.slice(0, 3).map((c) => c.delayMs)).toEqual([50, 100, 200]);
      expect(frame!.index).toBeGreaterThanOrEqual(5);
    } finally {
      await source.close();
      await server.stop();
    }
  });
});
