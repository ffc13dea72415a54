/**
 * Comparisons for the REST routes: a store's headline figures against earlier periods, and every
 * store's figures with their change against the previous period (the head-office table).
 *
 * The headline figures use the same source as the summary (raw data up to 48 hours, the hourly
 * summaries beyond), through the analytics repository, so the numbers match the summary's; the most
 * people inside, and the whole store table, come from one query over the hourly summaries.
 */
import type { ComparisonBase, FigureChanges, HeadlineFigures } from '@oskartrack/protocol';
import { NotFoundError } from '../db/errors.ts';
import type { ComparisonsRepository, PeriodTotals } from '../db/repositories/comparisons.ts';
import type { Counts, Repositories } from '../db/repositories/index.ts';
import { type AnalyticsService, checkRange, type Source, type SourceChoice } from './analytics.ts';
import { basePeriod, basesFor, change, countedTo, type Period } from './comparison-periods.ts';

type Repos = Pick<Repositories, 'analytics' | 'stores'>;

export interface ChangesQuery {
  storeId: string;
  cameraId?: string;
  from: Date;
  to: Date;
  source?: SourceChoice;
  includeRecordings?: boolean;
}

export interface PeriodResult {
  base: ComparisonBase;
  from: Date;
  to: Date;
  hasData: boolean;
  figures: HeadlineFigures;
  changes: FigureChanges;
}

export interface ChangesResult {
  storeId: string;
  from: Date;
  to: Date;
  countedTo: Date;
  source: Source;
  figures: HeadlineFigures;
  comparisons: PeriodResult[];
}

export interface StoresTableResult {
  from: Date;
  to: Date;
  countedTo: Date;
  previousFrom: Date;
  previousTo: Date;
  stores: ({
    storeId: string;
    name: string;
    rank: number;
    previous: HeadlineFigures;
    changes: FigureChanges;
  } & HeadlineFigures)[];
}

function figures(c: Counts, peakInside: number): HeadlineFigures {
  return {
    visitors: c.visitors,
    entries: c.entries,
    averageTimeSpentMs: c.dwellCount > 0 ? Math.round(c.totalDwellMs / c.dwellCount) : 0,
    peakInside,
  };
}

function changes(now: HeadlineFigures, before: HeadlineFigures, hasData: boolean): FigureChanges {
  return {
    visitors: change(now.visitors, before.visitors, hasData),
    entries: change(now.entries, before.entries, hasData),
    averageTimeSpentMs: change(now.averageTimeSpentMs, before.averageTimeSpentMs, hasData),
    peakInside: change(now.peakInside, before.peakInside, hasData),
  };
}

const counted = (c: Counts) => c.visitors + c.entries + c.exits > 0;

/** Competition ranks by visitors: 1 for the most, equal visitors share a rank (1, 2, 2, 4). */
export function ranks(visitors: readonly number[]): number[] {
  return visitors.map((v) => 1 + visitors.filter((o) => o > v).length);
}

export class ComparisonService {
  constructor(
    private readonly repos: Repos,
    private readonly comparisons: ComparisonsRepository,
    private readonly analytics: Pick<AnalyticsService, 'sourceFor'>,
  ) {}

  private totals(source: Source, q: ChangesQuery, p: Period): Promise<Counts[]> {
    const scope = {
      storeIds: [q.storeId],
      from: p.from,
      to: p.to,
      ...(q.cameraId ? { cameraId: q.cameraId } : {}),
      ...(q.includeRecordings ? { includeRecordings: true } : {}),
    };
    return source === 'raw'
      ? this.repos.analytics.totalsFromRaw(scope)
      : this.repos.analytics.totalsFromSummaries(scope);
  }

  /** The headline figures of a store (or camera) and their changes against the earlier periods. */
  async summaryChanges(q: ChangesQuery, now = Date.now()): Promise<ChangesResult> {
    const range = { from: q.from, to: q.to };
    const source = await this.analytics.sourceFor([q.storeId], q.from, q.to, q.source);
    const end = countedTo(range, now);
    const { timezone } = await this.repos.stores.get(q.storeId);
    const bases = basesFor(range).map((base) => ({ base, ...basePeriod(base, range, end, timezone) }));
    const periods = [
      { label: 'current', from: q.from, to: end },
      ...bases.map((b) => ({ ...b, label: b.base })),
    ];
    const [peaks, ...totals] = await Promise.all([
      this.comparisons.periodTotals({
        storeIds: [q.storeId],
        periods,
        ...(q.cameraId ? { cameraId: q.cameraId } : {}),
        ...(q.includeRecordings ? { includeRecordings: true } : {}),
      }),
      ...periods.map((p) => this.totals(source, q, p)),
    ]);
    const of = (i: number) => {
      const c = totals[i]![0]!;
      const peak = peaks[i]!;
      return { figures: figures(c, peak.peakInside), hasData: counted(c) || peak.hours > 0 };
    };
    const current = of(0).figures;
    return {
      storeId: q.storeId,
      from: q.from,
      to: q.to,
      countedTo: end,
      source,
      figures: current,
      comparisons: bases.map((b, i) => {
        const before = of(i + 1);
        return { ...b, ...before, changes: changes(current, before.figures, before.hasData) };
      }),
    };
  }

  /** Every store's figures and change against the previous period, ranked by visitors. */
  async storesTable(
    q: { storeIds: readonly string[]; from: Date; to: Date; includeRecordings?: boolean },
    now = Date.now(),
  ): Promise<StoresTableResult> {
    const range = { from: q.from, to: q.to };
    checkRange(q.from, q.to);
    const end = countedTo(range, now);
    const previous = basePeriod('previous', range, end);
    const rows = await this.comparisons.periodTotals({
      storeIds: q.storeIds,
      periods: [
        { label: 'current', from: q.from, to: end },
        { label: 'previous', ...previous },
      ],
      ...(q.includeRecordings ? { includeRecordings: true } : {}),
    });
    const names = new Map((await this.repos.stores.list({ ids: q.storeIds })).map((s) => [s.id, s.name]));
    const find = (label: string, storeId: string): PeriodTotals =>
      rows.find((r) => r.label === label && r.storeId === storeId)!;
    const stores = q.storeIds.map((storeId) => {
      const name = names.get(storeId);
      if (name === undefined) throw new NotFoundError('store', storeId);
      const now = find('current', storeId);
      const before = find('previous', storeId);
      const current = figures(now, now.peakInside);
      const earlier = figures(before, before.peakInside);
      const hasData = counted(before) || before.hours > 0;
      return { storeId, name, ...current, previous: earlier, changes: changes(current, earlier, hasData) };
    });
    const rank = ranks(stores.map((s) => s.visitors));
    return {
      from: q.from,
      to: q.to,
      countedTo: end,
      previousFrom: previous.from,
      previousTo: previous.to,
      stores: stores.map((s, i) => ({ ...s, rank: rank[i]! })),
    };
  }
}
