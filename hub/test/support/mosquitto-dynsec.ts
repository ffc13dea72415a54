/**
 * A private Mosquitto 2 with the dynamic-security plugin, on a free loopback port, for the shared-broker
 * tests: anonymous clients refused, one admin account made with `mosquitto_ctrl dynsec init`. Its
 * folder is readable by the `mosquitto` user (a broker started as root drops to it) and deleted with
 * the broker.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Debian's place for the plugin (amd64, arm64, armhf). */
const PLUGIN_DIRS = [
  '/usr/lib/x86_64-linux-gnu',
  '/usr/lib/aarch64-linux-gnu',
  '/usr/lib/arm-linux-gnueabihf',
];

export interface DynsecMosquitto {
  url: string;
  port: number;
  admin: { username: string; password: string };
  /** The broker's log so far (for failure messages). */
  log(): string;
  stop(): Promise<void>;
}

function pluginPath(): string {
  const found = PLUGIN_DIRS.map((d) => join(d, 'mosquitto_dynamic_security.so')).find((p) => existsSync(p));
  if (!found) {
    throw new Error(
      'mosquitto_dynamic_security.so not found: install the Debian package mosquitto (2.0 or newer)',
    );
  }
  return found;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const address = s.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      s.close(() => resolve(port));
    });
  });
}

function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
}

/** `tls`: serve MQTT over TLS only, with this certificate chain and key (PEM); the URL is then mqtts. */
export async function startDynsecMosquitto(
  options: { tls?: { cert: string; key: string } } = {},
): Promise<DynsecMosquitto> {
  const plugin = pluginPath();
  const dir = mkdtempSync(join(tmpdir(), 'oskartrack-dynsec-'));
  chmodSync(dir, 0o755); // mkdtemp makes it 0700: the broker runs as `mosquitto`
  const logFile = join(dir, 'mosquitto.log');
  const readLog = () => (existsSync(logFile) ? readFileSync(logFile, 'utf8') : '');
  let child: ChildProcess | undefined;
  const cleanUp = async () => {
    if (child) {
      child.kill('SIGTERM');
      await exited(child);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const admin = { username: 'oskartrack-admin', password: randomBytes(18).toString('base64url') };
    const dynsecFile = join(dir, 'dynamic-security.json');
    await run('mosquitto_ctrl', ['dynsec', 'init', dynsecFile, admin.username, admin.password]);
    const port = await freePort();
    const conf = join(dir, 'mosquitto.conf');
    const tlsLines: string[] = [];
    if (options.tls) {
      writeFileSync(join(dir, 'server.pem'), options.tls.cert);
      writeFileSync(join(dir, 'server-key.pem'), options.tls.key, { mode: 0o600 });
      tlsLines.push(`certfile ${join(dir, 'server.pem')}`, `keyfile ${join(dir, 'server-key.pem')}`);
    }
    writeFileSync(
      conf,
      [
        'per_listener_settings false',
        'allow_anonymous false',
        `listener ${port} 127.0.0.1`,
        ...tlsLines,
        `plugin ${plugin}`,
        `plugin_opt_config_file ${dynsecFile}`,
        'persistence false',
        `log_dest file ${logFile}`,
        'log_type all',
        '',
      ].join('\n'),
    );
    // The plugin rewrites its JSON file on every change: the broker's user must own the folder.
    if (process.getuid?.() === 0) await run('chown', ['-R', 'mosquitto', dir]);
    child = spawn('mosquitto', ['-c', conf], { stdio: 'ignore' });
    const started = child;
    const deadline = Date.now() + 30_000;
    while (!(await answers(port))) {
      if (started.exitCode !== null) throw new Error(`Mosquitto exited at start:\n${readLog()}`);
      if (Date.now() > deadline) throw new Error(`Mosquitto did not answer within 30 s:\n${readLog()}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const scheme = options.tls ? 'mqtts' : 'mqtt';
    return { url: `${scheme}://127.0.0.1:${port}`, port, admin, log: readLog, stop: cleanUp };
  } catch (error) {
    await cleanUp();
    throw error;
  }
}
