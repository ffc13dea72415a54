// Network cameras against a real RTSP server (GStreamer's, started by the test): frames arrive; a
// camera that dies and comes back on the same port is reconnected and the gap counted; a wrong
// password is told apart from a dead camera and retried slowly; a stream frozen without closing is
// noticed as stalled and recovers; and a camera worker keeps counting across a drop.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TrackingEvent } from '@oskartrack/protocol';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type CV, loadOpenCV } from '../../src/cv.ts';
import { CameraWorker } from '../../src/runtime/camera-worker.ts';
import { LiveSource, type LiveSourceOptions } from '../../src/source/live.ts';
import { PictureGaps } from '../../src/source/picture-gaps.ts';
import type { StateChange } from '../../src/source/source.ts';
import { probeStream } from '../../src/source/stream-probe.ts';
import { cutClip } from '../support/clip.ts';
import { type RtspServer, startRtspServer, waitFor } from './rtsp-server.ts';

const USER = { user: 'door', password: 's3cret-pass' };
const servers: RtspServer[] = [];
const dirs: string[] = [];
let cv: CV;

beforeAll(async () => {
  cv = await loadOpenCV();
});
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.kill()));
});
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function server(options: Parameters<typeof startRtspServer>[0] = {}): Promise<RtspServer> {
  const s = await startRtspServer(options);
  servers.push(s);
  return s;
}

/** Reads a live source in the background, as the camera worker does, recording frames and states. */
function pump(url: string, options: LiveSourceOptions = {}) {
  const source = new LiveSource(cv, 'stream', url, {
    initialDelayMs: 100,
    maxDelayMs: 500,
    cameraId: 'door',
    ...options,
  });
  const gaps = new PictureGaps();
  const changes: StateChange[] = [];
  const frames: { index: number; at: number; width: number }[] = [];
  source.onState((c) => {
    changes.push(c);
    gaps.change(c.state, c.problem);
  });
  const done = (async () => {
    for (;;) {
      const frame = await source.read();
      if (!frame) return;
      frames.push({ index: frame.index, at: frame.at, width: frame.width });
      gaps.frame(frame.at);
    }
  })();
  return {
    source,
    gaps,
    changes,
    frames,
    async close() {
      await source.close();
      await done;
    },
  };
}

const noPassword = (changes: StateChange[]) =>
  changes.every((c) => !c.reason?.includes(USER.password) && !c.reason?.includes('s3cret'));

