/**
 * `oskartrack-hub <command>`. Each command is built by one function below and registered in
 * `buildProgram`; `serve`, `users` and `devices` join `migrate` the same way.
 */
import { createLogger } from '@oskartrack/agent/log';
import { Command } from 'commander';
import { openDatabase, pgliteDir, redact } from './db/database.ts';
import { loadSettings, type Settings } from './settings.ts';

type Logger = ReturnType<typeof createLogger>;

/** What every command gets: the settings from the environment and a logger. */
export interface CliContext {
  settings: Settings;
  log: Logger;
}

function describeDatabase(settings: Settings): string {
  if (settings.databaseUrl) {
    const where = redact(settings.databaseUrl);
    return settings.databaseSchema
      ? `PostgreSQL ${where} (schema ${settings.databaseSchema})`
      : `PostgreSQL ${where}`;
  }
  return `embedded PGlite in ${pgliteDir(settings.dataDir)}`;
}

export function migrateCommand(ctx: () => CliContext): Command {
  return new Command('migrate')
    .description('create or update the database tables (PostgreSQL with DATABASE_URL, otherwise embedded)')
    .action(async () => {
      const { settings, log } = ctx();
      const where = describeDatabase(settings);
      log.info(`migrating ${where}`);
      const started = Date.now();
      const handle = await openDatabase(settings);
      try {
        await handle.migrate();
      } finally {
        await handle.close();
      }
      log.info(`database is up to date (${Date.now() - started} ms)`);
    });
}

export function buildProgram(ctx: () => CliContext): Command {
  const program = new Command('oskartrack-hub')
    .description('OskarTrack hub: stores what the boxes beside the cameras count, and serves the dashboard')
    .showHelpAfterError()
    .exitOverride();
  program.addCommand(migrateCommand(ctx));
  return program;
}

export async function main(argv: readonly string[] = process.argv): Promise<number> {
  let context: CliContext | undefined;
  const ctx = () => {
    context ??= { settings: loadSettings(), log: createLogger('hub') };
    return context;
  };
  const program = buildProgram(ctx);
  try {
    await program.parseAsync([...argv]);
    return 0;
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (typeof code === 'string' && code.startsWith('commander.')) {
      // commander printed help, the version or a usage error already.
      return (err as { exitCode?: number }).exitCode ?? 1;
    }
    ctx().log.error({ err }, (err as Error).message);
    return 1;
  }
}

process.exitCode = await main();
