import { desc, eq, inArray } from 'drizzle-orm';
import type { Db } from '../database.ts';
import { guard, NotFoundError } from '../errors.ts';
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
  framesTotal: number | null;
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
}

/** Upload jobs (recorded videos processed on the hub): the queue's state and each job's result. */
export class UploadsRepository {
  constructor(private readonly db: Db) {}

  async create(input: NewUploadJob): Promise<UploadJob> {
    const [row] = await guard(() =>
      this.db
        .insert(uploadJobs)
        .values({ ...input, state: 'queued' })
        .returning(),
    );
    return row!;
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
