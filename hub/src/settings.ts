/**
 * The hub's settings, read from the environment once at start-up.
 *
 * | variable | meaning | default |
 * |---|---|---|
 * | `DATABASE_URL` | PostgreSQL connection URL (`postgres://user:pass@host:5432/db`) | unset: embedded PGlite |
 * | `OSKARTRACK_DB_SCHEMA` | PostgreSQL schema for the hub's tables and migration log | `public` (log in `drizzle`) |
 * | `OSKARTRACK_DATA_DIR` | the hub's data directory; the embedded database lives in `<dir>/pglite` | `~/.oskartrack` |
 * | `OSKARTRACK_JWT_SECRET` | secret signing the API's access tokens (32+ characters) | generated into `<dataDir>/jwt-secret` |
 * | `OSKARTRACK_CORS_ORIGINS` | comma-separated browser origins allowed to call the API from other sites | none (same origin only) |
 * | `OSKARTRACK_MEDIA_DIR` | read but not used yet (a camera's video file is a path on its box) | `<dataDir>/media` |
 * | `OSKARTRACK_UPLOAD_MAX_BYTES` | largest recorded video `POST /api/uploads` accepts, in bytes | 500 MiB (524288000) |
 * | `OSKARTRACK_KEEP_UPLOADS` | `1` / `true`: keep uploaded videos after processing (default: deleted, for privacy) | unset (deleted) |
 * | `OSKARTRACK_TRUST_PROXY` | believe `X-Forwarded-For` from these reverse proxies: `true`, a hop count, or comma-separated addresses/CIDRs (see trust-proxy.ts) | unset (header ignored) |
 * | `OSKARTRACK_PUBLIC_URL` | the hub's address as boxes reach it, e.g. `https://hub.example.com:8080` (`serve --public-url` wins); enrollment hands boxes this address and the broker on the same host | unset: the address each box called |
 * | `NODE_ENV` | `production` refuses a placeholder or short JWT secret | unset |
 *
 * A relative `OSKARTRACK_DATA_DIR` is taken from the working directory. The default sits in the home
 * directory of the user running the hub, so `npx oskartrack-hub ...` finds the same data from any folder.
 */
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseTrustProxy, type TrustProxy } from './trust-proxy.ts';

export interface Settings {
  /** PostgreSQL URL; undefined means the embedded PGlite database. */
  databaseUrl: string | undefined;
  /** PostgreSQL schema for tables and migrations; undefined means the server's default search_path. */
  databaseSchema: string | undefined;
  /** Absolute path of the data directory. */
  dataDir: string;
  /** Signs API access tokens; undefined: generated into `<dataDir>/jwt-secret` on first start. */
  jwtSecret?: string | undefined;
  /** Browser origins allowed by CORS; undefined or empty: none. */
  corsOrigins?: string[] | undefined;
  /** Absolute folder that file camera sources must lie in; undefined: `<dataDir>/media`. */
  mediaDir?: string | undefined;
  /** NODE_ENV; `production` makes the API refuse a placeholder JWT secret. */
  environment?: string | undefined;
  /** Largest uploaded recording in bytes; undefined: DEFAULT_UPLOAD_MAX_BYTES. */
  uploadMaxBytes?: number | undefined;
  /** Keep uploaded videos in `<dataDir>/uploads` after processing; undefined or false: delete them. */
  keepUploads?: boolean | undefined;
  /** The hub's address as boxes reach it (checked at `serve`); undefined: the address each box called. */
  publicUrl?: string | undefined;
  /** Reverse proxies whose `X-Forwarded-For` is believed; undefined or false: none. */
  trustProxy?: TrustProxy | undefined;
}

/** 500 MiB. */
export const DEFAULT_UPLOAD_MAX_BYTES = 500 * 1024 * 1024;

function positiveInteger(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n <= 0) throw new Error(`${name} must be a whole number of bytes above 0`);
  return n;
}

function flag(value: string | undefined): boolean | undefined {
  if (value === undefined) return undefined;
  return /^(1|true|yes|on)$/i.test(value);
}

function trustProxySetting(value: string | undefined): TrustProxy | undefined {
  const v = nonEmpty(value);
  return v === undefined ? undefined : parseTrustProxy(v, 'OSKARTRACK_TRUST_PROXY');
}

export const DEFAULT_DATA_DIR_NAME = '.oskartrack';

function nonEmpty(value: string | undefined): string | undefined {
  const v = value?.trim();
  return v ? v : undefined;
}

export function loadSettings(env: NodeJS.ProcessEnv = process.env, cwd: string = process.cwd()): Settings {
  const dataDir = nonEmpty(env.OSKARTRACK_DATA_DIR);
  const mediaDir = nonEmpty(env.OSKARTRACK_MEDIA_DIR);
  const origins = nonEmpty(env.OSKARTRACK_CORS_ORIGINS)
    ?.split(',')
    .map((o) => o.trim())
    .filter(Boolean);
  // Optional settings stay undefined when unset (so the object compares equal to the basic three).
  return {
    databaseUrl: nonEmpty(env.DATABASE_URL),
    databaseSchema: nonEmpty(env.OSKARTRACK_DB_SCHEMA),
    dataDir: dataDir ? resolve(cwd, dataDir) : join(homedir(), DEFAULT_DATA_DIR_NAME),
    jwtSecret: nonEmpty(env.OSKARTRACK_JWT_SECRET),
    corsOrigins: origins?.length ? origins : undefined,
    mediaDir: mediaDir ? resolve(cwd, mediaDir) : undefined,
    environment: nonEmpty(env.NODE_ENV),
    uploadMaxBytes: positiveInteger(nonEmpty(env.OSKARTRACK_UPLOAD_MAX_BYTES), 'OSKARTRACK_UPLOAD_MAX_BYTES'),
    keepUploads: flag(nonEmpty(env.OSKARTRACK_KEEP_UPLOADS)),
    publicUrl: nonEmpty(env.OSKARTRACK_PUBLIC_URL),
    trustProxy: trustProxySetting(env.OSKARTRACK_TRUST_PROXY),
  };
}
