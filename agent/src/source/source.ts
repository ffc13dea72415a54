// The common shape of every frame source (file, network stream, webcam).
import type { CameraProblem, CameraState } from '@oskartrack/protocol';
import type { Mat } from '../cv.ts';
import type { Frame } from '../types.ts';

export type SourceKind = 'file' | 'stream' | 'webcam';

/** Same values as the protocol's camera state, so the link can publish it unchanged. */
export type SourceState = CameraState;

export interface SourceInfo {
  kind: SourceKind;
  /** What was opened: the file path, the stream URL (credentials removed) or `webcam:N`. */
  uri: string;
  /** Frame size in pixels; 0 for a live source that has not connected yet. */
  width: number;
  height: number;
  /** Frames per second used for timestamps (file) or reported by the device (live; 0 if unknown). */
  fps: number;
  /** Where `fps` came from: the caller's override, the container header, or a fallback default. */
  fpsFrom: 'override' | 'header' | 'default';
  /** Frame count from the container header (files only; headers can be wrong). */
  frameCount?: number;
  /** The container header's frame rate, also when `fps` overrides it (files only). */
  headerFps?: number;
  /** FFmpeg's own messages were silenced for this source (decoder-log.ts). */
  decoderSilenced?: boolean;
}

export interface StateChange {
  state: SourceState;
  /** Why it changed (the error of a drop, the reason of a failure), in plain words, no password. */
  reason?: string;
  /** What kind of trouble, for a network camera that gives no picture. */
  problem?: CameraProblem;
  /** Reconnection attempt number (1-based) while reconnecting. */
  attempt?: number;
  /** Delay before the next attempt, in ms, while reconnecting. */
  delayMs?: number;
}

export type StateListener = (change: StateChange) => void;

export interface FrameSource {
  readonly info: SourceInfo;
  readonly state: SourceState;
  /**
   * The next frame, or null at the end of a file (without `loop`) or after `close()`. A live source
   * waits through reconnections; it rejects once it has given up (state 'failed'). The frame's Mat
   * is released by the next `read()` (see `keepLast`) unless the source was opened with
   * `keepFrames: true`. Calls must not overlap.
   */
  read(): Promise<Frame | null>;
  /**
   * Keeps the last `n` frames handed out alive (default 1): `read()` then releases the frame handed
   * out `n` reads before. For a caller that works on several frames at once.
   */
  keepLast(n: number): void;
  /** Subscribes to state changes; returns the unsubscribe function. */
  onState(listener: StateListener): () => void;
  /** Stops reading, waits for a decode in flight, frees the capture. State becomes 'stopped'. */
  close(): Promise<void>;
  /** The frame rate the source's own timestamps give so far (files; FileSource.timestampFps). */
  timestampFps?(): number | undefined;
  /** Whether a file's timestamps reached its header's duration (files; FileSource.readToEnd). */
  readToEnd?(): boolean;
}

/** The part of OpenCV's VideoCapture a source uses; injectable for tests. */
export interface Capture {
  readAsync(): Promise<Mat>;
  get(property: number): number;
  release(): void;
}

/** Iterates a source until it ends: `for await (const frame of frames(source)) { ... }`. */
export async function* frames(source: FrameSource): AsyncGenerator<Frame, void, undefined> {
  for (;;) {
    const frame = await source.read();
    if (!frame) return;
    yield frame;
  }
}

/** Frames handed out and not yet released, oldest first; shared by the source implementations. */
export class HandedOutFrames {
  private readonly mats: Mat[] = [];
  private keep = 1;

  /** `callerReleases`: the source was opened with `keepFrames`, so it never releases a frame. */
  constructor(private readonly callerReleases: boolean) {}

  keepLast(n: number): void {
    this.keep = Math.max(1, Math.floor(n));
  }

  /** Before handing out another frame: releases the oldest so that at most `keep` are out after it. */
  makeRoom(): void {
    while (this.mats.length >= this.keep) this.mats.shift()?.release();
  }

  add(mat: Mat): void {
    if (!this.callerReleases) this.mats.push(mat);
  }

  releaseAll(): void {
    for (const mat of this.mats) mat.release();
    this.mats.length = 0;
  }
}

/** Holds listeners and the current state; shared by the source implementations. */
export class StateBox {
  private listeners = new Set<StateListener>();

  constructor(public state: SourceState = 'starting') {}

  set(change: StateChange): void {
    if (change.state === this.state && change.state !== 'reconnecting') return;
    this.state = change.state;
    for (const listener of [...this.listeners]) listener(change);
  }

  add(listener: StateListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

export function errorMessage(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).trim();
}
