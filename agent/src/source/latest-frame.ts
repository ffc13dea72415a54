// Keeps only the newest frame of a live camera: a background reader decodes every frame as it
// comes, and a frame not taken before the next one arrives is released and counted as dropped. A
// reader slower than the camera (detection) then always gets the newest picture instead of falling
// further and further behind it.
import type { Frame } from '../types.ts';

export class LatestFrame {
  /** Frames decoded and released unseen because a newer one came first. */
  dropped = 0;
  private newest: Frame | null = null;
  private ended = false;
  private failure: unknown;
  private closed = false;
  private pump: Promise<void> | null = null;
  private waiters: (() => void)[] = [];

  /** `produce` reads the next frame (null at the end); it is called again as soon as it returns. */
  constructor(private readonly produce: () => Promise<Frame | null>) {}

  /**
   * The newest frame not handed out yet, waiting for one if needed (the reader starts on the first
   * call). Null once the source ended or this was closed; rejects with the reader's failure.
   */
  async take(): Promise<Frame | null> {
    this.pump ??= this.read();
    for (;;) {
      const frame = this.newest;
      if (frame) {
        this.newest = null;
        return frame;
      }
      if (this.failure !== undefined) throw this.failure;
      if (this.ended || this.closed) return null;
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  /** Drops the frame waiting to be taken (the stream broke off: it is a picture from before that). */
  discard(): void {
    if (!this.newest) return;
    this.newest.mat.release();
    this.newest = null;
    this.dropped++;
  }

  /** Stops handing out frames and frees the one waiting; `done()` tells when the reader stopped. */
  close(): void {
    this.closed = true;
    this.newest?.mat.release();
    this.newest = null;
    this.wake();
  }

  /** Resolves once the background reader has stopped (after the source ended or was closed). */
  async done(): Promise<void> {
    await this.pump;
  }

  private async read(): Promise<void> {
    try {
      while (!this.closed) {
        const frame = await this.produce();
        if (!frame) break;
        if (this.closed) {
          frame.mat.release();
          break;
        }
        if (this.newest) {
          this.newest.mat.release();
          this.dropped++;
        }
        this.newest = frame;
        this.wake();
      }
    } catch (err) {
      this.failure = err;
    }
    this.ended = true;
    this.wake();
  }

  private wake(): void {
    const waiting = this.waiters;
    this.waiters = [];
    for (const resolve of waiting) resolve();
  }
}
