// `oskartrack-agent install-service` into a temporary unit folder: the unit's content, the data folder's
// owner and modes, and `systemd-analyze verify` when the machine has it.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { installService } from '../../src/service/install.ts';

const root = mkdtempSync(join(tmpdir(), 'oskartrack-service-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const cli = join(import.meta.dirname, '..', '..', 'bin', 'oskartrack-agent.js');
const mode = (path: string) => statSync(path).mode & 0o777;

describe('install-service', () => {
  const unitDir = join(root, 'units');
  const dataDir = join(root, 'data');
  const me = userInfo().username;

  it('writes a hardened unit with restart and watchdog, and locks the data folder down', async () => {
    mkdirSync(join(dataDir, 'models'), { recursive: true, mode: 0o755 });
    writeFileSync(join(dataDir, 'agent.json'), '{}', { mode: 0o644 });
    writeFileSync(join(dataDir, 'config.json'), '{}', { mode: 0o666 });
    const r = await installService({
      unitDir,
      user: me,
      dataDir,
      createUser: false,
      node: process.execPath,
      cli,
    });
    expect(r.unitPath).toBe(join(unitDir, 'oskartrack-agent.service'));
    expect(r.createdUser).toBe(false);
    expect(r.enableCommand).toContain('systemctl enable --now oskartrack-agent');
    const unit = readFileSync(r.unitPath, 'utf8');
    for (const line of [
      'Type=notify',
      'NotifyAccess=all',
      `User=${me}`,
      `Environment=OSKARTRACK_DATA_DIR=${dataDir}`,
      `ExecStart=${process.execPath} ${cli} run`,
      'Restart=on-failure',
      'RestartSec=5',
      'WatchdogSec=60',
      'NoNewPrivileges=yes',
      'ProtectSystem=strict',
      `ReadWritePaths=${dataDir}`,
      'PrivateTmp=yes',
      'WantedBy=multi-user.target',
    ]) {
      expect(unit.split('\n')).toContain(line);
    }
    expect(unit).toMatch(/^ProtectHome=(yes|read-only)$/m);
    // The user's primary group, whatever its name: systemd's default when Group= is not set.
    expect(unit).not.toMatch(/^Group=/m);
    expect(mode(r.unitPath)).toBe(0o644);
    expect(mode(dataDir)).toBe(0o700);
    expect(mode(join(dataDir, 'models'))).toBe(0o700);
    expect(mode(join(dataDir, 'agent.json'))).toBe(0o600);
    expect(mode(join(dataDir, 'config.json'))).toBe(0o600);
    expect(statSync(join(dataDir, 'agent.json')).uid).toBe(userInfo().uid);
  });

  it('passes systemd-analyze verify (Debian package systemd)', () => {
    const unitPath = join(unitDir, 'oskartrack-agent.service');
    const r = spawnSync('systemd-analyze', ['verify', unitPath], { encoding: 'utf8' });
    expect(r.error).toBeUndefined();
    // Lines about the host's own units are not ours; only lines naming this unit count.
    const ours = `${r.stdout}${r.stderr}`.split('\n').filter((l) => l.includes('oskartrack-agent.service'));
    expect(ours).toEqual([]);
  });

  it('refuses a missing user when asked not to create one, and says how to go on', async () => {
    await expect(
      installService({
        unitDir,
        user: 'oskartrack-no-such-user-x',
        dataDir,
        createUser: false,
        node: process.execPath,
        cli,
      }),
    ).rejects.toThrow(
      /the user oskartrack-no-such-user-x does not exist: create it, or leave out --no-create-user/,
    );
  });

  it('runs from the command line and prints the command that starts the service', () => {
    const out = execFileSync(
      process.execPath,
      [
        cli,
        'install-service',
        '--unit-dir',
        unitDir,
        '--data-dir',
        dataDir,
        '--user',
        me,
        '--no-create-user',
      ],
      { encoding: 'utf8' },
    );
    expect(out).toContain(`wrote ${join(unitDir, 'oskartrack-agent.service')}`);
    expect(out).toContain("sudo sh -c 'systemctl daemon-reload && systemctl enable --now oskartrack-agent'");
  }, 60_000);
});
