import { type Static, type TProperties, Type } from '@sinclair/typebox';
import { Box, Id, Point } from './geometry.ts';

export const MAX_PATH_POINTS = 500;
export const MAX_ZONES_PER_VISIT = 64;

/** Milliseconds since the Unix epoch. */
export const Timestamp = Type.Integer({ minimum: 0, maximum: 8.64e15 });
/** A duration in milliseconds; never negative. */
export const Duration = Type.Integer({ minimum: 0, maximum: 1e12 });
export const TrackId = Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER });

/** Fields every event carries: where (camera), when, and whom (the track id, unique per camera run). */
function event<K extends string, P extends TProperties>(kind: K, props: P) {
  return Type.Object(
    { kind: Type.Literal(kind), cameraId: Id, at: Timestamp, trackId: TrackId, ...props },
    { additionalProperties: false },
  );
}

export const TrackStarted = event('track_started', { box: Box });
export const TrackEnded = event('track_ended', { firstSeen: Timestamp, durationMs: Duration });
export const ZoneEntered = event('zone_entered', { zoneId: Id });
export const ZoneLeft = event('zone_left', { zoneId: Id, dwellMs: Duration });
export const LineDirection = Type.Union([Type.Literal('in'), Type.Literal('out')]);
export type LineDirection = Static<typeof LineDirection>;
export const LineCrossed = event('line_crossed', { lineId: Id, direction: LineDirection });

/** A sampled point of a visitor's path: foot point in frame pixels and when. */
export const PathPoint = Type.Object({ at: Timestamp, point: Point }, { additionalProperties: false });
export type PathPoint = Static<typeof PathPoint>;

export const ZoneTime = Type.Object(
  { zoneId: Id, dwellMs: Duration, entries: Type.Integer({ minimum: 0, maximum: 1e6 }) },
  { additionalProperties: false },
);
export type ZoneTime = Static<typeof ZoneTime>;

export const VisitClosed = event('visit_closed', {
  startedAt: Timestamp,
  durationMs: Duration,
  path: Type.Array(PathPoint, { maxItems: MAX_PATH_POINTS }),
  zones: Type.Array(ZoneTime, { maxItems: MAX_ZONES_PER_VISIT }),
});

/** Everything the engine emits. `kind` tells them apart. */
export const TrackingEvent = Type.Union([
  TrackStarted,
  TrackEnded,
  ZoneEntered,
  ZoneLeft,
  LineCrossed,
  VisitClosed,
]);
export type TrackingEvent = Static<typeof TrackingEvent>;
export type EventKind = TrackingEvent['kind'];
export type EventOf<K extends EventKind> = Extract<TrackingEvent, { kind: K }>;
export const EVENT_KINDS: readonly EventKind[] = [
  'track_started',
  'track_ended',
  'zone_entered',
  'zone_left',
  'line_crossed',
  'visit_closed',
];

/** The per-device sequence number: assigned by the outbox, only ever grows, the hub's dedup key. */
export const Seq = Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER });

export const SequencedEvent = Type.Object(
  { seq: Seq, event: TrackingEvent },
  { additionalProperties: false },
);
export type SequencedEvent = Static<typeof SequencedEvent>;
