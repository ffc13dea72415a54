/**
 * Opens the hub database: PostgreSQL through `pg` when `DATABASE_URL` is set, otherwise an embedded
 * PGlite (the same PostgreSQL schema, in `<dataDir>/pglite`). Both give the same drizzle type, so
 * repositories never know which one they talk to.
 */
import { chmodSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { type SQL, sql } from 'drizzle-orm';
import { drizzle as drizzleNodePg } from 'drizzle-orm/node-postgres';
import { migrate as migrateNodePg } from 'drizzle-orm/node-postgres/migrator';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import pg from 'pg';
import type { Settings } from '../settings.ts';
import { acquireDatabaseLock, type DatabaseLock } from './lock.ts';
import * as schema from './schema.ts';

export type Schema = typeof schema;
/** The drizzle database every repository takes: the common base of the pg and PGlite drivers. */
export type Db = PgDatabase<PgQueryResultHKT, Schema>;
export type DatabaseKind = 'postgres' | 'pglite';

/** The SQL migrations drizzle-kit generated, found next to the sources (not through the working directory). */
export const MIGRATIONS_DIR = fileURLToPath(new URL('../../drizzle', import.meta.url));
/** Where drizzle records applied migrations unless a schema is chosen. */
export const DEFAULT_MIGRATIONS_SCHEMA = 'drizzle';

export interface DatabaseHandle {
  db: Db;
  kind: DatabaseKind;
  /** The schema tables live in when one was chosen (PostgreSQL only). */
  schema: string | undefined;
  /** Applies every migration not applied yet; safe to call on an up-to-date database. */
  migrate(): Promise<void>;
  close(): Promise<void>;
}

export interface OpenOptions {
  /**
   * PostgreSQL only: keep the tables and drizzle's migrations table in this schema (through the
   * connection's search_path) instead of `public` and `drizzle`. Created by `migrate()` if missing.
   */
  schema?: string;
  /** PGlite only: keep everything in memory (tests); otherwise `<dataDir>/pglite`. */
  inMemory?: boolean;
  /**
   * PGlite only: start a new database from this dump (`PGlite.dumpDataDir()`) instead of running
   * initdb, which takes seconds. Ignored when the data directory already holds a database.
   */
  pgliteTemplate?: Blob;
  /**
   * PGlite only: what this process runs, written in the database's lock (`pglite.lock` in the data
   * directory) for the message another process gets (default "serve").
   */
  lockCommand?: string;
  /** PostgreSQL only: the most connections the pool opens (default 10). */
  maxConnections?: number;
  /** Receives errors of idle pooled connections (a restarted server); they are ignored otherwise. */
  onPoolError?: (err: Error) => void;
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

export function pgliteDir(dataDir: string): string {
  return join(dataDir, 'pglite');
}

export async function openDatabase(
  settings: Pick<Settings, 'databaseUrl' | 'dataDir'> & Partial<Pick<Settings, 'databaseSchema'>>,
  options: OpenOptions = {},
): Promise<DatabaseHandle> {
  const schemaName = options.schema ?? settings.databaseSchema;
  if (schemaName !== undefined && !SCHEMA_NAME.test(schemaName)) {
    throw new Error(
      `invalid database schema name ${JSON.stringify(schemaName)}: use lower-case letters, digits, _`,
    );
  }
  return settings.databaseUrl
    ? openPostgres(settings.databaseUrl, schemaName, options)
    : openPglite(settings.dataDir, schemaName, options);
}

/**
 * Every connection: the schema, and no JIT. The dashboard's questions are many short queries whose
 * opening-hours conditions make large expressions: PostgreSQL's JIT spent minutes compiling what ran
 * in under a second (hub/bench/api-year.ts, docs/benchmarks.md).
 */
export function connectionOptions(schemaName: string | undefined): string {
  return ['-c jit=off', ...(schemaName ? [`-c search_path=${schemaName}`] : [])].join(' ');
}

async function openPostgres(
  url: string,
  schemaName: string | undefined,
  options: OpenOptions,
): Promise<DatabaseHandle> {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.maxConnections ?? 10,
    options: connectionOptions(schemaName),
  });
  pool.on('error', (err) => options.onPoolError?.(err));
  // pg removes its idle error listener while a client is checked out, so a connection that dies
  // during a transaction (a server restart) would emit an unhandled 'error' and end the process; and
  // drizzle never releases a client whose `begin` failed, so every outage would leak one (until the
  // pool is exhausted and `close()` hangs). A checked-out client that errors is released here, with
  // the error (the pool discards it); the holder's own later release() becomes a no-op.
  const checkedOut = new WeakSet<pg.PoolClient>();
  pool.on('acquire', (client) => checkedOut.add(client));
  pool.on('release', (_err, client) => checkedOut.delete(client));
  pool.on('connect', (client) =>
    client.on('error', (err) => {
      options.onPoolError?.(err);
      if (!checkedOut.has(client)) return;
      checkedOut.delete(client);
      const release = client.release;
      client.release = () => {};
      release.call(client, err);
    }),
  );
  const db = drizzleNodePg({ client: pool, schema });
  try {
    // Fail here, with the server's own message, rather than on the first query.
    await pool.query('SELECT 1');
  } catch (err) {
    await pool.end().catch(() => {});
    throw new Error(`cannot connect to PostgreSQL at ${redact(url)}: ${(err as Error).message}`, {
      cause: err,
    });
  }
  let closed = false;
  return {
    db,
    kind: 'postgres',
    schema: schemaName,
    async migrate() {
      // Hubs starting at once on an empty database: one migrates, the others wait and find it done.
      // The lock is the session's, so the migrations run on the same connection; one per schema.
      const client = await pool.connect();
      const key = `oskartrack-migrations:${schemaName ?? ''}`;
      try {
        await client.query('SELECT pg_advisory_lock(hashtext($1))', [key]);
        const locked = drizzleNodePg({ client, schema });
        if (schemaName) await locked.execute(sql.raw(`CREATE SCHEMA IF NOT EXISTS "${schemaName}"`));
        await migrateNodePg(locked, {
          migrationsFolder: MIGRATIONS_DIR,
          migrationsSchema: schemaName ?? DEFAULT_MIGRATIONS_SCHEMA,
        });
      } finally {
        await client.query('SELECT pg_advisory_unlock(hashtext($1))', [key]).catch(() => {});
        client.release();
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      await pool.end();
    },
  };
}

async function openPglite(
  dataDir: string,
  schemaName: string | undefined,
  options: OpenOptions,
): Promise<DatabaseHandle> {
  let dir: string | undefined;
  let lock: DatabaseLock | undefined;
  if (!options.inMemory) {
    dir = pgliteDir(dataDir);
    // The database holds password hashes and device secrets' hashes: the hub's user only, also for
    // a folder an older version made with the default mode.
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    chmodSync(dir, 0o700);
    // One process at a time (lock.ts says why); thrown before PGlite touches the folder.
    lock = acquireDatabaseLock(dataDir, options.lockCommand ?? 'serve');
  }
  try {
    return await openPgliteLocked(dir, schemaName, options, lock);
  } catch (err) {
    lock?.release();
    throw err;
  }
}

async function openPgliteLocked(
  dir: string | undefined,
  schemaName: string | undefined,
  options: OpenOptions,
  lock: DatabaseLock | undefined,
): Promise<DatabaseHandle> {
  // PGlite is one connection. It queues every query and holds the queue for a whole transaction, so
  // concurrent callers are serialised for us; code inside `db.transaction` must use its `tx`, never
  // the outer `db` (that would wait for the transaction it runs in).
  const fresh = !dir || !existsSync(join(dir, 'PG_VERSION'));
  const client = await PGlite.create({
    ...(dir ? { dataDir: dir } : {}),
    ...(fresh && options.pgliteTemplate ? { loadDataDir: options.pgliteTemplate } : {}),
  });
  if (schemaName) {
    await client.exec(`CREATE SCHEMA IF NOT EXISTS "${schemaName}"; SET search_path TO "${schemaName}"`);
  }
  const db = drizzlePglite({ client, schema });
  let closed = false;
  return {
    db,
    kind: 'pglite',
    schema: schemaName,
    async migrate() {
      await migratePglite(db, {
        migrationsFolder: MIGRATIONS_DIR,
        migrationsSchema: schemaName ?? DEFAULT_MIGRATIONS_SCHEMA,
      });
    },
    async close() {
      if (closed) return;
      closed = true;
      try {
        await client.close();
      } finally {
        lock?.release();
      }
    },
  };
}

/** Runs raw SQL and returns its rows, the same way on both drivers (both results carry `rows`). */
export async function queryRows<T>(db: Db, query: SQL): Promise<T[]> {
  const result = (await db.execute(query)) as { rows?: T[] };
  return result.rows ?? [];
}

/** The URL without its password, for messages and logs. */
export function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparsable URL)';
  }
}
