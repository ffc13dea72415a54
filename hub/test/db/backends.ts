/**
 * Test databases: a fresh PostgreSQL schema per test file (search_path and drizzle's migrations table
 * both in it, dropped afterwards), or a PGlite database. Every db test runs against both.
 */
import { createHash, randomBytes } from 'node:crypto';
import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { drizzle } from 'drizzle-orm/pglite';
import { migrate } from 'drizzle-orm/pglite/migrator';
import pg from 'pg';
import {
  type DatabaseHandle,
  type DatabaseKind,
  type Db,
  MIGRATIONS_DIR,
  openDatabase,
} from '../../src/db/database.ts';
import { createRepositories, type Repositories } from '../../src/db/repositories/index.ts';

export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';
export const BACKENDS: readonly DatabaseKind[] = ['postgres', 'pglite'];

export interface TestDatabase {
  kind: DatabaseKind;
  handle: DatabaseHandle;
  db: Db;
  repos: Repositories;
  /** The PostgreSQL schema of this test file (undefined for PGlite). */
  schema: string | undefined;
  close(): Promise<void>;
}

export function randomSchema(): string {
  return `test_${randomBytes(6).toString('hex')}`;
}

export async function dropSchema(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}

/**
 * A migrated, empty PGlite database as a dump, built once per migration set and cached in the temp
 * folder: initdb takes ~10 s on a small machine, loading the dump ~2 s. (migrations.test.ts still
 * migrates a PGlite database from empty.)
 */
async function pgliteTemplate(): Promise<Blob> {
  const hash = createHash('sha256');
  // PGlite's own build: its wasm file's size changes with every release.
  hash.update(String(statSync(fileURLToPath(import.meta.resolve('@electric-sql/pglite/pglite.wasm'))).size));
  for (const name of readdirSync(MIGRATIONS_DIR, { recursive: true }).map(String).sort()) {
    if (name.endsWith('.sql') || name.endsWith('.json'))
      hash.update(name).update(readFileSync(join(MIGRATIONS_DIR, name)));
  }
  const file = join(tmpdir(), `oskartrack-pglite-template-${hash.digest('hex').slice(0, 16)}.tar`);
  if (!existsSync(file)) {
    const client = await PGlite.create();
    await migrate(drizzle({ client }), { migrationsFolder: MIGRATIONS_DIR });
    const dump = await client.dumpDataDir('none');
    await client.close();
    const partial = `${file}.${process.pid}.tmp`;
    writeFileSync(partial, Buffer.from(await dump.arrayBuffer()));
    renameSync(partial, file);
  }
  return new Blob([readFileSync(file)]);
}

/** Opens a migrated, empty database of the given kind for one test file. */
export async function openTestDatabase(kind: DatabaseKind): Promise<TestDatabase> {
  if (kind === 'postgres') {
    const schema = randomSchema();
    const handle = await openDatabase(
      { databaseUrl: TEST_DATABASE_URL, dataDir: tmpdir() },
      { schema, maxConnections: 4 },
    );
    try {
      await handle.migrate();
    } catch (err) {
      await handle.close();
      await dropSchema(schema);
      throw err;
    }
    return {
      kind,
      handle,
      db: handle.db,
      repos: createRepositories(handle.db),
      schema,
      async close() {
        await handle.close();
        await dropSchema(schema);
      },
    };
  }
  const dataDir = mkdtempSync(join(tmpdir(), 'oskartrack-db-'));
  const handle = await openDatabase(
    { databaseUrl: undefined, dataDir },
    { inMemory: true, pgliteTemplate: await pgliteTemplate() },
  );
  await handle.migrate();
  return {
    kind,
    handle,
    db: handle.db,
    repos: createRepositories(handle.db),
    schema: undefined,
    async close() {
      await handle.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A unique suffix, so tests sharing one database never collide. */
export function uid(): string {
  return randomBytes(4).toString('hex');
}

/** A store with a device and one 640x480 camera on it. */
export async function seedStore(repos: Repositories, name = 'Shop') {
  const u = uid();
  const store = await repos.stores.create({ id: `store-${u}`, name: `${name} ${u}` });
  const device = await repos.devices.create({ id: `dev-${u}`, storeId: store.id, name: `Box ${u}` });
  const camera = await repos.cameras.create({
    id: `cam-${u}`,
    storeId: store.id,
    deviceId: device.id,
    name: 'Entrance',
    source: 'rtsp://10.0.0.5/stream',
    fps: 15,
    frameWidth: 640,
    frameHeight: 480,
  });
  return { store, device, camera, u };
}
