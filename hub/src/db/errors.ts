/**
 * Errors the repositories throw for bad input. Routes map them to HTTP statuses (404, 400, 409);
 * anything else is a bug or an outage.
 */

/** Base class: `instanceof DbInputError` catches every "the caller asked for something wrong". */
export class DbInputError extends Error {
  override name = 'DbInputError';
}

/** Something named by id does not exist (a lookup, or a reference to another row). */
export class NotFoundError extends DbInputError {
  override name = 'NotFoundError';
  constructor(
    readonly entity: string,
    readonly id: string,
  ) {
    super(`${entity} ${JSON.stringify(id)} does not exist`);
  }
}

/** The input breaks a rule: a bad shape, an area with crossing edges, a line with no length. */
export class ValidationError extends DbInputError {
  override name = 'ValidationError';
  constructor(
    message: string,
    /** Each problem in plain words, when there are several. */
    readonly problems: readonly string[] = [message],
  ) {
    super(message);
  }
}

/** The row would duplicate a unique value (a user name, an id already taken). */
export class ConflictError extends DbInputError {
  override name = 'ConflictError';
}

/** Words for the tables a foreign key can point at, for messages people read. */
const ENTITY: Record<string, string> = {
  stores: 'store',
  devices: 'device',
  cameras: 'camera',
  zones: 'area',
  counting_lines: 'counting line',
  customers: 'customer',
  visits: 'visit',
  users: 'user',
  enrollment_codes: 'enrollment code',
};

export function entityName(table: string): string {
  return ENTITY[table] ?? table;
}

interface PgErrorLike {
  code: string;
  detail?: string;
  constraint?: string;
  table?: string;
  column?: string;
  message: string;
}

/** Finds the PostgreSQL error (pg and PGlite both give one with a SQLSTATE `code`) under drizzle's wrapper. */
export function pgErrorOf(err: unknown): PgErrorLike | undefined {
  let e: unknown = err;
  for (let depth = 0; depth < 5 && e && typeof e === 'object'; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return e as PgErrorLike;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

/**
 * Turns a database error caused by bad input into one of the errors above; returns anything else
 * unchanged. Foreign keys become NotFoundError naming the missing row, unique keys ConflictError,
 * checks and bad values ValidationError.
 */
export function translateDbError(err: unknown): unknown {
  if (err instanceof DbInputError) return err;
  const pg = pgErrorOf(err);
  if (!pg) return err;
  switch (pg.code) {
    case '23503': {
      // insert/update: Key (camera_id)=(x) is not present in table "cameras".
      const m = /Key \(([^)]+)\)=\((.*)\) is not present in table "([^"]+)"/.exec(pg.detail ?? '');
      if (m) return new NotFoundError(entityName(m[3]!), m[2]!);
      return new ValidationError(`a referenced row does not exist (${pg.constraint ?? pg.message})`);
    }
    case '23505': {
      const m = /Key \((.+)\)=\((.*)\) already exists/.exec(pg.detail ?? '');
      const what = pg.table ? entityName(pg.table) : 'row';
      return new ConflictError(m ? `a ${what} with ${m[1]} ${m[2]} already exists` : `duplicate ${what}`);
    }
    case '23514':
      return new ValidationError(`value not allowed (${pg.constraint ?? pg.message})`);
    case '23502':
      return new ValidationError(`${pg.column ?? 'a required value'} is missing`);
    case '22P02':
    case '22003':
    case '22007':
    case '22008':
    case '22023':
      return new ValidationError(`invalid value: ${pg.message}`);
    default:
      return err;
  }
}

/** Runs a query, translating bad-input database errors. */
export async function guard<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    throw translateDbError(err);
  }
}
