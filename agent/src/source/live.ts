// Live sources (RTSP / HTTP streams, webcams): capture-time timestamps, reconnection with
// exponential backoff after a drop, a stalled stream noticed, state changes reported to listeners.
//
// A network camera is probed (stream-probe.ts) before each open: OpenCV's open blocks the event loop
// and cannot tell a wrong password from a dead camera, the probe is asynchronous and can. A stream
// that stops sending without closing is ended by FFmpeg's socket timeout (`timeout` in
// OPENCV_FFMPEG_CAPTURE_OPTIONS: microseconds, FFmpeg 5+); a watchdog reports it as 'stalled' as soon
// as no frame came for `stallTimeoutMs`, while the read in flight waits for that timeout.
//
// With `newestOnly` (the live agent), a background reader decodes every frame as it comes and only
// the newest is handed out (latest-frame.ts): detection slower than the camera skips pictures instead
// of lagging further and further behind. Frame indexes keep counting decoded frames, so they jump.
import type { CameraProblem } from '@oskartrack/protocol';
import type { CV, Mat } from '../cv.ts';
import type { Frame } from '../types.ts';
import { openQuietly } from './decoder-log.ts';
import { LatestFrame } from './latest-frame.ts';
import {
  type Capture,
  errorMessage,
  type FrameSource,
  HandedOutFrames,
  type SourceInfo,
  type SourceKind,
  type SourceState,
  StateBox,
  type StateListener,
} from './source.ts';
import { type ProbeResult, probeStream } from './stream-probe.ts';

export interface BackoffOptions {
  /** Delay before the first reconnection attempt, ms. Default 500. */
  initialDelayMs?: number;
  /** Upper bound of the delay, ms. Default 30 000. */
  maxDelayMs?: number;
  /** Growth of the delay per failed attempt. Default 2. */
  factor?: number;
  /** Random spread of each delay, as a fraction (0.2 = ±20 %), so many boxes do not retry in step. Default 0.2. */
  jitter?: number;
  /** Attempts in a row before giving up (state 'failed'). Default: never give up. */
  maxAttempts?: number;
}

export interface LiveSourceOptions extends BackoffOptions {
  cameraId?: string;
  /** Frame rate to report when the device reports none. */
  fps?: number;
  /** Do not release the previous frame's Mat on the next read: the caller releases them. */
  keepFrames?: boolean;
  /** How long the probe of a network camera waits for an answer, ms. Default 5000. */
  networkTimeoutMs?: number;
  /**
   * No frame for this long marks the stream 'stalled', ms; FFmpeg's socket timeout is set a second
   * later (through OPENCV_FFMPEG_CAPTURE_OPTIONS, unless that is set already), which ends the read.
   * Default 5000.
   */
  stallTimeoutMs?: number;
  /**
   * Least delay before retrying a camera that refused the credentials or has no such stream, ms:
   * retrying fast cannot fix the address and may lock the camera's account. Default 60 000.
   */
  configRetryDelayMs?: number;
  /** Asks a network camera whether it serves the stream. Default: `probeStream` for rtsp/http URLs. */
  probe?: (url: string, timeoutMs: number) => Promise<ProbeResult>;
  /** Opens the capture; tests inject failures here. Default: OpenCV's VideoCapture. */
  openCapture?: (target: string | number) => Capture;
  /** Clock for timestamps (ms since epoch). Default Date.now. */
  now?: () => number;
  /**
   * Read in the background and hand out only the newest frame, dropping (and counting) those the
   * caller was too slow to take. Default false: every frame, in order.
   */
  newestOnly?: boolean;
  /** Keep FFmpeg's own messages off the terminal (decoder-log.ts); the caller logs a line instead. */
  quietDecoder?: boolean;
}

/** Delay before attempt `attempt` (1-based), without jitter. */
export function backoffDelay(attempt: number, options: BackoffOptions = {}): number {
  const initial = options.initialDelayMs ?? 500;
  const max = options.maxDelayMs ?? 30_000;
  const factor = options.factor ?? 2;
  return Math.min(max, initial * factor ** Math.max(0, attempt - 1));
}

