/**
 * A whole hub as a person runs it (`oskartrack-hub serve`, plain HTTP on this machine) in a child
 * process, so load tools in this process do not share its event loop.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { freePort, HUB_BIN } from '../../test/system/helpers.ts';

export interface HubProcess {
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

/** Starts the hub on `databaseUrl` (PostgreSQL) or on the embedded database in `dataDir`. */
export async function startHubProcess(o: {
  databaseUrl?: string;
  schema?: string;
  dataDir: string;
  jwtSecret: string;
  /** Start the hub with `--no-answer-cache` (every answer computed). */
  noAnswerCache?: boolean;
}): Promise<HubProcess> {
  const [port, mqttPort] = [await freePort(), await freePort()];
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    OSKARTRACK_DATA_DIR: o.dataDir,
    OSKARTRACK_JWT_SECRET: o.jwtSecret,
  };
  delete env.DATABASE_URL;
  delete env.OSKARTRACK_DB_SCHEMA;
  if (o.databaseUrl) env.DATABASE_URL = o.databaseUrl;
  if (o.schema) env.OSKARTRACK_DB_SCHEMA = o.schema;
  const args = [
    'serve',
    '--insecure',
    '--host',
    '127.0.0.1',
    '--port',
    String(port),
    '--mqtt-port',
    String(mqttPort),
    ...(o.noAnswerCache ? ['--no-answer-cache'] : []),
  ];
  const child = spawn(process.execPath, [HUB_BIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the hub did not start in 300 s:\n${output}`)), 300_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const m = /OskarTrack is running: open (\S+)/.exec(output);
      if (m) {
        clearTimeout(timer);
        // Its request log is still read (a full pipe would stall it) but not kept.
        output = '';
        child.stdout!.off('data', onData);
        child.stderr!.off('data', onData);
        child.stdout!.resume();
        child.stderr!.resume();
        resolve(m[1]!);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the hub exited (${code}) before it was ready:\n${output}`));
    });
  });
  return {
    url,
    child,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}
