/**
 * One writer for the embedded database: a second opener of the same PGlite folder is refused (in this
 * process and in another one), a lock left by a process that is gone, by an earlier boot or by a
 * process whose pid was since reused is taken over (by one taker only), and closing releases it. PostgreSQL stays shareable.
 */
import { execFile, spawn } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase, pgliteDir } from '../../src/db/database.ts';
import {
  acquireDatabaseLock,
  currentBootId,
  DatabaseLockedError,
  lockFileOf,
  processAlive,
  processStartTime,
  readLock,
  removeStaleLock,
} from '../../src/db/lock.ts';
import { createRepositories } from '../../src/db/repositories/index.ts';
import { dropSchema, randomSchema, TEST_DATABASE_URL } from './backends.ts';

const run = promisify(execFile);
const DATABASE_TS = fileURLToPath(new URL('../../src/db/database.ts', import.meta.url));
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const dirs: string[] = [];

function freshDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'oskartrack-lock-'));
  dirs.push(dir);
  return dir;
}

/** The pid of a process that has ended. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '0']);
  const pid = child.pid!;
  await new Promise((resolve) => child.once('exit', resolve));
  return pid;
}

/** `{ [key]: value }`, or nothing where /proc could not tell the value. */
function optional(key: string, value: string | undefined): Record<string, string> {
  return value === undefined ? {} : { [key]: value };
}

afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('the embedded database lock', () => {
  it('refuses a second opener, in this process and another, until the first closes', async () => {
    const dataDir = freshDir();
    const settings = { databaseUrl: undefined, dataDir };
    const first = await openDatabase(settings, { lockCommand: 'serve' });
    try {
      expect(readLock(lockFileOf(dataDir))).toMatchObject({ pid: process.pid, command: 'serve' });
      const second = openDatabase(settings, { lockCommand: 'users create' });
      await expect(second).rejects.toThrow(DatabaseLockedError);
      await expect(openDatabase(settings)).rejects.toThrow(
        `in use by another OskarTrack process (pid ${process.pid}, "serve"`,
      );
      // Another process gets the same refusal, and the database still answers here.
      const script = `const { openDatabase } = await import(${JSON.stringify(DATABASE_TS)});
        try { await openDatabase({ dataDir: ${JSON.stringify(dataDir)} }); console.log('opened'); }
        catch (e) { console.log(e.name + ': ' + e.message); }`;
      const other = await run(process.execPath, ['--import', TSX, '--input-type=module', '-e', script], {
        timeout: 120_000,
      });
      expect(other.stdout).toContain('DatabaseLockedError: the embedded database is in use');
      expect(other.stdout).not.toContain('opened');
      await first.migrate();
      await createRepositories(first.db).stores.create({ id: 'kept', name: 'Kept' });
    } finally {
      await first.close();
    }
    expect(existsSync(lockFileOf(dataDir))).toBe(false);
    const again = await openDatabase(settings);
    try {
      expect((await createRepositories(again.db).stores.get('kept')).name).toBe('Kept');
    } finally {
      await again.close();
    }
  }, 240_000);

  it("keeps the database folder to the hub's user, also one an older version made open", async () => {
    const dataDir = freshDir();
    mkdirSync(pgliteDir(dataDir), { recursive: true, mode: 0o755 });
    chmodSync(pgliteDir(dataDir), 0o755);
    const handle = await openDatabase({ databaseUrl: undefined, dataDir });
    await handle.close();
    expect(statSync(pgliteDir(dataDir)).mode & 0o777).toBe(0o700);
  }, 240_000);

  it('takes over a lock whose process is gone, and one that cannot be read', async () => {
    const dataDir = freshDir();
    const pid = await deadPid();
    expect(processAlive(pid)).toBe(false);
    writeFileSync(
      lockFileOf(dataDir),
      JSON.stringify({ pid, command: 'serve', since: '2026-01-01T00:00:00.000Z' }),
    );
    const handle = await openDatabase({ databaseUrl: undefined, dataDir });
    try {
      expect(readLock(lockFileOf(dataDir))?.pid).toBe(process.pid);
    } finally {
      await handle.close();
    }
    // Garbage from a disk that filled up mid-write, old enough not to be someone writing it now.
    writeFileSync(lockFileOf(dataDir), '{"pi');
    const past = new Date(Date.now() - 60_000);
    utimesSync(lockFileOf(dataDir), past, past);
    const next = await openDatabase({ databaseUrl: undefined, dataDir });
    await next.close();
    expect(existsSync(lockFileOf(dataDir))).toBe(false);
  }, 240_000);

  it('leaves a lock held by a live process alone', async () => {
    const dataDir = freshDir();
    // A real other process, with its real start time: the lock is held.
    const child = spawn('sleep', ['30']);
    try {
      const pid = child.pid!;
      const holder = {
        pid,
        command: 'serve',
        since: '2026-01-01T00:00:00.000Z',
        ...optional('bootId', currentBootId()),
        ...optional('startTime', processStartTime(pid)),
      };
      writeFileSync(lockFileOf(dataDir), JSON.stringify(holder));
      await expect(openDatabase({ databaseUrl: undefined, dataDir })).rejects.toThrow(
        `If no such process runs, delete ${lockFileOf(dataDir)}`,
      );
      expect(() => acquireDatabaseLock(dataDir, 'serve')).toThrow(`pid ${pid}, "serve"`);
      expect(JSON.parse(readFileSync(lockFileOf(dataDir), 'utf8'))).toEqual(holder);
    } finally {
      child.kill();
    }
  });

  it.runIf(currentBootId() !== undefined)('takes over a lock written before the last boot', () => {
    const dataDir = freshDir();
    // After a power cut the old pid may run again (here: this very process); the boot id tells.
    writeFileSync(
      lockFileOf(dataDir),
      JSON.stringify({
        pid: process.pid,
        command: 'serve',
        since: '2026-01-01T00:00:00.000Z',
        bootId: '00000000-0000-0000-0000-000000000000',
      }),
    );
    const lock = acquireDatabaseLock(dataDir, 'serve');
    try {
      expect(readLock(lockFileOf(dataDir))).toMatchObject({ pid: process.pid, bootId: currentBootId() });
    } finally {
      lock.release();
    }
    expect(existsSync(lockFileOf(dataDir))).toBe(false);
  });

  it.runIf(processStartTime(process.pid) !== undefined)(
    'takes over a lock whose pid runs but was started at another time',
    () => {
      const dataDir = freshDir();
      const started = processStartTime(process.pid)!;
      writeFileSync(
        lockFileOf(dataDir),
        JSON.stringify({
          pid: process.pid,
          command: 'serve',
          since: '2026-01-01T00:00:00.000Z',
          ...optional('bootId', currentBootId()),
          startTime: String(BigInt(started) + 1n),
        }),
      );
      const lock = acquireDatabaseLock(dataDir, 'users create');
      try {
        expect(readLock(lockFileOf(dataDir))).toMatchObject({ command: 'users create', startTime: started });
      } finally {
        lock.release();
      }
    },
  );

  it('leaves exactly one holder when two take over the same stale lock', async () => {
    const dataDir = freshDir();
    const file = lockFileOf(dataDir);
    const stale = JSON.stringify({
      pid: await deadPid(),
      command: 'serve',
      since: '2026-01-01T00:00:00.000Z',
    });
    writeFileSync(file, stale);
    // A and B both read the stale lock; A takes it over first and writes its own.
    const a = acquireDatabaseLock(dataDir, 'serve');
    try {
      const fresh = readFileSync(file, 'utf8');
      expect(fresh).not.toBe(stale);
      // B, acting on what it read before, must not move A's fresh lock away...
      expect(removeStaleLock(file, stale)).toBe(false);
      expect(readFileSync(file, 'utf8')).toBe(fresh);
      // ...and judging again, finds it held.
      expect(() => acquireDatabaseLock(dataDir, 'users create')).toThrow(DatabaseLockedError);
      expect(readdirSync(dataDir)).toEqual(['pglite.lock']);
    } finally {
      a.release();
    }
    expect(existsSync(file)).toBe(false);
  });

  it('leaves a stale lock to the process already taking it over, and clears a takeover left by a dead one', async () => {
    const dataDir = freshDir();
    const file = lockFileOf(dataDir);
    const stale = JSON.stringify({
      pid: await deadPid(),
      command: 'serve',
      since: '2026-01-01T00:00:00.000Z',
    });
    writeFileSync(file, stale);
    const takeover = `${file}.takeover`;
    writeFileSync(takeover, '{}');
    expect(removeStaleLock(file, stale)).toBe(false);
    expect(readFileSync(file, 'utf8')).toBe(stale);
    // The process that made the takeover file died a minute ago: it is cleared, and the next try wins.
    const minuteAgo = new Date(Date.now() - 60_000);
    utimesSync(takeover, minuteAgo, minuteAgo);
    expect(removeStaleLock(file, stale)).toBe(false);
    expect(existsSync(takeover)).toBe(false);
    expect(removeStaleLock(file, stale)).toBe(true);
    expect(readdirSync(dataDir)).toEqual([]);
  });

  it('lets several openers share PostgreSQL', async () => {
    const schema = randomSchema();
    const settings = { databaseUrl: TEST_DATABASE_URL, dataDir: freshDir() };
    const a = await openDatabase(settings, { schema });
    const b = await openDatabase(settings, { schema });
    try {
      await a.migrate();
      await createRepositories(a.db).stores.create({ id: 'shared', name: 'Shared' });
      expect((await createRepositories(b.db).stores.get('shared')).name).toBe('Shared');
      expect(existsSync(lockFileOf(settings.dataDir))).toBe(false);
    } finally {
      await a.close();
      await b.close();
      await dropSchema(schema);
    }
  }, 120_000);
});
