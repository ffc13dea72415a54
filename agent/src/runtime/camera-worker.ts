// One camera on the box: source -> engine, events to the outbox, live boxes to the link.
// Keeps going through camera drops and decoder errors; a config change is applied in place.

import { setTimeout as sleep } from 'node:timers/promises';
import {
  type CameraConfig,
  type CameraProblem,
  type CameraState,
  type DetectorSettings,
  type LiveTracks,
  type PictureProblem,
  PROTOCOL_VERSION,
  type TrackingEvent,
} from '@oskartrack/protocol';
import type { Logger } from 'pino';
import type { Scene } from '../analytics/index.ts';
import { loadOpenCV } from '../cv.ts';
import { PictureWatch, type PictureWatchOptions } from '../detect/picture-watch.ts';
import type { Engine } from '../engine/engine.ts';
import { openPipeline } from '../engine/pipeline.ts';
import { runSource } from '../engine/run.ts';
import {
  type FrameSource,
  LiveSource,
  maskCredentials,
  type StateChange,
  sourceKind,
} from '../source/index.ts';
import { PictureGaps, type PictureReport } from '../source/picture-gaps.ts';
import type { Frame, Tracks } from '../types.ts';
import { describeFileError, HEALTHY_RUN_MS, retryDelay } from './camera-retry.ts';

export interface CameraWorkerOptions {
  camera: CameraConfig;
  detector: DetectorSettings;
  dataDir: string;
  log: Logger;
  /** Must store the events durably before returning (the outbox). */
  onEvents: (events: TrackingEvent[]) => void;
  onLive?: (live: LiveTracks) => void;
  liveMaxFps?: number;
  /** Live video (live-video.ts): whether a picture is due, and sending one. */
  video?: { due(cameraId: string): boolean; send(frame: Frame): Promise<boolean> };
  /** The camera's state or problem changed (not called for each retry in the same trouble). */
  onStateChange?: () => void;
  /** Wait before reopening a camera after a failure. */
  retryDelayMs?: number;
  /** The covered / moved / dark picture watch's settings (tests shorten its delays). */
  pictureWatch?: PictureWatchOptions;
}

export interface Snapshot {
  jpeg: Buffer;
  width: number;
  height: number;
}

interface PendingSnapshot {
  maxWidth: number | undefined;
  resolve: (s: Snapshot) => void;
  reject: (e: Error) => void;
}

const sceneOf = (c: CameraConfig): Scene => ({ zones: c.zones, lines: c.lines });

export class CameraWorker {
  state: CameraState = 'starting';
  error: string | undefined;
  problem: CameraProblem | undefined;
  fps = 0;
  /** Picture lost and back: kept across reopenings, for the status. */
  private readonly gaps = new PictureGaps();
  /** Covered, moved or dark: kept across reopenings, so the learnt scene survives a drop. */
  private watch: PictureWatch | undefined;
  /** Pictures skipped by the sources of earlier runs (reopenings). */
  private droppedBefore = 0;
  private engine: Engine | undefined;
  private source: FrameSource | undefined;
  private readonly abort = new AbortController();
  private running: Promise<void> | undefined;
  private lastLive = 0;
  private pending: PendingSnapshot[] = [];
  private frames = 0;
  private fpsSince = performance.now();

  constructor(private opts: CameraWorkerOptions) {}

  get camera(): CameraConfig {
    return this.opts.camera;
  }

  /** State since when, last frame, and the picture lost in the last 24 hours. */
  picture(): PictureReport {
    return this.gaps.report();
  }

  /** A problem with the running camera's picture itself, and since when; empty while it is fine. */
  pictureProblem(): { picture?: PictureProblem; pictureSince?: number } {
    const w = this.watch;
    if (this.state !== 'running' || !w?.problem || w.since === undefined) return {};
    return { picture: w.problem, pictureSince: Math.round(w.since) };
  }

  /**
   * Pictures of a live camera skipped since the start, so that detection slower than the camera
   * works on the newest picture instead of falling behind (LiveSource newestOnly).
   */
  get droppedFrames(): number {
    return this.droppedBefore + (this.source instanceof LiveSource ? this.source.droppedFrames : 0);
  }

