/**
 * The fleet's private Mosquitto 2 with dynamic security, on a free loopback port. Unlike the tests'
 * broker (test/support/mosquitto-dynsec.ts) it can be stopped and started again on the same port
 * with the same accounts: the outage. Its folder is readable by the `mosquitto` user (a broker
 * started as root drops to it), not a 0700 mkdtemp folder.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort, portAnswers, waitUntil } from './net.ts';

const run = promisify(execFile);

const PLUGIN_DIRS = [
  '/usr/lib/x86_64-linux-gnu',
  '/usr/lib/aarch64-linux-gnu',
  '/usr/lib/arm-linux-gnueabihf',
];

function pluginPath(): string {
  const found = PLUGIN_DIRS.map((d) => join(d, 'mosquitto_dynamic_security.so')).find((p) => existsSync(p));
  if (!found)
    throw new Error('mosquitto_dynamic_security.so not found: install the Debian package mosquitto');
  return found;
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
}

export class FleetBroker {
  private child: ChildProcess | undefined;

  private constructor(
    private readonly dir: string,
    readonly port: number,
    readonly admin: { username: string; password: string },
  ) {}

  get url(): string {
    return `mqtt://127.0.0.1:${this.port}`;
  }

  static async create(): Promise<FleetBroker> {
    const dir = mkdtempSync(join(tmpdir(), 'oskartrack-fleet-mqtt-'));
    chmodSync(dir, 0o755); // the broker runs as `mosquitto`
    const admin = { username: 'oskartrack-hub', password: randomBytes(18).toString('base64url') };
    const broker = new FleetBroker(dir, await freePort(), admin);
    try {
      const dynsec = join(dir, 'dynamic-security.json');
      await run('mosquitto_ctrl', ['dynsec', 'init', dynsec, admin.username, admin.password]);
      writeFileSync(
        join(dir, 'mosquitto.conf'),
        [
          'per_listener_settings false',
          'allow_anonymous false',
          `listener ${broker.port} 127.0.0.1`,
          `plugin ${pluginPath()}`,
          `plugin_opt_config_file ${dynsec}`,
          'persistence false',
          // A thousand boxes each with a window of batches in flight.
          'max_inflight_messages 100',
          'max_queued_messages 100000',
          `log_dest file ${join(dir, 'mosquitto.log')}`,
          'log_type error',
          'log_type warning',
          '',
        ].join('\n'),
      );
      // The plugin rewrites its JSON file on every change: the broker's user must own the folder.
      if (process.getuid?.() === 0) await run('chown', ['-R', 'mosquitto', dir]);
      await broker.start();
      return broker;
    } catch (error) {
      await broker.close();
      throw error;
    }
  }

  log(): string {
    const file = join(this.dir, 'mosquitto.log');
    return existsSync(file) ? readFileSync(file, 'utf8') : '';
  }

  /** The user names of the broker's accounts, from the plugin's file. */
  accounts(): Set<string> {
    const file = JSON.parse(readFileSync(join(this.dir, 'dynamic-security.json'), 'utf8')) as {
      clients?: Array<{ username: string }>;
    };
    return new Set((file.clients ?? []).map((c) => c.username));
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  async start(): Promise<void> {
    if (this.running) return;
    const child = spawn('mosquitto', ['-c', join(this.dir, 'mosquitto.conf')], { stdio: 'ignore' });
    this.child = child;
    await waitUntil('Mosquitto answering', () => {
      if (child.exitCode !== null) throw new Error(`Mosquitto exited at start:\n${this.log()}`);
      return portAnswers(this.port);
    });
  }

  /** The outage: the broker stops (its accounts stay in the dynsec file). */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child) return;
    child.kill('SIGTERM');
    await exited(child);
    this.child = undefined;
  }

  async close(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
