/**
 * Request schemas shared by the routes. The bodies the dashboard reads are defined once in protocol/
 * (`@oskartrack/protocol`, src/api/) and re-exported here for the routes' response schemas.
 */
import { DateTime, EVENT_KINDS, Id, Uuid } from '@oskartrack/protocol';
import { type TSchema, Type } from '@sinclair/typebox';

export {
  Camera,
  CountingLine,
  Customer,
  DateTime,
  Device,
  EnrollmentCode,
  Nullable,
  NullableDateTime,
  Page,
  Role,
  Store,
  StoredEvent,
  User,
  Uuid,
  Visit,
  VisitDetail,
  Zone,
} from '@oskartrack/protocol';

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
export const IdParams = Type.Object({ id: Id });
export const UuidParams = Type.Object({ id: Uuid });
export const StoreParams = Type.Object({ storeId: Id });
export const EventKind = Type.Union(EVENT_KINDS.map((k) => Type.Literal(k)));

/** A time range [from, to) as ISO timestamps. */
export const Range = {
  from: DateTime,
  to: DateTime,
};

export const Cursor = Type.String({ minLength: 1, maxLength: 200 });
export const Limit = Type.Integer({ minimum: 1, maximum: 1000, default: 100 });

/** The usual error answers, for the OpenAPI document. */
export const errors = (...codes: number[]) =>
  Object.fromEntries(codes.map((c) => [c, Type.Ref(ErrorBody)])) as Record<number, TSchema>;
