/**
 * Generates a new migration from schema.ts: `npx tsx hub/src/db/generate.ts [--name what_changed]`.
 *
 * Runs `drizzle-kit generate`, then removes the `"public".` qualifier drizzle-kit writes in foreign
 * keys, so every migration works in whatever schema the connection's search_path names (tests use a
 * fresh schema per file; a hub may share a database under its own schema).
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MIGRATIONS_DIR } from './database.ts';

const HUB_DIR = fileURLToPath(new URL('../../', import.meta.url));

export function stripPublicSchema(sqlText: string): string {
  return sqlText.replaceAll('"public".', '');
}

/** Rewrites every migration file in place; returns the names of those it changed. */
export function unqualifyMigrations(dir = MIGRATIONS_DIR): string[] {
  const changed: string[] = [];
  for (const name of readdirSync(dir).filter((n) => n.endsWith('.sql'))) {
    const file = join(dir, name);
    const before = readFileSync(file, 'utf8');
    const after = stripPublicSchema(before);
    if (after !== before) {
      writeFileSync(file, after);
      changed.push(name);
    }
  }
  return changed;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const r = spawnSync('npx', ['drizzle-kit', 'generate', ...process.argv.slice(2)], {
    cwd: HUB_DIR,
    stdio: 'inherit',
  });
  if (r.status !== 0) process.exit(r.status ?? 1);
  for (const name of unqualifyMigrations()) console.log(`unqualified schema names in ${name}`);
}
