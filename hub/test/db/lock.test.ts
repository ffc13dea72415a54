/**
 * One writer for the embedded database: a second opener of the same PGlite folder is refused (in this
 * process and in another one), a lock left by a process that is gone is taken over, and closing
 * releases it. PostgreSQL stays shareable.
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/database.ts';
import { DatabaseLockedError, lockFileOf, processAlive, readLock } from '../../src/db/lock.ts';
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
    // This test process is alive: a lock naming it with another start time is somebody else's open.
    const holder = { pid: process.pid, command: 'serve', since: '2026-01-01T00:00:00.000Z' };
    writeFileSync(lockFileOf(dataDir), JSON.stringify(holder));
    await expect(openDatabase({ databaseUrl: undefined, dataDir })).rejects.toThrow(
      `If no such process runs, delete ${lockFileOf(dataDir)}`,
    );
    expect(JSON.parse(readFileSync(lockFileOf(dataDir), 'utf8'))).toEqual(holder);
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
