/**
 * Building blocks of the REST bodies: timestamps, nullable values, pages. The hub's handlers may
 * return a `Date` where a timestamp goes (the serializer writes ISO 8601 text); `Wire<T>` is the
 * same body as the dashboard reads it, timestamps as text.
 */
import { Kind, type TSchema, Type } from '@sinclair/typebox';
import { NULLABLE_DATE_TIME_KIND } from '../formats.ts';

/** A timestamp: ISO 8601 text on the wire; handlers may return a Date. */
export const DateTime = Type.Unsafe<Date | string>(Type.String({ format: 'date-time' }));
/** A timestamp or null (one JSON schema type list, as the hub's serializer handles it best). */
export const NullableDateTime = Type.Unsafe<Date | string | null>({
  [Kind]: NULLABLE_DATE_TIME_KIND,
  type: ['string', 'null'],
  format: 'date-time',
});
export const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
export const Uuid = Type.String({ format: 'uuid' });

/** A page of a list: the cursor for the next page, or null at the end. */
export const Page = <T extends TSchema>(item: T) =>
  Type.Object({ items: Type.Array(item), nextCursor: Nullable(Type.String()) });

/** A body as it arrives: every `Date` the hub may hand its serializer is ISO text by then. */
export type Wire<T> = T extends Date
  ? never
  : T extends readonly unknown[]
    ? { [K in keyof T]: Wire<T[K]> }
    : T extends object
      ? { [K in keyof T]: Wire<T[K]> }
      : T;
