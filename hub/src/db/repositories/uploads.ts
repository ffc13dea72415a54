import { and, desc, eq, inArray, ne, sql } from 'drizzle-orm';
import { type Db, queryRows } from '../database.ts';
import { ConflictError, guard, NotFoundError } from '../errors.ts';
import { type UploadState, type UploadSummary, uploadJobs } from '../schema.ts';

export type UploadJob = typeof uploadJobs.$inferSelect;
export interface NewUploadJob {
  id?: string;
  storeId: string;
  cameraId: string;
  deviceId: string;
  createdBy: string | null;
  fileName: string;
  sizeBytes: number;
  detector: string;
  fps: number | null;
  startTime: Date;
  /** False: no start time was given and `startTime` is the hub's estimate (default true). */
  startTimeGiven?: boolean;
  /** SHA-256 of the file (hex): a second job with the same bytes for the camera is refused. */
  contentSha256?: string | null;
  framesTotal: number | null;
}

/** The same recording is already counted for this camera (by a job that has not failed). */
export class DuplicateRecordingError extends ConflictError {
  override name = 'DuplicateRecordingError';
  constructor(readonly existing: UploadJob) {
    super(`this recording was already added (upload ${existing.id})`);
  }
}

/** What a running job changes as it goes. */
export interface UploadJobPatch {
  state?: UploadState;
  framesDone?: number;
  framesTotal?: number | null;
  processingFps?: number | null;
  error?: string | null;
  summary?: UploadSummary | null;
  firstSeq?: number | null;
  lastSeq?: number | null;
  startedAt?: Date | null;
  finishedAt?: Date | null;
  /** Placed again from the frames read, when none was given. */
  startTime?: Date;
}

/** Upload jobs (recorded videos processed on the hub): the queue's state and each job's result. */
export class UploadsRepository {
  constructor(private readonly db: Db) {}

  /**
   * Queues a job. Throws DuplicateRecordingError when a job with the same bytes for the camera is
   * queued, processing or done: the unique index decides, so two hubs receiving it at once agree.
   */
  async create(input: NewUploadJob): Promise<UploadJob> {
    try {
      const [row] = await guard(() =>
        this.db
          .insert(uploadJobs)
          .values({ ...input, state: 'queued' })
          .returning(),
      );
      return row!;
    } catch (err) {
      const existing =
        err instanceof ConflictError && input.contentSha256
          ? await this.findRecording(input.cameraId, input.contentSha256)
          : undefined;
      throw existing ? new DuplicateRecordingError(existing) : err;
    }
  }

  /** The job that counts these bytes for the camera (queued, processing or done), if any. */
  async findRecording(cameraId: string, contentSha256: string): Promise<UploadJob | undefined> {
    const [row] = await this.db
      .select()
      .from(uploadJobs)
      .where(
        and(
          eq(uploadJobs.cameraId, cameraId),
          eq(uploadJobs.contentSha256, contentSha256),
          ne(uploadJobs.state, 'failed'),
        ),
      );
    return row;
  }

  /**
   * Reserves `n` consecutive seqs of a recordings device and returns the first. One statement moves
   * the device's counter (`device_progress.next_recording_seq`, row-locked by the update), so hubs
   * reserving at once get disjoint ranges. The first reservation starts after every seq the device
   * used: events, dead letters and the acknowledged point (kept when retention deletes events).
   */
  async reserveSeqs(deviceId: string, n: number): Promise<number> {
    const after = sql`coalesce(greatest(
        (SELECT max(seq) FROM tracking_events WHERE device_id = ${deviceId}),
        (SELECT max(seq) FROM dead_letters WHERE device_id = ${deviceId}),
        (SELECT acked_up_to FROM device_progress WHERE device_id = ${deviceId})
      ), 0) + 1`;
    const [row] = await queryRows<{ first: unknown }>(
      this.db,
      sql`INSERT INTO device_progress AS p (device_id, next_recording_seq) VALUES (${deviceId}, ${after} + ${n}::bigint)
        ON CONFLICT (device_id) DO UPDATE
          SET next_recording_seq = coalesce(p.next_recording_seq, ${after}) + ${n}::bigint, updated_at = now()
        RETURNING p.next_recording_seq - ${n}::bigint AS first`,
    );
    return Number(row!.first);
  }

  async find(id: string): Promise<UploadJob | undefined> {
    const [row] = await this.db.select().from(uploadJobs).where(eq(uploadJobs.id, id));
    return row;
  }

  async get(id: string): Promise<UploadJob> {
    const row = await this.find(id);
    if (!row) throw new NotFoundError('upload', id);
    return row;
  }

  /** Newest first; `storeIds` undefined: every store. */
  async list(options: { storeIds?: readonly string[]; limit?: number } = {}): Promise<UploadJob[]> {
    if (options.storeIds && options.storeIds.length === 0) return [];
    const query = this.db.select().from(uploadJobs);
    const filtered = options.storeIds
      ? query.where(inArray(uploadJobs.storeId, [...options.storeIds]))
      : query;
    return filtered.orderBy(desc(uploadJobs.createdAt), desc(uploadJobs.id)).limit(options.limit ?? 100);
  }

  async update(id: string, patch: UploadJobPatch): Promise<UploadJob> {
    const [row] = await guard(() =>
      this.db
        .update(uploadJobs)
        .set({ ...patch, updatedAt: new Date() })
        .where(eq(uploadJobs.id, id))
        .returning(),
    );
    if (!row) throw new NotFoundError('upload', id);
    return row;
  }

  /**
   * Deletes a job and, through the database's cascades, every event, visit and summary row it
   * produced (they carry its `upload_id`), in one statement. False when there was no such job.
   */
  async delete(id: string): Promise<boolean> {
    const rows = await this.db
      .delete(uploadJobs)
      .where(eq(uploadJobs.id, id))
      .returning({ id: uploadJobs.id });
    return rows.length > 0;
  }

  /** Marks every queued or processing job failed with `error`; returns them (a hub start). */
  async failUnfinished(error: string, at: Date = new Date()): Promise<UploadJob[]> {
    return this.db
      .update(uploadJobs)
      .set({ state: 'failed', error, finishedAt: at, updatedAt: at })
      .where(inArray(uploadJobs.state, ['queued', 'processing']))
      .returning();
  }
}
