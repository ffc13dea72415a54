/** Small helpers the analytics repositories share to pass values into SQL and read numbers back. */
import { type SQL, sql } from 'drizzle-orm';

/** An instant as a `timestamptz` parameter. */
export const ts = (d: Date): SQL => sql`${d.toISOString()}::timestamptz`;

/** A numeric column as a number (null and missing: 0; PostgreSQL sends bigint and numeric as text). */
export const num = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));

/** Strings as a comma-separated parameter list, for `IN (...)`. */
export function list(values: readonly string[]): SQL {
  return sql.join(
    values.map((v) => sql`${v}`),
    sql`, `,
  );
}
