/** The answers of `GET /api/analytics/*`: counts for a store (or a camera) over a time range. */
import { type Static, Type } from '@sinclair/typebox';
import { DateTime, Nullable, type Wire } from './wire.ts';

/** `raw`: counted from the events; `summaries`: from the hourly summaries (ranges over 48 hours). */
export const AnalyticsSource = Type.Union([Type.Literal('raw'), Type.Literal('summaries')]);

/** The four numbers every answer carries. */
export const Numbers = {
  visitors: Type.Number(),
  entries: Type.Number(),
  exits: Type.Number(),
  averageTimeSpentMs: Type.Number(),
};
const NumbersObject = Type.Object(Numbers);
export type Numbers = Static<typeof NumbersObject>;

export const AnalyticsSummary = Type.Object({
  storeId: Type.String(),
  from: DateTime,
  to: DateTime,
  source: AnalyticsSource,
  ...Numbers,
  busiestHour: Nullable(Type.Object({ start: DateTime, visitors: Type.Number() })),
  busiestHourOfDay: Nullable(Type.Object({ hour: Type.Integer(), visitors: Type.Number() })),
});
export type AnalyticsSummary = Wire<Static<typeof AnalyticsSummary>>;

export const TimeSeries = Type.Object({
  source: AnalyticsSource,
  interval: Type.String(),
  timezone: Type.String(),
  points: Type.Array(Type.Object({ start: DateTime, ...Numbers })),
});
export type TimeSeries = Wire<Static<typeof TimeSeries>>;

export const ZoneStats = Type.Object({
  source: AnalyticsSource,
  zones: Type.Array(
    Type.Object({
      zoneId: Type.String(),
      name: Nullable(Type.String()),
      cameraId: Nullable(Type.String()),
      ...Numbers,
    }),
  ),
});
export type ZoneStats = Wire<Static<typeof ZoneStats>>;

/** How visitors walked from area to area (from null: the first area they entered). */
export const Flows = Type.Object({
  /** raw: the stored events; summaries: the daily flows (long ranges, or past the store's retention). */
  source: Type.Optional(AnalyticsSource),
  flows: Type.Array(
    Type.Object({ fromZoneId: Nullable(Type.String()), toZoneId: Type.String(), count: Type.Integer() }),
  ),
});
export type Flows = Static<typeof Flows>;

export const Heatmap = Type.Object({
  cameraId: Type.String(),
  /** raw: the stored visits; summaries: the daily cells (long ranges, or past the store's retention). */
  source: Type.Optional(AnalyticsSource),
  width: Type.Integer(),
  height: Type.Integer(),
  cols: Type.Integer(),
  rows: Type.Integer(),
  grid: Type.Array(Type.Array(Type.Integer())),
  max: Type.Integer(),
  total: Type.Integer(),
});
export type Heatmap = Static<typeof Heatmap>;

export const StoreComparison = Type.Object({
  source: AnalyticsSource,
  stores: Type.Array(Type.Object({ storeId: Type.String(), name: Type.String(), ...Numbers })),
});
export type StoreComparison = Static<typeof StoreComparison>;
