/**
 * One writer for the embedded database: PGlite is a single-process PostgreSQL, and two processes
 * opening the same folder (a running hub and `oskartrack-hub users create`) each keep their own
 * copy of the pages in memory, so one's writes never reach the other and the folder can be damaged.
 *
 * The lock is a file next to the database folder, created exclusively (`wx`), holding the owner's
 * pid, what it runs and since when. A lock whose pid no longer runs (a hub that crashed or was
 * killed) is stale and taken over. PostgreSQL needs none of this: it is a server, made to be shared.
 */
import { readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface LockHolder {
  pid: number;
  /** What the holder runs, for the message ("serve", "users create"). */
  command: string;
  /** ISO 8601. */
  since: string;
}

/** The embedded database is open in another process that still runs. */
export class DatabaseLockedError extends Error {
  override name = 'DatabaseLockedError';
  constructor(
    readonly file: string,
    readonly holder: LockHolder,
  ) {
    super(
      `the embedded database is in use by another OskarTrack process (pid ${holder.pid}, "${holder.command}", since ${holder.since}): ` +
        `stop that process first, or set DATABASE_URL to a PostgreSQL server, which several processes may share. ` +
        `If no such process runs, delete ${file}`,
    );
  }
}

export interface DatabaseLock {
  readonly file: string;
  /** Removes the lock file if it is still this process's; safe to call twice. */
  release(): void;
}

export function lockFileOf(dataDir: string): string {
  return join(dataDir, 'pglite.lock');
}

/** Whether a process with this id runs (EPERM: it runs, as another user). */
export function processAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The lock's holder, or undefined when there is no lock file or it cannot be read as one. */
export function readLock(file: string): LockHolder | undefined {
  try {
    const value = JSON.parse(readFileSync(file, 'utf8')) as Partial<LockHolder>;
    if (typeof value.pid !== 'number') return undefined;
    return { pid: value.pid, command: String(value.command ?? '?'), since: String(value.since ?? '?') };
  } catch {
    return undefined;
  }
}

function tryCreate(file: string, holder: LockHolder): boolean {
  try {
    writeFileSync(file, `${JSON.stringify(holder)}\n`, { flag: 'wx', mode: 0o600 });
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
}

/**
 * Takes the lock of the database in `dataDir` for this process, or throws DatabaseLockedError naming
 * the process that holds it. A stale lock is moved aside first (a rename: of two processes finding
 * the same stale lock, one moves it and both then race for `wx`, which only one wins).
 */
export function acquireDatabaseLock(dataDir: string, command: string): DatabaseLock {
  const file = lockFileOf(dataDir);
  const me: LockHolder = { pid: process.pid, command, since: new Date().toISOString() };
  for (let attempt = 0; attempt < 3; attempt++) {
    if (tryCreate(file, me)) return ownLock(file, me);
    const holder = readLock(file);
    if (holder && processAlive(holder.pid)) throw new DatabaseLockedError(file, holder);
    // Unreadable and brand new: its owner is writing it right now.
    if (!holder && justWritten(file)) throw new DatabaseLockedError(file, UNKNOWN);
    try {
      renameSync(file, `${file}.stale-${process.pid}`);
      rmSync(`${file}.stale-${process.pid}`, { force: true });
    } catch {
      // Another process moved it first.
    }
  }
  throw new DatabaseLockedError(file, readLock(file) ?? UNKNOWN);
}

const UNKNOWN: LockHolder = { pid: 0, command: 'unknown', since: 'just now' };

function justWritten(file: string): boolean {
  try {
    return Date.now() - statSync(file).mtimeMs < 2000;
  } catch {
    return false;
  }
}

function ownLock(file: string, me: LockHolder): DatabaseLock {
  let released = false;
  return {
    file,
    release() {
      if (released) return;
      released = true;
      const now = readLock(file);
      if (now && now.pid === me.pid && now.since === me.since) rmSync(file, { force: true });
    },
  };
}
