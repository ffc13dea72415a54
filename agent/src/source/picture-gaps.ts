// How long a camera has been without a picture: the current state and since when, the last frame,
// and the gaps (picture lost, then back) of the last 24 hours, for the box's status and the hub.
import type { CameraProblem, CameraState } from '@oskartrack/protocol';

const DAY_MS = 86_400_000;
/** Gaps remembered; past this the oldest two are merged, so the count stays right and memory bounded. */
const MAX_GAPS = 256;

interface Gap {
  start: number;
  end: number;
  /** Losses merged into this record (1 unless the list overflowed). */
  count: number;
}

export interface PictureReport {
  state: CameraState;
  since: number;
  problem?: CameraProblem;
  lastFrameAt?: number;
  /** Pictures lost in the last 24 hours (an ongoing loss included). */
  gaps: number;
  /** Time without picture in the last 24 hours, ms. */
  gapMs: number;
}

export class PictureGaps {
  private state: CameraState = 'starting';
  private since: number;
  private problem: CameraProblem | undefined;
  private lastFrameAt: number | undefined;
  /** Start of the current loss (the last frame before it), while the picture is lost. */
  private lostAt: number | undefined;
  private readonly gaps: Gap[] = [];

  constructor(private readonly now: () => number = Date.now) {
    this.since = now();
  }

  /** A frame arrived (capture time): ends a loss in progress. */
  frame(capturedAt: number): void {
    // File sources time frames by their index (fractional ms); the status carries whole milliseconds.
    const at = Math.round(capturedAt);
    if (this.lostAt !== undefined) {
      this.record({ start: this.lostAt, end: Math.max(at, this.lostAt), count: 1 });
      this.lostAt = undefined;
    }
    this.lastFrameAt = at;
    this.enter('running', undefined);
  }

  /** The source changed state; leaving 'running' after a picture starts a loss (from the last frame). */
  change(state: CameraState, problem?: CameraProblem): void {
    const losing = state === 'reconnecting' || state === 'failed';
    if (losing && this.lastFrameAt !== undefined && this.lostAt === undefined) this.lostAt = this.lastFrameAt;
    // 'running' comes from frames: a source that reports running before its next frame has none yet.
    if (state === 'running') return;
    this.enter(state, problem);
  }

  report(): PictureReport {
    const now = this.now();
    const from = now - DAY_MS;
    let gaps = 0;
    let gapMs = 0;
    const spans =
      this.lostAt === undefined ? this.gaps : [...this.gaps, { start: this.lostAt, end: now, count: 1 }];
    for (const g of spans) {
      if (g.end < from) continue;
      gaps += g.count;
      gapMs += Math.max(0, g.end - Math.max(g.start, from));
    }
    return {
      state: this.state,
      since: this.since,
      ...(this.problem ? { problem: this.problem } : {}),
      ...(this.lastFrameAt !== undefined ? { lastFrameAt: this.lastFrameAt } : {}),
      gaps: Math.min(gaps, 1_000_000),
      gapMs: Math.min(Math.round(gapMs), DAY_MS),
    };
  }

  private enter(state: CameraState, problem: CameraProblem | undefined): void {
    if (state !== this.state) this.since = this.now();
    this.state = state;
    this.problem = problem;
  }

  private record(gap: Gap): void {
    const from = this.now() - DAY_MS;
    while (this.gaps.length > 0 && this.gaps[0]!.end < from) this.gaps.shift();
    if (this.gaps.length >= MAX_GAPS) {
      const [a, b] = this.gaps.splice(0, 2) as [Gap, Gap];
      // Merged spans keep their time without picture: the merged record is as long as both together.
      this.gaps.unshift({
        start: b.end - (a.end - a.start) - (b.end - b.start),
        end: b.end,
        count: a.count + b.count,
      });
    }
    this.gaps.push(gap);
  }
}
