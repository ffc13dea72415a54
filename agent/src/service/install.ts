// `oskartrack-agent install-service`: the system user, the data folder (owned by that user, mode 0700,
// config and secret files 0600) and the systemd unit file.
import { execFileSync } from 'node:child_process';
import { chmod, chown, lstat, mkdir, readdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { renderUnit } from './unit.ts';

export const UNIT_NAME = 'oskartrack-agent.service';

export interface InstallOptions {
  unitDir: string;
  user: string;
  dataDir: string;
  createUser: boolean;
  node: string;
  cli: string;
  watchdogSec?: number;
  restartSec?: number;
  /** Runs `systemctl daemon-reload` and `systemctl enable --now`. */
  enable?: boolean;
  /** For messages. */
  log?: (line: string) => void;
}

export interface InstallResult {
  unitPath: string;
  createdUser: boolean;
  enableCommand: string;
}

/** Files the agent keeps secret or private: the identity (device secret) and the configuration (camera passwords). */
const PRIVATE_FILES = /^(agent\.json|config\.json|outbox\.sqlite(-wal|-shm)?|.*\.key|.*\.pem)$/;

function lookupUser(name: string): { uid: number; gid: number } | undefined {
  try {
    const line = execFileSync('getent', ['passwd', name], { encoding: 'utf8' }).trim();
    const [, , uid, gid] = line.split(':');
    return { uid: Number(uid), gid: Number(gid) };
  } catch {
    return undefined;
  }
}

function createSystemUser(name: string, home: string): void {
  if (process.getuid?.() !== 0)
    throw new Error(
      `the user ${name} does not exist and only root can create it: run with sudo, or create it yourself and pass --no-create-user`,
    );
  execFileSync(
    'useradd',
    [
      '--system',
      '--user-group',
      '--home-dir',
      home,
      '--no-create-home',
      '--shell',
      '/usr/sbin/nologin',
      name,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
}

/** Owner and modes: folders 0700, private files 0600, the rest 0644 at most. Symbolic links are left alone. */
async function secureTree(path: string, owner: { uid: number; gid: number }): Promise<void> {
  const st = await lstat(path);
  if (st.isSymbolicLink()) return;
  await chown(path, owner.uid, owner.gid);
  if (st.isDirectory()) {
    await chmod(path, 0o700);
    for (const entry of await readdir(path)) await secureTree(join(path, entry), owner);
    return;
  }
  const name = path.slice(path.lastIndexOf('/') + 1);
  await chmod(path, PRIVATE_FILES.test(name) ? 0o600 : (st.mode & 0o644) | 0o600);
}

/** Programs under /home or /root stay readable (read-only); otherwise home folders are hidden. */
function protectHomeFor(paths: string[]): 'yes' | 'read-only' {
  return paths.some((p) => /^\/(home|root)(\/|$)/.test(p)) ? 'read-only' : 'yes';
}

export async function installService(o: InstallOptions): Promise<InstallResult> {
  const log = o.log ?? (() => {});
  const dataDir = resolve(o.dataDir);
  let owner = lookupUser(o.user);
  let createdUser = false;
  if (!owner) {
    if (!o.createUser)
      throw new Error(
        `the user ${o.user} does not exist: create it, or leave out --no-create-user (as root)`,
      );
    createSystemUser(o.user, dataDir);
    owner = lookupUser(o.user);
    if (!owner) throw new Error(`useradd did not create ${o.user}`);
    createdUser = true;
    log(`created the system user ${o.user}`);
  }
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  await secureTree(dataDir, owner);
  log(`data folder ${dataDir}: owned by ${o.user}, mode 700, secrets 600`);
  const unit = renderUnit({
    user: o.user,
    dataDir,
    node: o.node,
    cli: o.cli,
    watchdogSec: o.watchdogSec ?? 60,
    restartSec: o.restartSec ?? 5,
    protectHome: protectHomeFor([o.node, o.cli]),
  });
  await mkdir(o.unitDir, { recursive: true, mode: 0o755 });
  const unitPath = join(o.unitDir, UNIT_NAME);
  await writeFile(unitPath, unit, { mode: 0o644 });
  await chmod(unitPath, 0o644);
  log(`wrote ${unitPath}`);
  const enableCommand = 'systemctl daemon-reload && systemctl enable --now oskartrack-agent';
  if (o.enable) {
    execFileSync('systemctl', ['daemon-reload'], { stdio: 'inherit' });
    execFileSync('systemctl', ['enable', '--now', 'oskartrack-agent'], { stdio: 'inherit' });
  }
  return { unitPath, createdUser, enableCommand };
}
