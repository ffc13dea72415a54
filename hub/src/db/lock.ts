/**
 * One writer for the embedded database: PGlite is a single-process PostgreSQL, and two processes
 * opening the same folder (a running hub and `oskartrack-hub users create`) each keep their own
 * copy of the pages in memory, so one's writes never reach the other and the folder can be damaged.
 *
 * The lock is a file next to the database folder, created exclusively (`wx`), holding the owner's
 * pid, what it runs and since when, plus the boot id and the pid's start time where /proc has them.
 * A lock is stale (taken over) when it was written before the last boot, its pid no longer runs, or
 * its pid now belongs to another process (another start time): after a power cut the old pid is often
 * reused, and a pid check alone would refuse to start forever. PostgreSQL needs none of this: it is
 * a server, made to be shared.
 */
import { readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface LockHolder {
  pid: number;
  /** What the holder runs, for the message ("serve", "users create"). */
  command: string;
  /** ISO 8601. */
  since: string;
  /** /proc/sys/kernel/random/boot_id when the holder wrote the lock; absent where unreadable. */
  bootId?: string;
  /** Field 22 of /proc/<pid>/stat (clock ticks since boot); absent where unreadable. */
  startTime?: string;
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

/** This boot's id, or undefined where /proc does not have it (not Linux). */
export function currentBootId(): string | undefined {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

/** When the process `pid` started (field 22 of /proc/<pid>/stat), or undefined where unreadable. */
export function processStartTime(pid: number): string | undefined {
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 2 (the name) is in parentheses and may hold spaces; fields after it start at 3.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return rest[22 - 3] || undefined;
  } catch {
    return undefined;
  }
}

/** Whether the process that wrote this lock still runs (false: the lock is stale). */
export function holderAlive(holder: LockHolder): boolean {
  const boot = currentBootId();
  if (holder.bootId && boot && holder.bootId !== boot) return false;
  if (!processAlive(holder.pid)) return false;
  const started = processStartTime(holder.pid);
  // Same pid, other start time: the pid was reused by an unrelated process.
  if (holder.startTime && started && holder.startTime !== started) return false;
  return true;
}

function parseLock(text: string): LockHolder | undefined {
  try {
    const value = JSON.parse(text) as Partial<LockHolder>;
    if (typeof value.pid !== 'number') return undefined;
    const holder: LockHolder = {
      pid: value.pid,
      command: String(value.command ?? '?'),
      since: String(value.since ?? '?'),
    };
    if (typeof value.bootId === 'string') holder.bootId = value.bootId;
    if (typeof value.startTime === 'string') holder.startTime = value.startTime;
    return holder;
  } catch {
    return undefined;
  }
}

function readText(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** The lock's holder, or undefined when there is no lock file or it cannot be read as one. */
export function readLock(file: string): LockHolder | undefined {
  const text = readText(file);
  return text === undefined ? undefined : parseLock(text);
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
 * Removes the stale lock `judged` (the exact text found and judged stale). Only the process that holds
 * the takeover file (`<lock>.takeover`, created exclusively) may remove a lock, and it removes it only
 * if it still reads `judged`: while it holds the takeover nobody else can remove or replace the lock
 * (a fresh one can only be written where there is none), so a fresh lock is never touched. A takeover
 * file left by a process that died in these few lines is cleared after TAKEOVER_STALE_MS. Returns
 * whether the stale lock is gone (false: someone else is taking it over, or it was replaced).
 */
export function removeStaleLock(file: string, judged: string): boolean {
  const takeover = `${file}.takeover`;
  if (!tryCreate(takeover, { pid: process.pid, command: 'takeover', since: new Date().toISOString() })) {
    if ((ageMs(takeover) ?? 0) > TAKEOVER_STALE_MS) rmSync(takeover, { force: true });
    return false;
  }
  try {
    const now = readText(file);
    if (now === undefined) return true;
    if (now !== judged) return false;
    rmSync(file, { force: true });
    return true;
  } finally {
    rmSync(takeover, { force: true });
  }
}

/** A takeover takes a few file operations; one older than this was left by a process that died. */
const TAKEOVER_STALE_MS = 10_000;

/** How long ago the file was written; undefined when it is gone. */
function ageMs(file: string): number | undefined {
  try {
    return Date.now() - statSync(file).mtimeMs;
  } catch {
    return undefined;
  }
}

/**
 * Takes the lock of the database in `dataDir` for this process, or throws DatabaseLockedError naming
 * the process that holds it. A stale lock is removed with removeStaleLock, then all race for `wx`,
 * which only one wins. Several rounds: another process may be in the middle of a takeover.
 */
export function acquireDatabaseLock(dataDir: string, command: string): DatabaseLock {
  const file = lockFileOf(dataDir);
  const me: LockHolder = { pid: process.pid, command, since: new Date().toISOString() };
  const bootId = currentBootId();
  const startTime = processStartTime(process.pid);
  if (bootId) me.bootId = bootId;
  if (startTime) me.startTime = startTime;
  for (let attempt = 0; attempt < 5; attempt++) {
    if (tryCreate(file, me)) return ownLock(file, me);
    const text = readText(file);
    if (text === undefined) continue; // removed meanwhile: try again
    const holder = parseLock(text);
    if (holder && holderAlive(holder)) throw new DatabaseLockedError(file, holder);
    // Unreadable and brand new: its owner is writing it right now.
    if (!holder && justWritten(file)) throw new DatabaseLockedError(file, UNKNOWN);
    // False when what we judged stale was already replaced: the next round judges the new lock.
    removeStaleLock(file, text);
  }
  throw new DatabaseLockedError(file, readLock(file) ?? UNKNOWN);
}

const UNKNOWN: LockHolder = { pid: 0, command: 'unknown', since: 'just now' };

function justWritten(file: string): boolean {
  const age = ageMs(file);
  return age !== undefined && age < 2000;
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
