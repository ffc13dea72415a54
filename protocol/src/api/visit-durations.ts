/**
 * The answer of `GET /api/analytics/visit-durations`: how long the visits of a store (or a camera)
 * that started in a time range lasted, counted in a few everyday buckets, with the median.
 */
import { type Static, Type } from '@sinclair/typebox';
import { DateTime, Nullable, type Wire } from './wire.ts';

const MIN = 60_000;

/**
 * Where one bucket ends and the next begins (ms): under 1 min, 1-5 min, 5-15 min, 15 min and more.
 * A visit shorter than the first bound is a short visit; one at least as long as the last is long.
 */
export const VISIT_DURATION_BOUNDS_MS: readonly number[] = [1 * MIN, 5 * MIN, 15 * MIN];

export const VisitDurationBucket = Type.Object({
  /** Visits at least this long (ms)... */
  fromMs: Type.Integer({ minimum: 0 }),
  /** ...and shorter than this (ms); null: no upper end. */
  toMs: Nullable(Type.Integer({ minimum: 0 })),
  visits: Type.Integer({ minimum: 0 }),
});
export type VisitDurationBucket = Static<typeof VisitDurationBucket>;

export const VisitDurations = Type.Object({
  storeId: Type.String(),
  cameraId: Nullable(Type.String()),
  from: DateTime,
  to: DateTime,
  /** Visits that started in the range. */
  visits: Type.Integer({ minimum: 0 }),
  /** Half of the visits were shorter than this (ms); null without visits. */
  medianMs: Nullable(Type.Number()),
  averageMs: Nullable(Type.Number()),
  /** Visits shorter than `shortUnderMs` count as short. */
  shortUnderMs: Type.Integer(),
  shortVisits: Type.Integer({ minimum: 0 }),
  /** Visits of `longFromMs` or more count as long. */
  longFromMs: Type.Integer(),
  longVisits: Type.Integer({ minimum: 0 }),
  /** Every bucket in order, shortest first, also those without visits. */
  buckets: Type.Array(VisitDurationBucket),
});
export type VisitDurations = Wire<Static<typeof VisitDurations>>;
