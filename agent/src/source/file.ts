// A video file through OpenCV's VideoCapture: timestamps from a start time and the frame rate,
// optional looping and real-time pacing (the demo plays a clip as if it were a camera).
import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import type { CV, Mat } from '../cv.ts';
import type { Frame } from '../types.ts';
import { openQuietly } from './decoder-log.ts';
import {
  type Capture,
  errorMessage,
  type FrameSource,
  HandedOutFrames,
  type SourceInfo,
  type SourceState,
  StateBox,
  type StateListener,
} from './source.ts';

export interface FileSourceOptions {
  cameraId?: string;
  /** Frame rate for timestamps, overriding the container header (vtest.avi says 10, truly 7). */
  fps?: number;
  /** Time of frame 0 in ms since the epoch. Default: when the file is opened. */
  startTime?: number;
  /** Start again at the first frame after the last; indexes and timestamps keep growing. */
  loop?: boolean;
  /** Hand out frames no faster than `fps` in wall-clock time, as a camera would. */
  realtime?: boolean;
  /** Do not release the previous frame's Mat on the next read: the caller releases them. */
  keepFrames?: boolean;
  /** Decode the next frame in the background while the caller works on this one. Default true. */
  prefetch?: boolean;
  /** Opens the capture; tests inject failures here. Default: `new cv.VideoCapture(path)`. */
  openCapture?: (path: string) => Capture;
  /** Keep FFmpeg's own messages off the terminal (decoder-log.ts); the caller logs a line instead. */
  quietDecoder?: boolean;
}

/** Used when the header has no usable frame rate and the caller gave none. */
export const DEFAULT_FPS = 25;

function fail(path: string, reason: string): Error {
  return new Error(`Cannot read video file "${path}": ${reason}`);
}

/** The first and last timestamps (CAP_PROP_POS_MSEC) of the frames decoded, for `timestampFps`. */
class TimestampClock {
  private first: number | undefined;
  private last = 0;
  private frames = 0;
  private stopped = false;

  note(ms: number): void {
    if (this.stopped || !Number.isFinite(ms)) return;
    this.first ??= ms;
    this.last = ms;
    this.frames++;
  }

  /** A loop starts the timestamps again: the rate is what the first pass gave. */
  stop(): void {
    this.stopped = true;
  }

  /** The timestamp of the last frame decoded (before any loop), if the file has timestamps. */
  lastMs(): number | undefined {
    return this.first === undefined ? undefined : this.last;
  }

  fps(): number | undefined {
    if (this.first === undefined || this.frames < 2 || !(this.last > this.first)) return undefined;
    return ((this.frames - 1) * 1000) / (this.last - this.first);
  }
}

export class FileSource implements FrameSource {
  private readonly states = new StateBox('starting');
  private capture: Capture | null;
  /** The decode of the next frame, started early when prefetching. */
  private next: Promise<Mat | null> | null = null;
  private readonly handedOut: HandedOutFrames;
  private index = 0;
  private wallStart = 0;
  private closed = false;
  private readonly startTime: number;
  private readonly frameMs: number;
  private readonly clock = new TimestampClock();

  private constructor(
    readonly info: SourceInfo,
    private readonly path: string,
    capture: Capture,
    first: Mat,
    private readonly options: FileSourceOptions,
    private readonly openCapture: (path: string) => Capture,
    private readonly posMsecProp: number,
  ) {
    this.handedOut = new HandedOutFrames(options.keepFrames ?? false);
    this.capture = capture;
    this.next = Promise.resolve(first);
    this.startTime = options.startTime ?? Date.now();
    this.frameMs = 1000 / info.fps;
    this.clock.note(capture.get(posMsecProp));
  }

