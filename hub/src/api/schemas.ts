/** Request and response schemas shared by the routes (TypeBox; the geometry comes from protocol/). */
import { EVENT_KINDS, Id, LineSide, PathPoint, Point, Polygon } from '@oskartrack/protocol';
import { type TSchema, Type } from '@sinclair/typebox';
import { USER_ROLES } from '../db/schema.ts';

/** A timestamp: ISO 8601 text on the wire; handlers may return a Date. */
export const DateTime = Type.Unsafe<Date | string>({ type: 'string', format: 'date-time' });
export const NullableDateTime = Type.Unsafe<Date | string | null>({
  type: ['string', 'null'],
  format: 'date-time',
});
export const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

export const ErrorBody = Type.Object(
  {
    statusCode: Type.Integer(),
    error: Type.String(),
    message: Type.String(),
    requestId: Type.Optional(Type.String()),
    problems: Type.Optional(Type.Array(Type.String())),
  },
  { $id: 'ErrorBody' },
);

export const Name = Type.String({ minLength: 1, maxLength: 100 });
export const Uuid = Type.String({ format: 'uuid' });
export const IdParams = Type.Object({ id: Id });
export const UuidParams = Type.Object({ id: Uuid });
export const StoreParams = Type.Object({ storeId: Id });
export const Role = Type.Union(USER_ROLES.map((r) => Type.Literal(r)));
export const EventKind = Type.Union(EVENT_KINDS.map((k) => Type.Literal(k)));

/** A time range [from, to) as ISO timestamps. */
export const Range = {
  from: DateTime,
  to: DateTime,
};

export const Store = Type.Object({
  id: Id,
  name: Type.String(),
  timezone: Type.String(),
  createdAt: DateTime,
  updatedAt: DateTime,
});

export const Device = Type.Object({
  id: Id,
  storeId: Id,
  name: Type.String(),
  /** `recordings`: where the store's uploaded videos are filed; never online, not a box. */
  kind: Type.Union([Type.Literal('box'), Type.Literal('recordings')]),
  online: Type.Boolean(),
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

export const EnrollmentCode = Type.Object({
  id: Uuid,
  storeId: Id,
  expiresAt: DateTime,
  usedAt: NullableDateTime,
  deviceId: Nullable(Type.String()),
  createdAt: DateTime,
});

export const Camera = Type.Object({
  id: Id,
  storeId: Id,
  deviceId: Nullable(Type.String()),
  name: Type.String(),
  /** Passwords in the address are shown as *** to viewers. */
  source: Type.String(),
  fps: Nullable(Type.Number()),
  frameWidth: Nullable(Type.Integer()),
  frameHeight: Nullable(Type.Integer()),
  enabled: Type.Boolean(),
  createdAt: DateTime,
  updatedAt: DateTime,
});

export const Zone = Type.Object({
  id: Id,
  cameraId: Id,
  name: Type.String(),
  polygon: Polygon,
  createdAt: DateTime,
  updatedAt: DateTime,
});

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

export const VisitDetail = Type.Composite([
  Visit,
  Type.Object({
    path: Type.Array(PathPoint),
    zones: Type.Array(Type.Object({ zoneId: Id, dwellMs: Type.Number(), entries: Type.Integer() })),
  }),
]);

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

export const Page = <T extends TSchema>(item: T) =>
  Type.Object({ items: Type.Array(item), nextCursor: Nullable(Type.String()) });

export const Cursor = Type.String({ minLength: 1, maxLength: 200 });
export const Limit = Type.Integer({ minimum: 1, maximum: 1000, default: 100 });

/** The usual error answers, for the OpenAPI document. */
export const errors = (...codes: number[]) =>
  Object.fromEntries(codes.map((c) => [c, Type.Ref(ErrorBody)])) as Record<number, TSchema>;
