import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { sql } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { type DatabaseHandle, MIGRATIONS_DIR, openDatabase, queryRows } from '../../src/db/database.ts';
import { createRepositories } from '../../src/db/repositories/index.ts';
import { BACKENDS, dropSchema, randomSchema, TEST_DATABASE_URL } from './backends.ts';

const run = promisify(execFile);
const BIN = fileURLToPath(new URL('../../bin/oskartrack-hub.js', import.meta.url));
const TABLES = [
  'alert_deliveries',
  'alert_listeners',
  'alert_rules',
  'alerts',
  'analytics_summaries',
  'auth_sessions',
  'cameras',
  'counting_lines',
  'customers',
  'dead_letters',
  'device_progress',
  'devices',
  'enrollment_codes',
  'heatmap_cell_days',
  'hub_settings',
  'login_attempts',
  'rate_limit_hits',
  'report_runs',
  'report_schedules',
  'store_open_days',
  'stores',
  'tracking_events',
  'upload_jobs',
  'user_stores',
  'users',
  'visits',
  'zone_flow_days',
  'zone_visits',
  'zones',
];
const journal = JSON.parse(readFileSync(join(MIGRATIONS_DIR, 'meta', '_journal.json'), 'utf8')) as {
  entries: { tag: string }[];
};

async function tablesOf(handle: DatabaseHandle): Promise<string[]> {
  const rows = await queryRows<{ table_name: string }>(
    handle.db,
    sql`SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' AND table_name <> '__drizzle_migrations'
      AND table_name NOT IN (SELECT relname FROM pg_class WHERE relispartition) ORDER BY table_name`,
  );
  return rows.map((r) => r.table_name);
}

async function appliedMigrations(handle: DatabaseHandle, migrationsSchema: string): Promise<number> {
  const rows = await queryRows<{ n: number }>(
    handle.db,
    sql`SELECT count(*)::int AS n FROM ${sql.identifier(migrationsSchema)}.__drizzle_migrations`,
  );
  return rows[0]!.n;
}

describe('committed migrations', () => {
  it('name no schema, so they work under any search_path', () => {
    for (const name of readdirSync(MIGRATIONS_DIR).filter((n) => n.endsWith('.sql'))) {
      expect(readFileSync(join(MIGRATIONS_DIR, name), 'utf8'), name).not.toContain('"public".');
    }
  });

  it('are all listed in the journal', () => {
    const files = readdirSync(MIGRATIONS_DIR)
      .filter((n) => n.endsWith('.sql'))
      .map((n) => n.replace(/\.sql$/, ''));
    expect(files.sort()).toEqual(journal.entries.map((e) => e.tag).sort());
  });
});

describe.each(BACKENDS)('migrate on %s', (kind) => {
  const cleanup: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const c of cleanup.reverse()) await c();
  });

  it('`oskartrack-hub migrate` creates every table from empty, and a second run changes nothing', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'oskartrack-migrate-'));
    cleanup.push(async () => rmSync(dataDir, { recursive: true, force: true }));
    const schema = kind === 'postgres' ? randomSchema() : undefined;
    if (schema) cleanup.push(() => dropSchema(schema));
    const env: NodeJS.ProcessEnv = { ...process.env, OSKARTRACK_DATA_DIR: dataDir, NODE_ENV: 'production' };
    delete env.DATABASE_URL;
    delete env.OSKARTRACK_DB_SCHEMA;
    if (schema) Object.assign(env, { DATABASE_URL: TEST_DATABASE_URL, OSKARTRACK_DB_SCHEMA: schema });

    const first = await run(process.execPath, [BIN, 'migrate'], { env, timeout: 120_000 });
    expect(first.stdout).toContain('database is up to date');
    expect(first.stdout).toContain(kind === 'postgres' ? 'PostgreSQL' : join(dataDir, 'pglite'));

    const settings = { databaseUrl: schema ? TEST_DATABASE_URL : undefined, dataDir };
    let handle = await openDatabase(settings, schema ? { schema } : {});
    try {
      expect(await tablesOf(handle)).toEqual(TABLES);
      const migrationsSchema = schema ?? 'drizzle';
      expect(await appliedMigrations(handle, migrationsSchema)).toBe(journal.entries.length);
      await createRepositories(handle.db).stores.create({ id: 'kept', name: 'Kept across runs' });
      await handle.close();

      await run(process.execPath, [BIN, 'migrate'], { env, timeout: 120_000 });
      handle = await openDatabase(settings, schema ? { schema } : {});
      await handle.migrate();
      expect(await appliedMigrations(handle, migrationsSchema)).toBe(journal.entries.length);
      // The data survived a second migrate and, for PGlite, closing and reopening the directory.
      expect((await createRepositories(handle.db).stores.get('kept')).name).toBe('Kept across runs');
    } finally {
      await handle.close();
    }
    // Two hub processes start and migrate: well over a minute on a busy machine.
  }, 300_000);

  if (kind === 'postgres') {
    it('keeps a schema-scoped database away from public', async () => {
      const schema = randomSchema();
      cleanup.push(() => dropSchema(schema));
      const handle = await openDatabase({ databaseUrl: TEST_DATABASE_URL, dataDir: tmpdir() }, { schema });
      try {
        await handle.migrate();
        const rows = await queryRows<{ table_schema: string }>(
          handle.db,
          sql`SELECT DISTINCT table_schema FROM information_schema.tables WHERE table_name = 'tracking_events' AND table_schema = ${schema}`,
        );
        expect(rows).toEqual([{ table_schema: schema }]);
      } finally {
        await handle.close();
      }
    });

    it('lets hubs starting at once on an empty database all migrate it: one does, the others find it done', async () => {
      const schema = randomSchema();
      cleanup.push(() => dropSchema(schema));
      const settings = { databaseUrl: TEST_DATABASE_URL, dataDir: tmpdir() };
      const handles = await Promise.all([1, 2, 3].map(() => openDatabase(settings, { schema })));
      try {
        const results = await Promise.allSettled(handles.map((h) => h.migrate()));
        expect(results.map((r) => (r.status === 'rejected' ? String(r.reason) : 'ok'))).toEqual([
          'ok',
          'ok',
          'ok',
        ]);
        expect(await tablesOf(handles[0]!)).toEqual(TABLES);
        expect(await appliedMigrations(handles[0]!, schema)).toBe(journal.entries.length);
      } finally {
        await Promise.all(handles.map((h) => h.close()));
      }
    });

    it('turns JIT off on its connections (it spent minutes compiling sub-second dashboard queries)', async () => {
      const handle = await openDatabase({ databaseUrl: TEST_DATABASE_URL, dataDir: tmpdir() });
      try {
        const rows = await queryRows<{ jit: string }>(handle.db, sql`SELECT current_setting('jit') AS jit`);
        expect(rows).toEqual([{ jit: 'off' }]);
      } finally {
        await handle.close();
      }
    });

    it('says clearly when PostgreSQL cannot be reached', async () => {
      await expect(
        openDatabase({ databaseUrl: 'postgres://postgres:secret@127.0.0.1:1/none', dataDir: tmpdir() }),
      ).rejects.toThrow(/cannot connect to PostgreSQL at postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:1\/none/);
    });
  }

  it('rejects a schema name that is not a plain identifier', async () => {
    await expect(
      openDatabase(
        { databaseUrl: kind === 'postgres' ? TEST_DATABASE_URL : undefined, dataDir: tmpdir() },
        {
          schema: 'x; DROP TABLE users',
        },
      ),
    ).rejects.toThrow(/invalid database schema name/);
  });
});
