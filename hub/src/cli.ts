/**
 * `oskartrack-hub <command>`. Each command is built by one function below and registered in
 * `buildProgram`; `serve`, `users` and `devices` join `migrate` the same way.
 */
import { createLogger } from '@oskartrack/agent/log';
import { Command, InvalidArgumentError } from 'commander';
import { MIN_PASSWORD_LENGTH, usersCreateCommand } from './api/users-command.ts';
import { openDatabase, pgliteDir, redact } from './db/database.ts';
import { DatabaseLockedError } from './db/lock.ts';
import { createRepositories } from './db/repositories/index.ts';
import { tlsFiles } from './identity/tls.ts';
import { startHub } from './server.ts';
import { loadSettings, type Settings } from './settings.ts';
import { parseTrustProxy, type TrustProxy } from './trust-proxy.ts';

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
      const handle = await openDatabase(settings, { lockCommand: 'migrate' });
      try {
        await handle.migrate();
      } finally {
        await handle.close();
      }
      log.info(`database is up to date (${Date.now() - started} ms)`);
    });
}

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new InvalidArgumentError('must be a port number (0-65535)');
  return n;
}

function parseCliTrustProxy(value: string): TrustProxy {
  try {
    return parseTrustProxy(value);
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
}

export function serveCommand(ctx: () => CliContext): Command {
  return new Command('serve')
    .description('start the broker, the ingest, the API and the dashboard')
    .option('--port <port>', 'web port: HTTPS, or HTTP with --insecure', port, 8080)
    .option('--host <host>', 'address to listen on', '0.0.0.0')
    .option(
      '--mqtt-port <port>',
      'port of the embedded MQTT broker (default 8883, MQTT over TLS; 1883 with --insecure)',
      port,
    )
    .option('--mqtt-url <url>', 'use this external MQTT broker instead of the embedded one')
    .option('--mqtt-username <name>', 'user name for the external broker')
    .option('--mqtt-password <password>', 'password for the external broker (or OSKARTRACK_MQTT_PASSWORD)')
    .option(
      '--mqtt-ca <file>',
      "the certificate authority (PEM) that issued the external broker's certificate, when it is not the hub's own; boxes get it at enrollment (or OSKARTRACK_MQTT_CA)",
    )
    .option(
      '--mqtt-group <name>',
      'shared-subscription group on the external broker: hubs with the same group split the ingest (default oskartrack-hub)',
    )
    .option('--instance-id <id>', "this hub process's id among several hubs (default: random at each start)")
    .option(
      '--public-url <url>',
      "the hub's address as boxes reach it, e.g. https://hub.example.com:8080 (or OSKARTRACK_PUBLIC_URL)",
    )
    .option(
      '--tls-cert <file>',
      "certificate (chain) for HTTPS and MQTT over TLS, instead of the hub's own CA",
    )
    .option('--tls-key <file>', 'private key of --tls-cert')
    .option('--tls-ca <file>', 'the CA boxes pin (default: the last certificate in --tls-cert)')
    .option('--insecure', 'plain HTTP and MQTT without TLS: only for a demo or tests on one machine')
    .option(
      '--trust-proxy [proxies]',
      'believe X-Forwarded-For from reverse proxies: true, a hop count, or addresses/CIDRs (or OSKARTRACK_TRUST_PROXY)',
      (v: string) => parseCliTrustProxy(v),
    )
    .option('--no-answer-cache', 'compute every analytics answer (default: answers of ended ranges are kept)')
    .option('--demo', 'also run a demo box playing the PETS 2009 clip as a live camera')
    .option('--demo-video <file>', 'the clip the demo box plays')
    .action(async (o) => {
      const { settings, log } = ctx();
      const hub = await startHub({
        settings,
        log,
        port: o.port,
        host: o.host,
        ...(o.mqttPort !== undefined ? { mqttPort: o.mqttPort } : {}),
        ...(o.mqttUrl ? { mqttUrl: o.mqttUrl } : {}),
        ...(o.mqttUsername ? { mqttUsername: o.mqttUsername } : {}),
        ...(o.mqttGroup ? { mqttGroup: o.mqttGroup } : {}),
        ...((o.mqttCa ?? process.env.OSKARTRACK_MQTT_CA)
          ? { mqttCa: o.mqttCa ?? process.env.OSKARTRACK_MQTT_CA }
          : {}),
        ...(o.instanceId ? { instanceId: o.instanceId } : {}),
        ...((o.mqttPassword ?? process.env.OSKARTRACK_MQTT_PASSWORD)
          ? { mqttPassword: o.mqttPassword ?? process.env.OSKARTRACK_MQTT_PASSWORD }
          : {}),
        ...(o.tlsCert ? { tlsCert: o.tlsCert } : {}),
        ...(o.tlsKey ? { tlsKey: o.tlsKey } : {}),
        ...(o.tlsCa ? { tlsCa: o.tlsCa } : {}),
        ...(o.publicUrl ? { publicUrl: o.publicUrl } : {}),
        ...(o.insecure ? { insecure: true } : {}),
        ...(o.trustProxy !== undefined ? { trustProxy: o.trustProxy } : {}),
        ...(o.answerCache === false ? { answerCache: false as const } : {}),
        ...(o.demo ? { demo: true } : {}),
        ...(o.demoVideo ? { demoVideo: o.demoVideo } : {}),
      });
      const publicUrl = o.publicUrl ?? process.env.OSKARTRACK_PUBLIC_URL;
      const elsewhere =
        publicUrl && publicUrl !== hub.url ? ` here, or ${publicUrl} from other machines` : '';
      process.stdout.write(`\nOskarTrack is running: open ${hub.url}${elsewhere}\n`);
      if (hub.tls && !o.tlsCert)
        process.stdout.write(
          `The hub uses its own certificate authority (${tlsFiles(settings.dataDir).ca}): a browser warns until ` +
            'you import that file as trusted. Boxes check it through the fingerprint in each enrollment code.\n',
        );
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      log.info('stopping');
      await hub.stop();
    });
}

/**
 * The database for a user command. On the embedded database a running hub holds the lock, and a
 * user written beside it would never reach it: refuse, saying what to do instead.
 */
async function openUsersDatabase(settings: Settings) {
  try {
    return await openDatabase(settings, { lockCommand: 'users create' });
  } catch (err) {
    if (!(err instanceof DatabaseLockedError)) throw err;
    throw new Error(
      `the hub is running on this embedded database (pid ${err.holder.pid}, "${err.holder.command}"): ` +
        'create the user in the dashboard (Stores & users, as an administrator), or stop the hub first and run this again',
    );
  }
}

export function usersCommand(ctx: () => CliContext): Command {
  const users = new Command('users').description('dashboard accounts');
  users
    .command('create')
    .argument('<name>', 'user name')
    .requiredOption('--role <role>', 'admin, manager or viewer')
    .option('--store <id...>', 'stores a manager or viewer may see')
    .description('create an account; the password is read from standard input')
    .action(async (name: string, o: { role: string; store?: string[] }) => {
      const { settings } = ctx();
      const handle = await openUsersDatabase(settings);
      if (process.stdin.isTTY)
        process.stderr.write(`Password for ${name} (at least ${MIN_PASSWORD_LENGTH} characters): `);
      try {
        await handle.migrate();
        const user = await usersCreateCommand(
          createRepositories(handle.db),
          { name, role: o.role, ...(o.store ? { storeIds: o.store } : {}) },
          process.stdin,
        );
        process.stdout.write(`created ${user.role} ${user.name}\n`);
      } finally {
        await handle.close();
      }
    });
  return users;
}

export function buildProgram(ctx: () => CliContext): Command {
  const program = new Command('oskartrack-hub')
    .description('OskarTrack hub: stores what the boxes beside the cameras count, and serves the dashboard')
    .showHelpAfterError()
    .exitOverride();
  program.addCommand(migrateCommand(ctx));
  program.addCommand(serveCommand(ctx));
  program.addCommand(usersCommand(ctx));
  return program;
}

/**
 * An error's sentence with the reasons under it: a wrapped cause's message, or for an error without
 * one (Node's AggregateError when localhost is both ::1 and 127.0.0.1) its code and inner errors.
 */
function errorWords(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const inner = err instanceof AggregateError ? err.errors.map(errorWords).join('; ') : '';
  const own = err.message || inner || String((err as { code?: unknown }).code ?? err.name);
  const cause = err.cause === undefined ? '' : errorWords(err.cause);
  return cause && !own.includes(cause) ? `${own}: ${cause}` : own;
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
    // Not ctx(): when the settings themselves are wrong it would throw again.
    const log = context?.log ?? createLogger('hub');
    // The sentence says what to do; the stack is for a developer (debug level).
    log.debug({ err }, 'the error in full');
    log.error(errorWords(err));
    return 1;
  }
}

const code = await main();
// A hub that failed to start leaves nothing running behind its error: whatever it had opened (a
// database listener, broker clients, timers) would keep a dead hub alive for a service manager.
if (code !== 0) process.exit(code);