  start(): void {
    this.running ??= this.loop();
  }

  /** New areas and lines without a restart; the `zone_left` of removed areas go to the outbox. */
  setScene(camera: CameraConfig): void {
    this.opts = { ...this.opts, camera };
    const events = this.engine?.setScene(sceneOf(camera));
    if (events?.length) this.opts.onEvents(events);
  }

  /** A JPEG of the next frame (for drawing areas on the dashboard). */
  snapshot(maxWidth?: number, timeoutMs = 10_000): Promise<Snapshot> {
    return new Promise((resolve, reject) => {
      const entry: PendingSnapshot = { maxWidth, resolve, reject };
      this.pending.push(entry);
      setTimeout(() => {
        if (!this.pending.includes(entry)) return;
        this.pending = this.pending.filter((p) => p !== entry);
        reject(
          new Error(`camera ${this.camera.id} gave no picture within ${timeoutMs / 1000} s (${this.state})`),
        );
      }, timeoutMs).unref();
    });
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.source?.close();
    await this.running;
    this.state = 'stopped';
    this.watch?.close();
    this.watch = undefined;
    for (const p of this.pending) p.reject(new Error(`camera ${this.camera.id} stopped`));
    this.pending = [];
  }

  private async loop(): Promise<void> {
    const { log } = this.opts;
    let failures = 0;
    while (!this.abort.signal.aborted) {
      const attemptAt = performance.now();
      try {
        await this.runOnce();
        if (sourceKind(this.camera.source) === 'file' && this.camera.loop === false) break;
      } catch (err) {
        if (this.abort.signal.aborted) break;
        this.state = 'failed';
        const file = sourceKind(this.camera.source) === 'file';
        this.error = file
          ? describeFileError(this.camera.source, err)
          : maskCredentials(err instanceof Error ? err.message : String(err)); // may quote the address
        this.gaps.change('failed');
        this.opts.onStateChange?.();
        if (performance.now() - attemptAt > HEALTHY_RUN_MS) failures = 0;
        const delay = retryDelay(failures++, this.opts.retryDelayMs ?? 5000);
        log.error(
          { camera: this.camera.id, err: this.error, retryInMs: delay },
          'camera stopped working; retrying later',
        );
        await sleep(delay, undefined, { signal: this.abort.signal }).catch(() => undefined);
      }
    }
    this.state = 'stopped';
  }

  private async runOnce(): Promise<void> {
    const { camera, detector: settings } = this.opts;
    const { source, engine, close } = await openPipeline({
      cameraId: camera.id,
      source: camera.source,
      sourceOptions: {
        ...(camera.fps ? { fps: camera.fps } : {}),
        // A recording configured as a camera plays as if live: in a loop, at its own pace.
        loop: camera.loop ?? sourceKind(camera.source) === 'file',
        realtime: true,
        // A live camera: detection works on the newest picture and skips the ones it has no time for.
        newestOnly: true,
      },
      detector: { ...settings, maxStillFrames: 50 },
      dataDir: this.opts.dataDir,
      scene: sceneOf(camera),
      fps: camera.fps,
      onSource: (opened) => {
        this.source = opened;
        opened.onState((change) => this.sourceState(change));
      },
    });
    this.engine = engine;
    // A live camera may still be connecting: its own state says.
    this.state = source.state;
    if (this.state === 'running') this.error = undefined;
    try {
      await runSource(source, engine, {
        signal: this.abort.signal,
        onStep: async (frame, result) => {
          // A frame read just before the stream broke, whose step ends after it, is no picture back.
          if (this.state !== 'reconnecting' && this.state !== 'failed') this.gaps.frame(frame.at);
          await this.watchPicture(frame);
          if (result.events.length) this.opts.onEvents(result.events);
          this.measureFps();
          // A frame that goes out as a picture sends its boxes too, first, so they are there for it.
          const pictured = this.opts.video?.due(frame.cameraId) ?? false;
          this.publishLive(frame, result.tracks, pictured);
          if (pictured) await this.opts.video?.send(frame);
          if (this.pending.length) await this.answerSnapshots(frame);
        },
        onFinish: (events) => {
          if (events.length) this.opts.onEvents(events);
        },
      });
    } finally {
      this.engine = undefined;
      await close();
      this.droppedBefore = this.droppedFrames;
      this.source = undefined;
    }
  }

