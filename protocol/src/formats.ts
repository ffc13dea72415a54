/**
 * The string formats and kinds the REST schemas use, registered with TypeBox so `check` can test them
 * (TypeBox refuses formats it does not know). Browser-safe: no node: modules.
 */
import { FormatRegistry, TypeRegistry } from '@sinclair/typebox';

const DATE_TIME = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:?\d{2})$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const isDateTime = (v: string): boolean => DATE_TIME.test(v) && !Number.isNaN(Date.parse(v));

if (!FormatRegistry.Has('date-time')) FormatRegistry.Set('date-time', isDateTime);
if (!FormatRegistry.Has('uuid')) FormatRegistry.Set('uuid', (v) => UUID.test(v));
// The same rule as ajv-formats' fast `email` (the routes' validator), so `check` agrees with the API.
const EMAIL =
  /^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*@(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/i;
if (!FormatRegistry.Has('email')) FormatRegistry.Set('email', (v) => EMAIL.test(v));

/** Kind of `NullableDateTime`: its JSON schema is `type: [string, null]`, which TypeBox has no kind for. */
export const NULLABLE_DATE_TIME_KIND = 'NullableDateTime';
if (!TypeRegistry.Has(NULLABLE_DATE_TIME_KIND)) {
  TypeRegistry.Set(
    NULLABLE_DATE_TIME_KIND,
    (_schema, v) => v === null || (typeof v === 'string' && isDateTime(v)),
  );
}
