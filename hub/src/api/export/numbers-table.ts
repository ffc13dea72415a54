/**
 * The hourly or daily numbers export: one row per hour (or store-local day), camera and area, read a
 * window of days at a time so a year of hours never sits in memory at once.
 */
import type { Repositories } from '../../db/repositories/index.ts';
import type { Summary } from '../../db/repositories/summaries.ts';
import type { SummaryPeriod } from '../../db/schema.ts';
import type { PlaceNames } from './names.ts';
import type { Table } from './table.ts';

const DAY_MS = 86_400_000;
/** Days read at once: a week of hours, or a year of days. */
const WINDOW_DAYS: Record<SummaryPeriod, number> = { hour: 7, day: 366 };

export interface NumbersExport {
  storeId: string;
  storeName: string;
  timeZone: string;
  period: SummaryPeriod;
  from: Date;
  to: Date;
  includeRecordings: boolean;
}

async function* summaryWindows(repos: Repositories, q: NumbersExport): AsyncGenerator<Summary[]> {
  const step = WINDOW_DAYS[q.period] * DAY_MS;
  for (let start = q.from.getTime(); start < q.to.getTime(); start += step) {
    const end = Math.min(start + step, q.to.getTime());
    yield await repos.summaries.list({
      period: q.period,
      storeId: q.storeId,
      from: new Date(start),
      to: new Date(end),
      ...(q.includeRecordings ? { includeRecordings: true } : {}),
    });
  }
}

const average = (s: Summary) => (s.dwellCount > 0 ? s.totalDwellMs / s.dwellCount : null);

export function numbersTable(repos: Repositories, q: NumbersExport, names: PlaceNames): Table<Summary> {
  const daily = q.period === 'day';
  return {
    title: daily ? 'Daily numbers' : 'Hourly numbers',
    timeZone: q.timeZone,
    columns: [
      {
        header: `${daily ? 'Day' : 'Time'} (${q.timeZone})`,
        kind: daily ? 'date' : 'time',
        width: daily ? 14 : 21,
        value: (s) => s.bucketStart,
      },
      { header: 'Store', kind: 'text', width: 24, value: () => q.storeName },
      { header: 'Camera', kind: 'text', width: 24, value: (s) => names.camera(s.cameraId) },
      { header: 'Area', kind: 'text', width: 24, value: (s) => names.area(s.zoneId) },
      { header: 'Visitors', kind: 'count', width: 10, value: (s) => s.visitors },
      { header: 'Entrances', kind: 'count', width: 11, value: (s) => s.entries },
      { header: 'Exits', kind: 'count', width: 8, value: (s) => s.exits },
      { header: 'Average time spent (seconds)', kind: 'seconds', width: 28, value: average },
      { header: 'Most people inside', kind: 'count', width: 19, value: (s) => s.peakOccupancy },
      ...(q.includeRecordings ? [recordedColumn] : []),
    ],
    batches: summaryWindows(repos, q),
  };
}

/** Only when recordings are included: which rows come from one. */
const recordedColumn = {
  header: 'From a recorded video',
  kind: 'text',
  width: 22,
  value: (s: { uploadId: string | null }) => (s.uploadId ? 'Yes' : 'No'),
} as const;
