/**
 * What the hub's REST API answers: the bodies are defined once in protocol/src/api/ (dates arrive as
 * ISO text); the names the pages use are kept here.
 */
import type { AnalyticsSummary, StoreComparison } from '@oskartrack/protocol';

export type {
  Camera,
  CountingLine,
  Customer,
  CustomerPage,
  DeadLetterGroup,
  Device,
  EnrollmentCode,
  Flows,
  Heatmap,
  NewEnrollmentCode,
  Numbers,
  Point,
  Store,
  StoredEvent,
  TimeSeries,
  UploadJob,
  UploadSummary,
  User,
  Visit,
  VisitDetail,
  Zone,
  ZoneStats,
} from '@oskartrack/protocol';

export type Summary = AnalyticsSummary;
export type Compare = StoreComparison;

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}
