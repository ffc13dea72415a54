/** The visits export: one row per visit that started in the range, oldest first, a page at a time. */
import type { Repositories } from '../../db/repositories/index.ts';
import type { Visit } from '../../db/repositories/visits.ts';
import type { PlaceNames } from './names.ts';
import type { Table } from './table.ts';

const PAGE = 1000;

export interface VisitsExport {
  storeId: string;
  storeName: string;
  timeZone: string;
  cameraId?: string | undefined;
  from: Date;
  to: Date;
  includeRecordings: boolean;
}

async function* visitPages(repos: Repositories, q: VisitsExport): AsyncGenerator<Visit[]> {
  let cursor: string | undefined;
  do {
    const page = await repos.visits.list({
      storeId: q.storeId,
      from: q.from,
      to: q.to,
      limit: PAGE,
      ...(q.cameraId ? { cameraId: q.cameraId } : {}),
      ...(q.includeRecordings ? { includeRecordings: true } : {}),
      ...(cursor ? { cursor } : {}),
    });
    yield page.items;
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
}

export function visitsTable(repos: Repositories, q: VisitsExport, names: PlaceNames): Table<Visit> {
  const zone = q.timeZone;
  return {
    title: 'Visits',
    timeZone: zone,
    columns: [
      { header: `Started (${zone})`, kind: 'time', width: 21, value: (v) => v.startedAt },
      { header: `Ended (${zone})`, kind: 'time', width: 21, value: (v) => v.endedAt },
      { header: 'Time spent (seconds)', kind: 'seconds', width: 20, value: (v) => v.durationMs },
      { header: 'Store', kind: 'text', width: 24, value: () => q.storeName },
      { header: 'Camera', kind: 'text', width: 24, value: (v) => names.camera(v.cameraId) },
      ...(q.includeRecordings ? [recordedColumn] : []),
    ],
    batches: visitPages(repos, q),
  };
}

/** Only when recordings are included: which rows come from one. */
const recordedColumn = {
  header: 'From a recorded video',
  kind: 'text',
  width: 22,
  value: (v: { uploadId: string | null }) => (v.uploadId ? 'Yes' : 'No'),
} as const;