  /**
   * Opens `path` and decodes its first frame, so that a missing, unreadable, non-video or corrupt
   * file is reported here, with the path and the reason, rather than as an empty stream.
   */
  static async open(cv: CV, path: string, options: FileSourceOptions = {}): Promise<FileSource> {
    let size: number;
    try {
      const st = await stat(path);
      if (st.isDirectory()) throw fail(path, 'it is a directory, not a video file');
      size = st.size;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') throw fail(path, 'the file does not exist');
      if (code === 'EACCES') throw fail(path, 'permission denied');
      throw err;
    }
    try {
      await access(path, constants.R_OK);
    } catch {
      throw fail(path, 'permission denied');
    }
    if (size === 0) throw fail(path, 'the file is empty');
    if (options.fps !== undefined && !(options.fps > 0 && Number.isFinite(options.fps))) {
      throw new Error(`Invalid frame rate ${options.fps} for "${path}": it must be a positive number`);
    }

    let silenced = false;
    const openCapture =
      options.openCapture ??
      ((p: string) => {
        const open = () => new cv.VideoCapture(p, cv.CAP_FFMPEG);
        if (!options.quietDecoder) return open();
        const opened = openQuietly(open);
        silenced = opened.silenced;
        return opened.value;
      });
    let capture: Capture;
    try {
      capture = openCapture(path);
    } catch (err) {
      throw fail(
        path,
        `OpenCV could not open it as a video (not a video file, an unsupported container, or a corrupt header; ${errorMessage(err)})`,
      );
    }
    let first: Mat;
    try {
      first = await capture.readAsync();
    } catch (err) {
      capture.release();
      throw fail(path, `decoding the first frame failed (${errorMessage(err)})`);
    }
    if (first.empty) {
      capture.release();
      throw fail(path, 'no frame could be decoded (corrupt file or unsupported codec)');
    }
    const headerFps = capture.get(cv.CAP_PROP_FPS);
    const headerCount = capture.get(cv.CAP_PROP_FRAME_COUNT);
    const usableHeaderFps = Number.isFinite(headerFps) && headerFps > 0 && headerFps < 1000;
    const info: SourceInfo = {
      kind: 'file',
      uri: path,
      width: first.cols,
      height: first.rows,
      fps: options.fps ?? (usableHeaderFps ? headerFps : DEFAULT_FPS),
      fpsFrom: options.fps !== undefined ? 'override' : usableHeaderFps ? 'header' : 'default',
      ...(usableHeaderFps ? { headerFps } : {}),
      ...(Number.isFinite(headerCount) && headerCount > 0 ? { frameCount: Math.round(headerCount) } : {}),
      ...(silenced ? { decoderSilenced: true } : {}),
    };
    return new FileSource(info, path, capture, first, options, openCapture, cv.CAP_PROP_POS_MSEC);
  }

  get state(): SourceState {
    return this.states.state;
  }

  keepLast(n: number): void {
    this.handedOut.keepLast(n);
  }

  /**
   * The frame rate the file's own timestamps give over the frames decoded so far (before any loop),
   * or undefined when they cannot tell (fewer than 2 frames, no timestamps). Containers such as AVI
   * time frames by the header's rate, so there it only repeats the header.
   */
  timestampFps(): number | undefined {
    return this.clock.fps();
  }

  /**
   * Whether the frames decoded reached the end of the header's duration by their own timestamps: a
   * file with dropped (empty) frames holds fewer frames than its header counts, yet is whole.
   */
  readToEnd(): boolean {
    const { frameCount, headerFps } = this.info;
    const endMs = this.clock.lastMs();
    if (!frameCount || !headerFps || endMs === undefined) return false;
    const durationMs = (frameCount / headerFps) * 1000;
    return endMs >= durationMs - Math.max(2000 / headerFps, durationMs * 0.01);
  }

  onState(listener: StateListener): () => void {
    return this.states.add(listener);
  }

  async read(): Promise<Frame | null> {
    this.handedOut.makeRoom();
    if (this.closed) return null;
    const mat = await (this.next ?? this.decode());
    this.next = null;
    if (this.closed) {
      mat?.release();
      return null;
    }
    if (!mat) {
      this.states.set({ state: 'stopped', reason: 'end of file' });
      return null;
    }
    const index = this.index++;
    if (this.options.prefetch ?? true) {
      this.next = this.decode();
      // Rejections surface on the next read(); this only keeps them from counting as unhandled.
      this.next.catch(() => {});
    }
    if (this.options.realtime) {
      if (this.wallStart === 0) this.wallStart = performance.now() - index * this.frameMs;
      const wait = this.wallStart + index * this.frameMs - performance.now();
      if (wait > 1) await sleep(wait);
    }
    this.states.set({ state: 'running' });
    this.handedOut.add(mat);
    return {
      cameraId: this.options.cameraId ?? 'cam',
      index,
      at: this.startTime + index * this.frameMs,
      width: mat.cols,
      height: mat.rows,
      mat,
    };
  }

  /** Decodes one frame; at the end of the file, reopens it when looping. Null at the end. */
  private async decode(): Promise<Mat | null> {
    const capture = this.capture;
    if (!capture) return null;
    const mat = await capture.readAsync();
    if (!mat.empty) {
      // Read between decodes: no other read is in flight on this capture now.
      this.clock.note(capture.get(this.posMsecProp));
      return mat;
    }
    mat.release();
    if (!this.options.loop || this.closed) return null;
    this.clock.stop();
    capture.release();
    this.capture = null;
    let reopened: Capture;
    try {
      reopened = this.openCapture(this.path);
    } catch (err) {
      throw fail(this.path, `reopening it to loop failed (${errorMessage(err)})`);
    }
    if (this.closed) {
      reopened.release();
      return null;
    }
    this.capture = reopened;
    const again = await reopened.readAsync();
    if (again.empty) {
      again.release();
      return null;
    }
    return again;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const pending = this.next;
    this.next = null;
    if (pending) {
      try {
        (await pending)?.release();
      } catch {
        // The decode in flight failed; nothing left to free.
      }
    }
    this.handedOut.releaseAll();
    this.capture?.release();
    this.capture = null;
    this.states.set({ state: 'stopped', reason: 'closed' });
  }
}
