/** The visits export: one row per visit that started in the range, oldest first, a page at a time. */
import type { Repositories } from '../../db/repositories/index.ts';
import type { Visit } from '../../db/repositories/visits.ts';
import type { PlaceNames } from './names.ts';
import type { Table } from './table.ts';
import { areasOf } from './visit-areas.ts';

/** A visit and the areas it went through. */
export interface VisitRow {
  visit: Visit;
  areaIds: readonly string[];
}

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

async function* visitPages(repos: Repositories, q: VisitsExport): AsyncGenerator<VisitRow[]> {
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
    const areas = await areasOf(repos, q.storeId, page.items);
    yield page.items.map((visit) => ({ visit, areaIds: areas.get(visit.id) ?? [] }));
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
}

/** Area names in alphabetical order, or nothing when the visit went through none. */
function areaNames(ids: readonly string[], names: PlaceNames): string {
  return ids
    .map((id) => names.area(id))
    .sort((a, b) => a.localeCompare(b))
    .join(', ');
}

export function visitsTable(repos: Repositories, q: VisitsExport, names: PlaceNames): Table<VisitRow> {
  const zone = q.timeZone;
  return {
    title: 'Visits',
    timeZone: zone,
    columns: [
      { header: `Started (${zone})`, kind: 'time', width: 21, value: (r) => r.visit.startedAt },
      { header: `Ended (${zone})`, kind: 'time', width: 21, value: (r) => r.visit.endedAt },
      { header: 'Time spent (seconds)', kind: 'seconds', width: 20, value: (r) => r.visit.durationMs },
      { header: 'Store', kind: 'text', width: 24, value: () => q.storeName },
      { header: 'Camera', kind: 'text', width: 24, value: (r) => names.camera(r.visit.cameraId) },
      { header: 'Areas', kind: 'text', width: 30, value: (r) => areaNames(r.areaIds, names) || null },
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
  value: (r: VisitRow) => (r.visit.uploadId ? 'Yes' : 'No'),
} as const;
