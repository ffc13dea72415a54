/**
 * Upload jobs: recorded videos processed on the hub by the agent's engine, at full speed, in the
 * background, `concurrency` at a time (default one: detection takes a whole core).
 *
 * Design (see also the upload_jobs table in db/schema.ts):
 * - The job table is the registry: every job's state, progress and result summary is in the database,
 *   so `GET /api/uploads/:id` answers after a restart too. Progress is written at most every
 *   `dbProgressMs`; the live feed gets it every `progressMs`. A hub start marks the jobs a previous
 *   run left queued or processing failed ("upload it again") and deletes their files.
 * - Events go through the same ingest as a box's (`Ingest.submit`: its queue, one transaction with
 *   visits and summaries, onStored to the live feed), under the store's recordings device
 *   `upload-<storeId>` (created on first use, with no MQTT credential, so no box can log in as it),
 *   with seqs continuing from the highest stored for it. Batches of at most MAX_BATCH_EVENTS are handed
 *   over one at a time and awaited: the engine runs only as fast as the database stores.
 * - Frame times start at the start time the user gave; the camera's areas and lines are its scene.
 * - The video is deleted once processed (done or failed) unless `keepFiles` (settings.keepUploads).
 */
import { mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import {
  type EventBatch,
  MAX_BATCH_EVENTS,
  PROTOCOL_VERSION,
  type SequencedEvent,
  type TrackingEvent,
} from '@oskartrack/protocol';
import { ConflictError } from '../db/errors.ts';
import {
  type Repositories,
  recordingsDeviceId,
  type UploadJobPatch,
  type UploadJob as UploadJobRow,
} from '../db/repositories/index.ts';
import type { UploadSummary } from '../db/schema.ts';
import type { UploadJob } from '../live/messages.ts';

export const DETECTORS = ['hog', 'yolox'] as const;
export type UploadDetector = (typeof DETECTORS)[number];

export interface UploadLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface UploadServiceOptions {
  repos: Repositories;
  /** The hub's ingest (only `submit` is used). */
  ingest: { submit(deviceId: string, batch: EventBatch): Promise<void> };
  /** Job progress to the live feed. */
  feed?: { jobUpdated(job: UploadJob): void } | undefined;
  /** The hub's data directory: videos wait in `<dataDir>/uploads`, YOLOX models are looked up in it. */
  dataDir: string;
  log: UploadLogger;
  /** Keep videos after processing (default false: deleted, for privacy). */
  keepFiles?: boolean | undefined;
  /** Jobs processed at once (default 1). */
  concurrency?: number | undefined;
  /** Events per batch handed to the ingest (default and at most MAX_BATCH_EVENTS). */
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
  framesTotal: number | null;
}

export function jobView(row: UploadJobRow): UploadJob {
  const iso = (d: Date | null) => (d ? d.toISOString() : null);
  return {
    id: row.id,
    storeId: row.storeId,
    cameraId: row.cameraId,
    fileName: row.fileName,
    sizeBytes: row.sizeBytes,
    detector: row.detector,
    state: row.state,
    framesDone: row.framesDone,
    framesTotal: row.framesTotal,
    fps: row.processingFps,
    error: row.error,
    summary: row.summary,
    startTime: row.startTime.toISOString(),
    createdAt: row.createdAt.toISOString(),
    startedAt: iso(row.startedAt),
    finishedAt: iso(row.finishedAt),
  };
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
  private readonly nextSeq = new Map<string, Promise<{ next: number }>>();
  private readonly concurrency: number;
  private stopped = false;
  private idleWaiters: (() => void)[] = [];

  constructor(options: UploadServiceOptions) {
    this.opts = options;
    this.repos = options.repos;
    this.dir = join(options.dataDir, 'uploads');
    this.concurrency = Math.max(1, options.concurrency ?? 1);
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

  /** Records a checked upload as a queued job and starts it when a slot is free. */
  async accept(upload: NewUpload): Promise<UploadJob> {
    if (this.stopped) throw new Error('the hub is shutting down');
    const deviceId = await this.recordingsDevice(upload.storeId);
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

  /** Resolves when no job is queued or running (tests). */
  idle(): Promise<void> {
    if (this.queue.length === 0 && this.running.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Stops the running jobs (they are marked failed) and forgets the queued ones (failed on next start). */
  async stop(): Promise<void> {
    this.stopped = true;
    this.queue.length = 0;
    for (const r of this.running.values()) r.abort.abort();
    await Promise.allSettled([...this.running.values()].map((r) => r.done));
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

  private async recordingsDevice(storeId: string): Promise<string> {
    const id = recordingsDeviceId(storeId);
    const existing = await this.repos.devices.find(id);
    if (existing) {
      if (existing.storeId !== storeId) throw new Error(`device ${id} belongs to another store`);
      return id;
    }
    try {
      await this.repos.devices.create({ id, storeId, name: 'Uploaded recordings' });
    } catch (err) {
      if (!(err instanceof ConflictError)) throw err;
    }
    return id;
  }

  /** Takes `n` consecutive seqs of the device, after the highest stored. */
  private async takeSeqs(deviceId: string, n: number): Promise<number> {
    let counter = this.nextSeq.get(deviceId);
    if (!counter) {
      counter = this.repos.events.lastSeq(deviceId).then((last) => ({ next: last + 1 }));
      this.nextSeq.set(deviceId, counter);
      counter.catch(() => this.nextSeq.delete(deviceId));
    }
    const c = await counter;
    const first = c.next;
    c.next += n;
    return first;
  }

  private async update(id: string, patch: UploadJobPatch, toFeed = true): Promise<UploadJob> {
    const view = jobView(await this.repos.uploads.update(id, patch));
    if (toFeed) this.opts.feed?.jobUpdated(view);
    return view;
  }

  private async process(id: string, signal: AbortSignal): Promise<void> {
    const job = await this.repos.uploads.get(id);
    const file = this.pathOf(id);
    const discard = async () => {
      if (!this.opts.keepFiles) await rm(file, { force: true }).catch(() => undefined);
    };
    const log = this.opts.log;
    const startedAt = new Date();
    await this.update(id, { state: 'processing', startedAt });
    log.info({ jobId: id, file: job.fileName, cameraId: job.cameraId }, 'processing an uploaded recording');
    const byKind: Record<string, number> = {};
    let visits = 0;
    let firstSeq: number | null = null;
    let lastSeq: number | null = null;
    let framesDone = 0;
    let framesTotal = job.framesTotal;
    try {
      if (!job.deviceId) throw new Error('the store of this recording has no recordings device any more');
      const deviceId = job.deviceId;
      const agent = await import('@oskartrack/agent');
      const { zones, lines } = await this.repos.zones.geometry(job.cameraId);
      const source = await agent.openSource(file, {
        cameraId: job.cameraId,
        startTime: job.startTime.getTime(),
        ...(job.fps ? { fps: job.fps } : {}),
      });
      const detector = await agent
        .createDetector({ kind: job.detector as UploadDetector, dataDir: this.opts.dataDir })
        .catch(async (err: unknown) => {
          await source.close();
          throw err;
        });
      const engine = new agent.Engine({
        cameraId: job.cameraId,
        detector,
        scene: { zones, lines },
        fps: source.info.fps,
      });
      const batchSize = Math.min(MAX_BATCH_EVENTS, Math.max(1, this.opts.batchEvents ?? MAX_BATCH_EVENTS));
      const pending: TrackingEvent[] = [];
      const flush = async (all: boolean) => {
        while (pending.length >= (all ? 1 : batchSize)) {
          const chunk = pending.splice(0, batchSize);
          const first = await this.takeSeqs(deviceId, chunk.length);
          const events: SequencedEvent[] = chunk.map((event, i) => ({ seq: first + i, event }));
          await this.opts.ingest.submit(deviceId, {
            v: PROTOCOL_VERSION,
            sentAt: Date.now(),
            floor: first,
            events,
          });
          firstSeq ??= first;
          lastSeq = first + chunk.length - 1;
          for (const e of chunk) {
            byKind[e.kind] = (byKind[e.kind] ?? 0) + 1;
            if (e.kind === 'visit_closed') visits++;
          }
        }
      };
      const progressMs = this.opts.progressMs ?? 500;
      const dbProgressMs = this.opts.dbProgressMs ?? 2000;
      let lastFeed = 0;
      let lastDb = Date.now();
      let dbWrite: Promise<unknown> = Promise.resolve();
      const t0 = performance.now();
      const speed = () => {
        const s = (performance.now() - t0) / 1000;
        return s > 0 ? framesDone / s : 0;
      };
      let stats: Awaited<ReturnType<typeof agent.runSource>>;
      try {
        stats = await agent.runSource(source, engine, {
          signal,
          ...(this.opts.maxFrames ? { maxFrames: this.opts.maxFrames } : {}),
          onStep: async (_frame, result) => {
            if (result.events.length > 0) {
              pending.push(...result.events);
              await flush(false);
            }
          },
          onFinish: async (last) => {
            pending.push(...last);
            await flush(true);
          },
          onProgress: (done, total) => {
            framesDone = done;
            if (total !== undefined) framesTotal = total;
            const now = Date.now();
            if (now - lastFeed >= progressMs) {
              lastFeed = now;
              this.opts.feed?.jobUpdated({
                ...jobView(job),
                state: 'processing',
                startedAt: startedAt.toISOString(),
                framesDone,
                framesTotal,
                fps: speed(),
              });
            }
            if (now - lastDb >= dbProgressMs) {
              lastDb = now;
              dbWrite = dbWrite
                .then(() =>
                  this.repos.uploads.update(id, { framesDone, framesTotal, processingFps: speed() }),
                )
                .catch(() => undefined);
            }
          },
        });
      } finally {
        detector.close();
        await source.close();
        await dbWrite;
      }
      if (signal.aborted) throw new Error('the hub stopped while this recording was being processed');
      const counts = engine.analytics.counts();
      const summary: UploadSummary = {
        events: byKind,
        visitors: counts.tracksStarted,
        visits,
        lines: counts.lines.map((l) => ({ lineId: l.lineId, name: l.name, in: l.in, out: l.out })),
        zones: counts.zones.map((z) => ({
          zoneId: z.zoneId,
          name: z.name,
          entries: z.entries,
          exits: z.exits,
          dwellMs: z.dwellMs,
        })),
        videoSeconds: stats.frames / source.info.fps,
      };
      // The video goes before the job says it is finished: whoever sees "done" finds nothing kept.
      await discard();
      await this.update(id, {
        state: 'done',
        framesDone: stats.frames,
        framesTotal: framesTotal ?? stats.frames,
        processingFps: stats.fps,
        summary,
        firstSeq,
        lastSeq,
        finishedAt: new Date(),
      });
      log.info(
        { jobId: id, frames: stats.frames, fps: Math.round(stats.fps * 10) / 10, events: stats.events },
        'uploaded recording processed',
      );
    } catch (err) {
      const message = err instanceof Error ? err.message.replace(file, job.fileName) : String(err);
      log.warn({ jobId: id, error: message }, 'processing an uploaded recording failed');
      await discard();
      await this.update(id, {
        state: 'failed',
        error: message,
        framesDone,
        framesTotal,
        firstSeq,
        lastSeq,
        finishedAt: new Date(),
      }).catch((e: unknown) => log.error({ err: e, jobId: id }, 'recording a failed upload job failed'));
    } finally {
      await discard();
    }
  }
}
