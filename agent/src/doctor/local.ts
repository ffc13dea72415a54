// Checks on the box itself: the identity file and its mode, the data folder, free disk space.
import { constants } from 'node:fs';
import { access, rm, stat, statfs, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { identityPath } from '../runtime/identity.ts';
import { asError, type Check, fail, pass } from './check.ts';

/** Below this the outbox cannot keep a long outage: FAIL. */
export const MIN_FREE_BYTES = 200 * 1024 * 1024;

const ENROLL = 'run "oskartrack-agent enroll --hub URL --code CODE" with a code from the hub';

export async function checkIdentityFile(dataDir: string): Promise<Check> {
  const path = identityPath(dataDir);
  try {
    const st = await stat(path);
    const mode = st.mode & 0o777;
    if (mode & 0o077)
      return fail(
        `${path} can be read by other users (mode ${mode.toString(8)}): it holds the box's secret`,
        `chmod 600 ${path}`,
      );
    await access(path, constants.R_OK);
    return pass(`identity file ${path} present, mode ${mode.toString(8)}`);
  } catch (err) {
    const e = asError(err);
    if (e.code === 'ENOENT') return fail(`not enrolled: no ${path}`, ENROLL);
    if (e.code === 'EACCES')
      return fail(
        `${path} is not readable by this user`,
        'run doctor as the user the agent runs as (sudo -u oskartrack ...)',
      );
    return fail(`${path}: ${e.message}`, ENROLL);
  }
}

export async function checkDataDir(dataDir: string): Promise<Check[]> {
  const probe = join(dataDir, `.doctor-${process.pid}`);
  const checks: Check[] = [];
  try {
    await writeFile(probe, 'ok', { mode: 0o600 });
    await rm(probe, { force: true });
    checks.push(pass(`data folder ${dataDir} is writable`));
  } catch (err) {
    const e = asError(err);
    checks.push(
      fail(
        `data folder ${dataDir} is not writable (${e.code ?? e.message})`,
        `give the agent's user the folder: chown -R oskartrack: ${dataDir} (or pass --data-dir)`,
      ),
    );
    return checks;
  }
  const fs = await statfs(dataDir);
  const free = fs.bavail * fs.bsize;
  const text = `${(free / 1024 ** 3).toFixed(1)} GiB free on the data folder's disk`;
  checks.push(
    free >= MIN_FREE_BYTES
      ? pass(text)
      : fail(text, 'free some space: the outbox needs room to keep events while the hub is unreachable'),
  );
  return checks;
}
