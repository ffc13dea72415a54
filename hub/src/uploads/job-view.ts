// An upload job's row as the API and the live feed show it.

import type { UploadJob } from '@oskartrack/protocol';
import type { UploadJob as UploadJobRow } from '../db/repositories/index.ts';

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