  /** The source's picture state: logged when it changes, kept for the status. */
  private sourceState(change: StateChange): void {
    const changed = change.state !== this.state || change.problem !== this.problem;
    if (change.reason !== this.error || change.state !== this.state) {
      const line = {
        camera: this.camera.id,
        state: change.state,
        problem: change.problem,
        reason: change.reason,
      };
      const lost = this.state === 'reconnecting' || this.state === 'failed';
      if (change.state === 'running')
        this.opts.log.info(line, lost ? 'camera picture is back' : 'camera picture coming in');
      else if (change.state !== 'stopped') this.opts.log.warn(line, 'camera gives no picture');
    }
    this.state = change.state;
    this.error = change.reason;
    this.problem = change.problem;
    this.gaps.change(change.state, change.problem);
    if (changed) this.opts.onStateChange?.();
  }

  /** Looks at the picture about once a second; a new or cleared problem is logged and published. */
  private async watchPicture(frame: Frame): Promise<void> {
    this.watch ??= new PictureWatch(await loadOpenCV(), this.opts.pictureWatch);
    if (!this.watch.look(frame.mat, frame.at)) return;
    const { problem } = this.watch;
    const line = { camera: this.camera.id, picture: problem, reading: this.watch.last };
    if (problem) this.opts.log.warn(line, 'camera picture looks wrong');
    else this.opts.log.info(line, 'camera picture is fine again');
    this.opts.onStateChange?.();
  }

  private measureFps(): void {
    this.frames++;
    const now = performance.now();
    if (now - this.fpsSince >= 2000) {
      this.fps = (this.frames * 1000) / (now - this.fpsSince);
      this.frames = 0;
      this.fpsSince = now;
    }
  }

  /** `pictured`: this frame went out as video, so its boxes go too (the page matches them by time). */
  private publishLive(frame: Frame, tracks: Tracks, pictured = false): void {
    const { onLive, liveMaxFps = 5 } = this.opts;
    if (!onLive || (!pictured && frame.at - this.lastLive < 1000 / liveMaxFps)) return;
    this.lastLive = frame.at;
    const out: LiveTracks['tracks'] = [];
    const b = tracks.boxes;
    for (let i = 0; i < Math.min(tracks.count, 200); i++) {
      const x = Math.max(0, b[i * 4]!);
      const y = Math.max(0, b[i * 4 + 1]!);
      out.push({
        id: tracks.ids[i]!,
        box: [Math.round(x), Math.round(y), Math.round(b[i * 4 + 2]! - x), Math.round(b[i * 4 + 3]! - y)],
        score: Math.min(1, Math.max(0, Math.round(tracks.scores[i]! * 100) / 100)),
      });
    }
    onLive({
      v: PROTOCOL_VERSION,
      cameraId: this.camera.id,
      at: Math.round(frame.at),
      frame: frame.index,
      width: frame.width,
      height: frame.height,
      tracks: out,
    });
  }

  private async answerSnapshots(frame: Frame): Promise<void> {
    const cv = await loadOpenCV();
    const waiting = this.pending;
    this.pending = [];
    for (const p of waiting) {
      try {
        const scale = p.maxWidth && frame.width > p.maxWidth ? p.maxWidth / frame.width : 1;
        const mat = scale < 1 ? await frame.mat.rescaleAsync(scale) : frame.mat;
        const jpeg = await cv.imencodeAsync('.jpg', mat, [cv.IMWRITE_JPEG_QUALITY, 80]);
        p.resolve({ jpeg, width: mat.cols, height: mat.rows });
        if (mat !== frame.mat) mat.release();
      } catch (err) {
        p.reject(err instanceof Error ? err : new Error(String(err)));
      }
    }
  }
}
