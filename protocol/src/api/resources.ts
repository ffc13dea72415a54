/** The things the dashboard lists and edits: stores, boxes, cameras, areas, lines, users, people. */
import { type Static, Type } from '@sinclair/typebox';
import { PathPoint } from '../events.ts';
import { Id, LineSide, Point, Polygon } from '../geometry.ts';
import { DetectorSettings } from '../messages.ts';
import { OpeningHours } from './opening-hours.ts';
import { DateTime, Nullable, NullableDateTime, Uuid, type Wire } from './wire.ts';

export const Role = Type.Union([Type.Literal('admin'), Type.Literal('manager'), Type.Literal('viewer')]);
export type Role = Static<typeof Role>;

/** How long a store keeps detailed data: 1 day to a hundred years. */
export const RawRetentionDays = Type.Integer({ minimum: 1, maximum: 36_500 });

export const Store = Type.Object({
  id: Id,
  name: Type.String(),
  timezone: Type.String(),
  /** Weekly hours and closed dates in the store's time zone; null: open around the clock. */
  openingHours: Nullable(OpeningHours),
  /**
   * Days each visitor's detailed movements (raw events, visits) are kept; null: forever. Hourly and
   * daily numbers, flows and heatmaps are kept regardless.
   */
  rawRetentionDays: Nullable(RawRetentionDays),
  createdAt: DateTime,
  updatedAt: DateTime,
});
export type Store = Wire<Static<typeof Store>>;

export const Device = Type.Object({
  id: Id,
  storeId: Id,
  name: Type.String(),
  /** `recordings`: where the store's uploaded videos are filed; never online, not a box. */
  kind: Type.Union([Type.Literal('box'), Type.Literal('recordings')]),
  online: Type.Boolean(),
  /** The box's credential was revoked: it cannot connect until it is enrolled again. */
  revoked: Type.Boolean(),
  lastSeenAt: NullableDateTime,
  statusAt: NullableDateTime,
  outboxDepth: Type.Integer(),
  outboxOldestAgeMs: Type.Number(),
  softwareVersion: Nullable(Type.String()),
  configRevision: Type.Integer(),
  connection: Type.Integer(),
  createdAt: DateTime,
  updatedAt: DateTime,
});
export type Device = Wire<Static<typeof Device>>;

export const EnrollmentCode = Type.Object({
  id: Uuid,
  storeId: Id,
  expiresAt: DateTime,
  usedAt: NullableDateTime,
  deviceId: Nullable(Type.String()),
  createdAt: DateTime,
});
export type EnrollmentCode = Wire<Static<typeof EnrollmentCode>>;

/** A new code, shown only in this answer; `command` is what the installer types on the box. */
export const NewEnrollmentCode = Type.Object({
  id: Uuid,
  storeId: Id,
  code: Type.String({ description: "the one-time part, then the hub CA's fingerprint (unless --insecure)" }),
  expiresAt: DateTime,
  command: Type.String({ description: 'what the installer types on the box' }),
  /** The address the box should call: the hub's public URL, else the address the browser used. */
  hubUrl: Type.String(),
  /** Set when `hubUrl` works only on the hub's own machine (no public URL set): what to do instead. */
  hubUrlWarning: Type.Optional(Type.String()),
});
export type NewEnrollmentCode = Wire<Static<typeof NewEnrollmentCode>>;

export const Camera = Type.Object({
  id: Id,
  storeId: Id,
  deviceId: Nullable(Type.String()),
  name: Type.String(),
  /** Passwords in the address are shown as *** to viewers. */
  source: Type.String(),
  fps: Nullable(Type.Number()),
  /** This camera's own detector; null: the detector every camera runs (hub-wide setting). */
  detector: Nullable(DetectorSettings),
  frameWidth: Nullable(Type.Integer()),
  frameHeight: Nullable(Type.Integer()),
  enabled: Type.Boolean(),
  createdAt: DateTime,
  updatedAt: DateTime,
});
export type Camera = Wire<Static<typeof Camera>>;

export const Zone = Type.Object({
  id: Id,
  cameraId: Id,
  name: Type.String(),
  polygon: Polygon,
  createdAt: DateTime,
  updatedAt: DateTime,
});
export type Zone = Wire<Static<typeof Zone>>;

export const CountingLine = Type.Object({
  id: Id,
  cameraId: Id,
  name: Type.String(),
  start: Point,
  end: Point,
  inSide: LineSide,
  createdAt: DateTime,
  updatedAt: DateTime,
});
export type CountingLine = Wire<Static<typeof CountingLine>>;

export const Customer = Type.Object({
  id: Uuid,
  storeId: Id,
  trackingId: Type.String(),
  firstSeenAt: DateTime,
  lastSeenAt: DateTime,
  visitCount: Type.Integer(),
  ageEstimate: Nullable(Type.Integer()),
  genderEstimate: Nullable(Type.String()),
});
export type Customer = Wire<Static<typeof Customer>>;

/** `GET /api/customers`: a page by offset (search results are not stable enough for a cursor). */
export const CustomerPage = Type.Object({
  items: Type.Array(Customer),
  nextOffset: Type.Union([Type.Integer(), Type.Null()]),
});
export type CustomerPage = Wire<Static<typeof CustomerPage>>;

export const Visit = Type.Object({
  id: Type.Integer(),
  storeId: Id,
  cameraId: Id,
  customerId: Nullable(Type.String()),
  trackId: Type.Integer(),
  startedAt: DateTime,
  endedAt: DateTime,
  durationMs: Type.Number(),
});
export type Visit = Wire<Static<typeof Visit>>;

export const VisitDetail = Type.Composite([
  Visit,
  Type.Object({
    path: Type.Array(PathPoint),
    zones: Type.Array(Type.Object({ zoneId: Id, dwellMs: Type.Number(), entries: Type.Integer() })),
  }),
]);
export type VisitDetail = Wire<Static<typeof VisitDetail>>;

export const StoredEvent = Type.Object({
  id: Type.Integer(),
  deviceId: Type.String(),
  seq: Type.Integer(),
  kind: Type.String(),
  at: DateTime,
  receivedAt: DateTime,
  storeId: Type.String(),
  cameraId: Type.String(),
  trackId: Type.Integer(),
  zoneId: Nullable(Type.String()),
  lineId: Nullable(Type.String()),
  payload: Type.Unknown(),
});
export type StoredEvent = Wire<Static<typeof StoredEvent>>;

export const User = Type.Object({
  id: Uuid,
  name: Type.String(),
  role: Role,
  disabled: Type.Boolean(),
  lastLoginAt: NullableDateTime,
  storeIds: Type.Array(Type.String()),
  createdAt: DateTime,
  updatedAt: DateTime,
});
export type User = Wire<Static<typeof User>>;

/** `GET /api/dead-letters`: events of one box for one camera the hub does not know as the box's. */
export const DeadLetterGroup = Type.Object({
  deviceId: Id,
  deviceName: Type.String(),
  storeId: Id,
  cameraId: Type.String(),
  count: Type.Integer({ minimum: 0 }),
  lastReason: Type.String(),
  lastReceivedAt: DateTime,
});
export type DeadLetterGroup = Wire<Static<typeof DeadLetterGroup>>;