/** Hides the password of every `scheme://user:password@` in a text (an error that quotes the URL). */
export function maskCredentials(text: string): string {
  return text.replace(/(\b[a-z][a-z0-9+.-]*:\/\/[^\s:/@]*:)[^\s/]*@/gi, '$1***@');
}

/** Removes a password from a URL before it is logged or reported. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return url;
  }
}

export class LiveSource implements FrameSource {
  readonly info: SourceInfo;
  private readonly states = new StateBox('starting');
  private capture: Capture | null = null;
  private reading: Promise<Mat> | null = null;
  private readonly handedOut: HandedOutFrames;
  private index = 0;
  private failures = 0;
  private failure: Error | null = null;
  private closed = false;
  private wake: (() => void) | null = null;
  private readonly openCapture: (target: string | number) => Capture;
  private readonly probe: ((url: string, timeoutMs: number) => Promise<ProbeResult>) | undefined;
  private readonly now: () => number;
  private readonly latest: LatestFrame | undefined;

  constructor(
    private readonly cv: CV,
    kind: Exclude<SourceKind, 'file'>,
    private readonly target: string | number,
    private readonly options: LiveSourceOptions = {},
  ) {
    this.handedOut = new HandedOutFrames(options.keepFrames ?? false);
    this.info = {
      kind,
      uri: typeof target === 'number' ? `webcam:${target}` : redactUrl(target),
      width: 0,
      height: 0,
      fps: options.fps ?? 0,
      fpsFrom: options.fps !== undefined ? 'override' : 'default',
    };
    this.openCapture = options.openCapture ?? ((t) => this.openWithOpenCV(t));
    const network = typeof target === 'string' && /^(rtsp|https?):\/\//i.test(target);
    this.probe = options.probe ?? (network && !options.openCapture ? probeStream : undefined);
    this.now = options.now ?? Date.now;
    this.latest = options.newestOnly ? new LatestFrame(() => this.next()) : undefined;
    // A picture decoded before the stream broke off is not handed out after it: it would look like
    // the picture came back (added first, so this runs before the caller's listeners).
    if (this.latest) this.states.add((change) => change.state !== 'running' && this.latest?.discard());
  }

  /** Frames decoded but never handed out, because a newer one came before they were read. */
  get droppedFrames(): number {
    return this.latest?.dropped ?? 0;
  }

  private get stallMs(): number {
    return this.options.stallTimeoutMs ?? 5000;
  }

  get state(): SourceState {
    return this.states.state;
  }

  keepLast(n: number): void {
    this.handedOut.keepLast(n);
  }

  onState(listener: StateListener): () => void {
    return this.states.add(listener);
  }

  async read(): Promise<Frame | null> {
    this.handedOut.makeRoom();
    const frame = this.latest ? await this.latest.take() : await this.next();
    if (frame && this.closed) {
      frame.mat.release();
      return null;
    }
    if (frame) this.handedOut.add(frame.mat);
    return frame;
  }

  /** Decodes the next frame, reconnecting as long as it takes. */
  private async next(): Promise<Frame | null> {
    for (;;) {
      if (this.closed) return null;
      if (this.failure) throw this.failure;
      if (!this.capture) {
        await this.connect();
        continue;
      }
      let mat: Mat | null = null;
      let reason = 'the stream ended or broke off';
      let problem: CameraProblem | undefined;
      const stallMs = this.stallMs;
      const watchdog = setTimeout(() => {
        problem = 'stalled';
        reason = `no picture for ${stallMs / 1000} s: the camera stopped sending`;
        this.states.set({ state: 'reconnecting', reason, problem });
      }, stallMs);
      try {
        this.reading = this.capture.readAsync();
        mat = await this.reading;
      } catch (err) {
        reason = maskCredentials(errorMessage(err));
      } finally {
        clearTimeout(watchdog);
        this.reading = null;
      }
      if (this.closed) {
        mat?.release();
        return null;
      }
      // A read that outlived the stall timeout ended in FFmpeg's socket timeout; what it returns is a
      // left-over frame at best. Reopening is what brings the stream back (one gap, not a flicker).
      if (problem === 'stalled') {
        mat?.release();
        mat = null;
      }
      if (mat && !mat.empty) {
        this.failures = 0;
        this.info.width = mat.cols;
        this.info.height = mat.rows;
        this.states.set({ state: 'running' });
        return {
          cameraId: this.options.cameraId ?? 'cam',
          index: this.index++,
          at: this.now(),
          width: mat.cols,
          height: mat.rows,
          mat,
        };
      }
      mat?.release();
      // Dropped: free the capture and go through the backoff before the next attempt.
      this.capture.release();
      this.capture = null;
      await this.backoff(reason, problem);
    }
  }

  /** One attempt to open; on failure, waits out the backoff (or gives up). */
  private async connect(): Promise<void> {
    if (this.probe && typeof this.target === 'string') {
      const verdict = await this.probe(this.target, this.options.networkTimeoutMs ?? 5000);
      if (this.closed) return;
      if (verdict.problem) {
        await this.backoff(maskCredentials(verdict.detail), verdict.problem);
        return;
      }
    }
    let capture: Capture;
    try {
      capture = this.openCapture(this.target);
    } catch (err) {
      const why = maskCredentials(errorMessage(err));
      // The camera answered the probe, so the address is right but its stream could not be read.
      if (this.probe)
        await this.backoff(`the camera answered but its stream could not be opened (${why})`, 'no-picture');
      else await this.backoff(`cannot open ${this.info.uri}: ${why}`);
      return;
    }
    if (this.closed) {
      capture.release();
      return;
    }
    this.capture = capture;
    const fps = capture.get(this.cv.CAP_PROP_FPS);
    if (this.options.fps === undefined && Number.isFinite(fps) && fps > 0 && fps < 1000) {
      this.info.fps = fps;
      this.info.fpsFrom = 'header';
    }
  }

  private async backoff(reason: string, problem?: CameraProblem): Promise<void> {
    this.failures++;
    const max = this.options.maxAttempts ?? Number.POSITIVE_INFINITY;
    if (this.failures > max) {
      this.failure = new Error(
        max === 0
          ? `Camera ${this.info.uri} cannot be read: ${reason}`
          : `Camera ${this.info.uri} failed after ${max} reconnection attempts: ${reason}`,
      );
      this.states.set({ state: 'failed', reason, ...(problem ? { problem } : {}) });
      return;
    }
    const jitter = this.options.jitter ?? 0.2;
    let base = backoffDelay(this.failures, this.options);
    if (problem === 'credentials' || problem === 'not-found') {
      base = Math.max(base, this.options.configRetryDelayMs ?? 60_000);
    }
    const delayMs = Math.round(base * (1 + jitter * (2 * Math.random() - 1)));
    this.states.set({
      state: 'reconnecting',
      reason,
      attempt: this.failures,
      delayMs,
      ...(problem ? { problem } : {}),
    });
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, delayMs);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
    this.wake = null;
  }

  private openWithOpenCV(target: string | number): Capture {
    const cv = this.cv;
    if (typeof target === 'number') return new cv.VideoCapture(target);
    // FFmpeg reads its options from the environment at each open; set a socket timeout for this open
    // only, unless the user configured FFmpeg themselves.
    const key = 'OPENCV_FFMPEG_CAPTURE_OPTIONS';
    const own = process.env[key] === undefined;
    if (own) {
      const us = Math.round((this.stallMs + 1000) * 1000);
      const rtsp = /^rtsps?:/i.test(target) ? 'rtsp_transport;tcp|' : '';
      // Opening blocks the event loop while FFmpeg studies the stream (5 s by default, measured 3.3 s
      // on an H.264 camera); half a second of study took it to 1.2 s with the same size and rate found.
      process.env[key] = `${rtsp}timeout;${us}|analyzeduration;500000`;
    }
    try {
      const open = () => new cv.VideoCapture(target, cv.CAP_FFMPEG);
      if (!this.options.quietDecoder) return open();
      const opened = openQuietly(open);
      if (opened.silenced) this.info.decoderSilenced = true;
      return opened.value;
    } finally {
      if (own) delete process.env[key];
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.wake?.();
    this.latest?.close();
    if (this.reading) {
      try {
        (await this.reading).release();
      } catch {
        // The read in flight failed; nothing to free.
      }
    }
    this.handedOut.releaseAll();
    this.capture?.release();
    this.capture = null;
    this.states.set({ state: 'stopped', reason: 'closed' });
  }
}
