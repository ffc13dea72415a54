/**
 * The hub's settings, read from the environment once at start-up.
 *
 * | variable | meaning | default |
 * |---|---|---|
 * | `DATABASE_URL` | PostgreSQL connection URL (`postgres://user:pass@host:5432/db`) | unset: embedded PGlite |
 * | `OSKARTRACK_DB_SCHEMA` | PostgreSQL schema for the hub's tables and migration log | `public` (log in `drizzle`) |
 * | `OSKARTRACK_DATA_DIR` | the hub's data directory; the embedded database lives in `<dir>/pglite` | `~/.oskartrack` |
 *
 * A relative `OSKARTRACK_DATA_DIR` is taken from the working directory. The default sits in the home
 * directory of the user running the hub, so `npx oskartrack-hub ...` finds the same data from any folder.
 */
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

export interface Settings {
  /** PostgreSQL URL; undefined means the embedded PGlite database. */
  databaseUrl: string | undefined;
  /** PostgreSQL schema for tables and migrations; undefined means the server's default search_path. */
  databaseSchema: string | undefined;
  /** Absolute path of the data directory. */
  dataDir: string;
}

export const DEFAULT_DATA_DIR_NAME = '.oskartrack';

function nonEmpty(value: string | undefined): string | undefined {
  const v = value?.trim();
  return v ? v : undefined;
}

export function loadSettings(env: NodeJS.ProcessEnv = process.env, cwd: string = process.cwd()): Settings {
  const dataDir = nonEmpty(env.OSKARTRACK_DATA_DIR);
  return {
    databaseUrl: nonEmpty(env.DATABASE_URL),
    databaseSchema: nonEmpty(env.OSKARTRACK_DB_SCHEMA),
    dataDir: dataDir ? resolve(cwd, dataDir) : join(homedir(), DEFAULT_DATA_DIR_NAME),
  };
}
