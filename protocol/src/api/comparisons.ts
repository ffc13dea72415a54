/**
 * Comparisons: the headline figures against earlier periods (`GET /api/analytics/summary/changes`) and
 * every store's figures side by side with their change (`GET /api/analytics/stores-table`).
 *
 * The periods compared with a range [from, to), on the store's own clock (across a clock change a
 * day still starts at midnight):
 * - previous: the same number of days immediately before (the same length for part days);
 * - lastWeek: the same range 7 days earlier (ranges shorter than a week);
 * - lastYear: ranges of a week or longer, where the week before is the previous period already: a
 *   week against the same weekdays 52 weeks earlier, longer ranges against the same dates one year
 *   earlier (as the weekly and monthly reports).
 * A range that runs past now is counted up to now, and so is each earlier period (the same length
 * from its start): today so far against last Tuesday up to the same time.
 * A change is a fraction (0.12 = +12 %), null when the earlier figure is 0 or the earlier period has
 * no data: there is nothing to compare with.
 */
import { type Static, Type } from '@sinclair/typebox';
import { AnalyticsSource } from './analytics.ts';
import { DateTime, Nullable, type Wire } from './wire.ts';

export const ComparisonBase = Type.Union([
  Type.Literal('previous'),
  Type.Literal('lastWeek'),
  Type.Literal('lastYear'),
]);
export type ComparisonBase = Static<typeof ComparisonBase>;

/** The headline figures of a period. */
export const HeadlineFigures = Type.Object({
  visitors: Type.Number(),
  entries: Type.Number(),
  averageTimeSpentMs: Type.Number(),
  /** The most people inside at once (from the hourly summaries). */
  peakInside: Type.Number(),
});
export type HeadlineFigures = Static<typeof HeadlineFigures>;

/** The change of each headline figure; null: no data to compare with. */
export const FigureChanges = Type.Object({
  visitors: Nullable(Type.Number()),
  entries: Nullable(Type.Number()),
  averageTimeSpentMs: Nullable(Type.Number()),
  peakInside: Nullable(Type.Number()),
});
export type FigureChanges = Static<typeof FigureChanges>;

export const PeriodComparison = Type.Object({
  base: ComparisonBase,
  from: DateTime,
  to: DateTime,
  /** Anything at all was counted in that period. */
  hasData: Type.Boolean(),
  figures: HeadlineFigures,
  changes: FigureChanges,
});
export type PeriodComparison = Wire<Static<typeof PeriodComparison>>;

export const SummaryChanges = Type.Object({
  storeId: Type.String(),
  from: DateTime,
  to: DateTime,
  /** Where counting stopped: `to`, or now when the range runs past now. */
  countedTo: DateTime,
  source: AnalyticsSource,
  figures: HeadlineFigures,
  comparisons: Type.Array(PeriodComparison),
});
export type SummaryChanges = Wire<Static<typeof SummaryChanges>>;

export const StoresTableRow = Type.Object({
  storeId: Type.String(),
  name: Type.String(),
  /** 1 for the most visitors; stores with as many visitors share a rank. */
  rank: Type.Integer(),
  ...HeadlineFigures.properties,
  previous: HeadlineFigures,
  changes: FigureChanges,
});
export type StoresTableRow = Wire<Static<typeof StoresTableRow>>;

export const StoresTable = Type.Object({
  from: DateTime,
  to: DateTime,
  countedTo: DateTime,
  previousFrom: DateTime,
  previousTo: DateTime,
  stores: Type.Array(StoresTableRow),
});
export type StoresTable = Wire<Static<typeof StoresTable>>;
