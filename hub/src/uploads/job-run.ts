/**
 * One upload job while it runs: the progress it reports (to the live feed every `progressMs`, to the
 * database every `dbProgressMs`), the events stored so far by kind and seq range, and the patch of
 * the job's row when it ends.
 */
import type { TrackingEvent, UploadJob, UploadSummary } from '@oskartrack/protocol';
import type { Repositories, UploadJobPatch, UploadJob as UploadJobRow } from '../db/repositories/index.ts';
import { jobView } from './job-view.ts';
import type { Done, Progress } from './worker-messages.ts';

export interface JobRunOptions {
  repos: Repositories;
  feed?: { jobUpdated(job: UploadJob): void } | undefined;
  progressMs?: number | undefined;
  dbProgressMs?: number | undefined;
}

export class JobRun {
  private readonly byKind: Record<string, number> = {};
  private visits = 0;
  private firstSeq: number | null = null;
  private lastSeq: number | null = null;
  private framesDone = 0;
  private framesTotal: number | null;
  private fps = 0;
  private lastFeed = 0;
  private lastDb = Date.now();
  private dbWrite: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly job: UploadJobRow,
    private readonly startedAt: Date,
    private readonly opts: JobRunOptions,
  ) {
    this.framesTotal = job.framesTotal;
  }

  progress(p: Progress): void {
    this.framesDone = p.framesDone;
    if (p.framesTotal !== undefined) this.framesTotal = p.framesTotal;
    this.fps = p.fps;
    const now = Date.now();
    if (now - this.lastFeed >= (this.opts.progressMs ?? 500)) {
      this.lastFeed = now;
      this.opts.feed?.jobUpdated({
        ...jobView(this.job),
        state: 'processing',
        startedAt: this.startedAt.toISOString(),
        framesDone: this.framesDone,
        framesTotal: this.framesTotal,
        fps: this.fps,
      });
    }
    if (now - this.lastDb >= (this.opts.dbProgressMs ?? 2000)) {
      this.lastDb = now;
      const patch = { framesDone: this.framesDone, framesTotal: this.framesTotal, processingFps: this.fps };
      this.dbWrite = this.dbWrite
        .then(() => this.opts.repos.uploads.update(this.job.id, patch))
        .catch(() => undefined);
    }
  }

  /** A batch stored under seqs `first`... */
  stored(first: number, events: readonly TrackingEvent[]): void {
    this.firstSeq ??= first;
    this.lastSeq = first + events.length - 1;
    for (const e of events) {
      this.byKind[e.kind] = (this.byKind[e.kind] ?? 0) + 1;
      if (e.kind === 'visit_closed') this.visits++;
    }
  }

  /** Waits for the last progress write, so it cannot land after the final state. */
  settled(): Promise<unknown> {
    return this.dbWrite;
  }

  finished(done: Done): UploadJobPatch {
    const summary: UploadSummary = {
      events: this.byKind,
      visitors: done.visitors,
      visits: this.visits,
      lines: done.lines,
      zones: done.zones,
      videoSeconds: done.videoSeconds,
      ...(done.warning ? { warning: done.warning } : {}),
    };
    return {
      state: 'done',
      framesDone: done.frames,
      framesTotal: this.framesTotal ?? done.framesTotal ?? done.frames,
      processingFps: done.fps,
      summary,
      firstSeq: this.firstSeq,
      lastSeq: this.lastSeq,
      finishedAt: new Date(),
    };
  }

  failed(error: string): UploadJobPatch {
    return {
      state: 'failed',
      error,
      framesDone: this.framesDone,
      framesTotal: this.framesTotal,
      firstSeq: this.firstSeq,
      lastSeq: this.lastSeq,
      finishedAt: new Date(),
    };
  }
}
