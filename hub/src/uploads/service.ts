/**
 * Upload jobs: recorded videos processed on the hub by the agent's engine, at full speed, in the
 * background, `concurrency` at a time (default one: detection takes a whole core).
 *
 * Design (see also the upload_jobs table in db/schema.ts):
 * - The job table is the registry: every job's state, progress and result summary is in the database,
 *   so `GET /api/uploads/:id` answers after a restart too. Progress is written at most every
 *   `dbProgressMs`; the live feed gets it every `progressMs`. A hub start marks the jobs a previous
 *   run left queued or processing failed ("upload it again") and deletes their files.
 * - Events are kept apart from the live cameras' (recording-store.ts): stored with the job's id, one
 *   transaction per batch with their visits and their own summary rows, under the store's recordings
 *   device `upload-<storeId>` (created on first use, with no MQTT credential, so no box can log in as
 *   it), with seqs numbered here (recordings-device.ts says why). They never reach the live feed, and
 *   the numbers leave them out unless asked. `remove` deletes a job with everything it produced.
 * - The worker keeps detecting while the hub stores (a few batches in flight, batch-flow.ts), and runs at
 *   a lower priority than the hub (worker-process.ts), so the API and the boxes' ingest stay quick.
 * - One worker process serves the hub's probes and jobs (upload-worker.ts: started at the first upload,
 *   kept until the hub stops), and builds each job's pipeline with the agent's camera-pipeline
 *   factory: Node and OpenCV start once, and a decoder crash or a killed worker fails the job it was
 *   running, not the hub; the next job gets a new worker. A file that ends before its header said is done with a
 *   warning in its summary.
 * - Frame times start at the start time the user gave; the camera's areas and lines are its scene.
 *   Without one, the recording ends at its upload: the job first reads the file to its end, so a file
 *   cut short is placed by the frames it holds, not by the count its header promised (start-time.ts).
 * - The same bytes for the same camera count once: a second upload is refused while the first job is
 *   queued, processing or done (a unique index on the file's SHA-256, so it holds across hubs); after
 *   it failed or was deleted the file may come again.
 * - The video is deleted once processed (done or failed) unless `keepFiles` (settings.keepUploads).
 */
import { mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { UploadJob } from '@oskartrack/protocol';
import { MAX_BATCH_EVENTS } from '@oskartrack/protocol';
import { loadStoreContext } from '../aggregate/rebuild.ts';
import type { Db } from '../db/database.ts';
import type { Repositories, UploadJobPatch, UploadJob as UploadJobRow } from '../db/repositories/index.ts';
import { JobRun } from './job-run.ts';
import { jobView } from './job-view.ts';
import { probeVideo, type VideoInfo } from './probe.ts';
import { RecordingStore } from './recording-store.ts';
import { RecordingsDevices } from './recordings-device.ts';
import { resolveStartTime, videoMs } from './start-time.ts';
import { UploadWorker } from './upload-worker.ts';
import { type Done, UPLOAD_DETECTORS } from './worker-messages.ts';

export { jobView } from './job-view.ts';

export const DETECTORS = UPLOAD_DETECTORS;
export type UploadDetector = (typeof DETECTORS)[number];

export interface UploadLogger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface UploadServiceOptions {
  repos: Repositories;
  /** The database the recordings' events are stored in (one transaction per batch). */
  db: Db;
  /** Job progress to the live feed. */
  feed?: { jobUpdated(job: UploadJob): void } | undefined;
  /** After each stored batch of a recording's events (the answer cache); awaited before the next. */
  onStored?: ((storeId: string) => Promise<void>) | undefined;
  /** The hub's data directory: videos wait in `<dataDir>/uploads`, YOLOX models are looked up in it. */
  dataDir: string;
  log: UploadLogger;
  /** Keep videos after processing (default false: deleted, for privacy). */
  keepFiles?: boolean | undefined;
  /** Jobs processed at once (default 1). */
  concurrency?: number | undefined;
  /** Events per stored batch (default and at most MAX_BATCH_EVENTS). */
  batchEvents?: number | undefined;
  /** How often progress goes to the live feed (default 500 ms) and to the database (default 2 s). */
  progressMs?: number | undefined;
  dbProgressMs?: number | undefined;
  /** Stop after this many frames (tests). */
  maxFrames?: number | undefined;
}

export interface NewUpload {
  /** The id the file was stored under in `dir`. */
  id: string;
  storeId: string;
  cameraId: string;
  createdBy: string | null;
  fileName: string;
  sizeBytes: number;
  detector: UploadDetector;
  fps: number | null;
  startTime: Date;
  /** False: `startTime` is an estimate from the header, placed again from the frames read. */
  startTimeGiven: boolean;
  /** SHA-256 of the file's bytes (hex). */
  contentSha256: string;
  framesTotal: number | null;
}

interface Running {
  id: string;
  abort: AbortController;
  done: Promise<void>;
}

export class UploadService {
  readonly dir: string;
  private readonly repos: Repositories;
  private readonly opts: UploadServiceOptions;
  private readonly queue: string[] = [];
  private readonly running = new Map<string, Running>();
  private readonly recordings: RecordingsDevices;
  /** The process that probes and counts the recordings. */
  private readonly worker: UploadWorker;
  private readonly concurrency: number;
  private stopped = false;
  private idleWaiters: (() => void)[] = [];

  constructor(options: UploadServiceOptions) {
    this.opts = options;
    this.repos = options.repos;
    this.recordings = new RecordingsDevices(options.repos);
    this.dir = join(options.dataDir, 'uploads');
    this.concurrency = Math.max(1, options.concurrency ?? 1);
    this.worker = new UploadWorker(options.log);
  }

  /** Creates the uploads folder; fails the jobs a previous run left unfinished and removes their files. */
  async start(): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const left = await this.repos.uploads.failUnfinished(
      'the hub stopped before this recording was processed; upload it again',
    );
    if (left.length > 0) this.opts.log.warn({ jobs: left.length }, 'unfinished upload jobs marked failed');
    if (!this.opts.keepFiles) {
      const known = new Set((await readdir(this.dir)).filter((n) => !n.startsWith('.')));
      for (const job of left) if (known.has(job.id)) await rm(join(this.dir, job.id), { force: true });
      // Partial files of uploads cut off mid-transfer.
      for (const name of known) if (name.endsWith('.part')) await rm(join(this.dir, name), { force: true });
    }
  }

  /** Where an upload's file is stored. */
  pathOf(id: string): string {
    return join(this.dir, id);
  }

  /** The upload worker's process id while it runs (tests kill it). */
  workerPid(): number | undefined {
    return this.worker.pid;
  }

  /** Starts the upload worker unless it runs: called when an upload begins, so it is ready for it. */
  warmUp(): void {
    if (!this.stopped) this.worker.start();
  }

  /** Checks a received file (probe.ts); throws VideoRejected with the reason. */
  probe(path: string, fileName: string, fps?: number): Promise<VideoInfo> {
    return probeVideo(this.worker, path, fileName, fps);
  }

  /** The job that already counts these bytes for the camera (queued, processing or done), if any. */
  async findRecording(cameraId: string, contentSha256: string): Promise<UploadJob | undefined> {
    const row = await this.repos.uploads.findRecording(cameraId, contentSha256);
    return row ? jobView(row) : undefined;
  }

  /**
   * Records a checked upload as a queued job and starts it when a slot is free. Throws
   * DuplicateRecordingError when the camera's recording with these bytes is counted already.
   */
  async accept(upload: NewUpload): Promise<UploadJob> {
    if (this.stopped) throw new Error('the hub is shutting down');
    const deviceId = await this.recordings.ensure(upload.storeId);
    const row = await this.repos.uploads.create({ ...upload, deviceId });
    const view = jobView(row);
    this.opts.feed?.jobUpdated(view);
    this.queue.push(row.id);
    this.pump();
    return view;
  }

  async get(id: string): Promise<UploadJob | undefined> {
    const row = await this.repos.uploads.find(id);
    return row ? jobView(row) : undefined;
  }

  /** The newest jobs; `storeIds` undefined: every store. */
  async list(options: { storeIds?: readonly string[]; limit?: number } = {}): Promise<UploadJob[]> {
    return (await this.repos.uploads.list(options)).map(jobView);
  }

  /**
   * Deletes a job with everything it produced (events, visits, its summary rows: one statement, the
   * database cascades), stopping it first when it runs. False when there is no such job.
   */
  async remove(id: string): Promise<boolean> {
    const queued = this.queue.indexOf(id);
    if (queued >= 0) this.queue.splice(queued, 1);
    const running = this.running.get(id);
    if (running) {
      running.abort.abort();
      await running.done;
    }
    await rm(this.pathOf(id), { force: true }).catch(() => undefined);
    return this.repos.uploads.delete(id);
  }

  /** Resolves when no job is queued or running (tests). */
  idle(): Promise<void> {
    if (this.queue.length === 0 && this.running.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /**
   * Stops the running jobs (they are marked failed), forgets the queued ones (failed on next start)
   * and ends the worker.
   */
  async stop(): Promise<void> {
    this.stopped = true;
    this.queue.length = 0;
    for (const r of this.running.values()) r.abort.abort();
    await Promise.allSettled([...this.running.values()].map((r) => r.done));
    await this.worker.stop();
  }

  private pump(): void {
    while (!this.stopped && this.running.size < this.concurrency && this.queue.length > 0) {
      const id = this.queue.shift()!;
      const abort = new AbortController();
      const done = this.process(id, abort.signal)
        .catch((err: unknown) => this.opts.log.error({ err, jobId: id }, 'upload job crashed'))
        .finally(() => {
          this.running.delete(id);
          this.pump();
          if (this.queue.length === 0 && this.running.size === 0) {
            for (const w of this.idleWaiters.splice(0)) w();
          }
        });
      this.running.set(id, { id, abort, done });
    }
  }

  private async update(id: string, patch: UploadJobPatch, toFeed = true): Promise<UploadJob> {
    const view = jobView(await this.repos.uploads.update(id, patch));
    if (toFeed) this.opts.feed?.jobUpdated(view);
    return view;
  }

  private async process(id: string, signal: AbortSignal): Promise<void> {
    const job = await this.repos.uploads.get(id);
    const startedAt = new Date();
    await this.update(id, { state: 'processing', startedAt });
    this.opts.log.info(
      { jobId: id, file: job.fileName, cameraId: job.cameraId },
      'processing an uploaded recording',
    );
    let run = new JobRun(job, startedAt, this.opts);
    try {
      if (!job.deviceId) throw new Error('the store of this recording has no recordings device any more');
      const placed = job.startTimeGiven ? job : await this.place(job, signal);
      run = new JobRun(placed, startedAt, this.opts);
      const done = await this.runWorker(placed, job.deviceId, run, signal);
      await run.settled();
      // The video goes before the job says it is finished: whoever sees "done" finds nothing kept.
      await this.discard(id);
      await this.update(id, run.finished(done));
      this.logDone(id, done);
    } catch (err) {
      const message = signal.aborted
        ? 'the hub stopped while this recording was being processed'
        : (err instanceof Error ? err.message : String(err)).replaceAll(this.pathOf(id), job.fileName);
      this.opts.log.warn({ jobId: id, error: message }, 'processing an uploaded recording failed');
      await this.discard(id);
      await run.settled();
      await this.update(id, run.failed(message)).catch((e: unknown) =>
        this.opts.log.error({ err: e, jobId: id }, 'recording a failed upload job failed'),
      );
    } finally {
      await this.discard(id);
    }
  }

  /**
   * A job without a given start time ends when it was uploaded: it starts the length of the frames
   * the file truly holds before that (a cut file's header promises more, which would place it early).
   */
  private async place(job: UploadJobRow, signal: AbortSignal): Promise<UploadJobRow> {
    const probed = await this.worker.probe(
      { file: this.pathOf(job.id), ...(job.fps ? { fps: job.fps } : {}), countFrames: true },
      signal,
    );
    const ms = videoMs(probed.framesRead, probed.fps);
    const startTime = resolveStartTime(undefined, ms, job.createdAt.getTime());
    return this.repos.uploads.update(job.id, { startTime });
  }

  /** Runs the job in a worker process; its events are numbered here and stored apart (recording-store.ts). */
  private async runWorker(job: UploadJobRow, deviceId: string, run: JobRun, signal: AbortSignal) {
    const { zones, lines } = await this.repos.zones.geometry(job.cameraId);
    const ctx = await loadStoreContext(this.repos, job.storeId);
    const store = new RecordingStore(this.opts.db, ctx, deviceId, job.id);
    const batchEvents = Math.min(MAX_BATCH_EVENTS, Math.max(1, this.opts.batchEvents ?? MAX_BATCH_EVENTS));
    return this.worker.process(
      {
        file: this.pathOf(job.id),
        cameraId: job.cameraId,
        startTime: job.startTime.getTime(),
        ...(job.fps ? { fps: job.fps } : {}),
        detector: job.detector as UploadDetector,
        dataDir: this.opts.dataDir,
        zones: [...zones],
        lines: [...lines],
        batchEvents,
        ...(this.opts.maxFrames ? { maxFrames: this.opts.maxFrames } : {}),
      },
      {
        signal,
        onProgress: (p) => run.progress(p),
        onEvents: async (events) => {
          const first = await this.recordings.takeSeqs(deviceId, events.length);
          await store.store(first, events);
          await this.opts.onStored?.(job.storeId);
          run.stored(first, events);
        },
      },
    );
  }

  private logDone(id: string, done: Done & { stderr: string }): void {
    const line = { jobId: id, frames: done.frames, fps: Math.round(done.fps * 10) / 10 };
    // FFmpeg's own words (summarised, repeats counted) are for whoever debugs a file, not the hub log.
    if (done.stderr) this.opts.log.debug({ jobId: id, decoder: done.stderr }, 'decoder (FFmpeg) messages');
    if (done.warning)
      this.opts.log.warn({ ...line, warning: done.warning }, 'uploaded recording processed, with a warning');
    else this.opts.log.info(line, 'uploaded recording processed');
  }

  private async discard(id: string): Promise<void> {
    if (!this.opts.keepFiles) await rm(this.pathOf(id), { force: true }).catch(() => undefined);
  }
}