describe('a live source on a real RTSP camera', { timeout: 120_000 }, () => {
  it('receives H.264 frames, with the size and frame rate the camera announces', async () => {
    const camera = await server();
    const run = pump(camera.url());
    try {
      await waitFor(() => run.frames.length >= 5, 'frames');
      expect(run.frames[0]).toMatchObject({ index: 0, width: 320 });
      expect(run.source.state).toBe('running');
      expect(run.source.info).toMatchObject({ width: 320, height: 240, fps: 10, fpsFrom: 'header' });
      expect(await probeStream(camera.url().replace('/stream', '/nothing'))).toMatchObject({
        problem: 'not-found',
        detail: 'the camera has no stream at this path: check the path in the camera address on the hub',
      });
    } finally {
      await run.close();
    }
  });

  it('answers a digest challenge when probing', async () => {
    const camera = await server({ ...USER, auth: 'digest' });
    expect(await probeStream(camera.url(USER))).toEqual({ detail: 'the camera answered' });
    expect(await probeStream(camera.url({ ...USER, password: 'nope' }))).toMatchObject({
      problem: 'credentials',
    });
  });

  it('reconnects with backoff when the camera dies and comes back on the same port, and counts the gap', async () => {
    let camera = await server();
    const run = pump(camera.url(USER), { jitter: 0 });
    try {
      await waitFor(() => run.frames.length >= 5, 'the first frames');
      const before = run.frames.length;
      await camera.kill();
      // Reconnection attempts with growing delays while nothing listens on the port.
      await waitFor(() => run.changes.filter((c) => c.state === 'reconnecting').length >= 3, 'three retries');
      const retries = run.changes.filter((c) => c.state === 'reconnecting');
      expect(retries.map((c) => c.delayMs).slice(0, 3)).toEqual([100, 200, 400]);
      expect(retries.at(-1)).toMatchObject({ problem: 'unreachable' });
      expect(retries.at(-1)!.reason).toMatch(/nothing listens at 127\.0\.0\.1:\d+/);
      expect(run.gaps.report()).toMatchObject({ state: 'reconnecting', problem: 'unreachable', gaps: 1 });

      camera = await server({ port: camera.port });
      await waitFor(() => run.frames.length >= before + 5, 'frames after the restart');
      expect(run.source.state).toBe('running');
      // Frame numbers go on: the picture came back without a new source.
      expect(run.frames.at(-1)!.index).toBe(run.frames.length - 1);
      const report = run.gaps.report();
      expect(report).toMatchObject({ state: 'running', gaps: 1 });
      expect(report.gapMs).toBeGreaterThan(0);
      expect(report.lastFrameAt).toBe(run.frames.at(-1)!.at);
      expect(run.source.info.uri).toBe(`rtsp://${USER.user}:***@127.0.0.1:${camera.port}/stream`);
      expect(noPassword(run.changes)).toBe(true);
    } finally {
      await run.close();
    }
  });

  it('tells a refused password from a dead camera: no frames, a plain reason, a slow retry', async () => {
    const camera = await server(USER);
    const wrong = { user: USER.user, password: 'wrong-secret' };
    expect(await probeStream(camera.url(wrong))).toMatchObject({ problem: 'credentials' });
    expect(await probeStream(camera.url())).toMatchObject({ problem: 'credentials' });
    expect(await probeStream(camera.url(USER))).toEqual({ detail: 'the camera answered' });
    const refused = pump(camera.url(wrong), { configRetryDelayMs: 60_000, jitter: 0 });
    const allowed = pump(camera.url(USER));
    try {
      await waitFor(() => refused.changes.length >= 1, 'the refusal');
      expect(refused.changes[0]).toMatchObject({
        state: 'reconnecting',
        problem: 'credentials',
        reason: 'the camera refused the user name or password: correct them on the hub',
        delayMs: 60_000,
      });
      // The right password on the same camera gets pictures, so the refusal was about the password.
      await waitFor(() => allowed.frames.length >= 3, 'frames with the right password');
      expect(refused.frames).toEqual([]);
      expect(refused.changes).toHaveLength(1);
      expect(refused.gaps.report()).toMatchObject({ problem: 'credentials', gaps: 0 });
      expect(JSON.stringify(refused.changes)).not.toContain('wrong-secret');
    } finally {
      await Promise.all([refused.close(), allowed.close()]);
    }
  });

  it('notices a stream that stalls without closing and recovers when it resumes', async () => {
    const camera = await server();
    const stallTimeoutMs = 2000;
    const run = pump(camera.url(), { stallTimeoutMs, networkTimeoutMs: 1000 });
    try {
      await waitFor(() => run.frames.length >= 5, 'the first frames');
      const frozenAt = Date.now();
      camera.freeze();
      await waitFor(() => run.changes.some((c) => c.problem === 'stalled'), 'the stall to be noticed');
      const noticedAfter = Date.now() - frozenAt;
      const stalled = run.changes.find((c) => c.problem === 'stalled')!;
      expect(stalled).toMatchObject({
        state: 'reconnecting',
        reason: 'no picture for 2 s: the camera stopped sending',
      });
      // Not before the timeout (frames buffered before the freeze may come first, hence no upper bound here).
      expect(noticedAfter).toBeGreaterThanOrEqual(stallTimeoutMs - 100);
      console.info(`stall noticed ${noticedAfter} ms after the freeze (timeout ${stallTimeoutMs} ms)`);
      // While frozen, the camera takes connections but answers nothing.
      await waitFor(() => run.changes.some((c) => c.problem === 'not-answering'), 'a retry without answer');
      const count = run.frames.length;
      camera.thaw();
      await waitFor(() => run.frames.length >= count + 5, 'frames after the stream resumed');
      expect(run.source.state).toBe('running');
      expect(run.gaps.report()).toMatchObject({ state: 'running', gaps: 1 });
      expect(run.gaps.report().gapMs).toBeGreaterThanOrEqual(stallTimeoutMs);
    } finally {
      camera.thaw();
      await run.close();
    }
  });
});

describe('a camera worker on an RTSP camera that drops', { timeout: 120_000 }, () => {
  it('counts before and after the gap without a restart, and never joins tracks across it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'oskartrack-rtsp-'));
    dirs.push(dir);
    const clip = join(dir, 'pets.avi');
    // 500 frames (71 s): the stream must not end on its own (a second gap) while a busy machine's
    // detector is still looking for people, before or after the drop.
    await cutClip(clip, 500);
    let camera = await server({ file: clip, ...USER });
    const events: TrackingEvent[] = [];
    const worker = new CameraWorker({
      camera: { id: 'door', name: 'Door', source: camera.url(USER), zones: [], lines: [] },
      detector: { kind: 'hog', scoreThreshold: 0.3, everyNth: 1, motionGate: false },
      dataDir: dir,
      log: pino({ level: 'silent' }),
      onEvents: (list) => events.push(...list),
    });
    worker.start();
    try {
      const started = () => events.filter((e) => e.kind === 'track_started');
      await waitFor(() => started().length >= 2, 'people tracked before the drop', 90_000);
      await camera.kill();
      await waitFor(() => worker.problem === 'unreachable', 'the worker to find the camera gone');
      expect(worker.state).toBe('reconnecting');
      const gapAt = Date.now();
      const before = new Set(events.map((e) => e.trackId));
      camera = await server({ file: clip, ...USER, port: camera.port });
      await waitFor(
        () => started().some((e) => e.at > gapAt),
        'people tracked after the camera came back',
        90_000,
      );
      expect(worker.state).toBe('running');
      expect(worker.picture()).toMatchObject({ state: 'running', gaps: 1 });
      const after = events.filter((e) => e.at > gapAt);
      // Every track of before the gap was closed at its last sighting; none goes on after it.
      for (const id of before)
        expect(events.some((e) => e.kind === 'track_ended' && e.trackId === id)).toBe(true);
      expect(after.filter((e) => before.has(e.trackId))).toEqual([]);
    } finally {
      await worker.stop();
    }
  });
});
