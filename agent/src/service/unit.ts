// The systemd unit of the agent: restarted on failure, watched by systemd's watchdog, run as an
// unprivileged user that can write only its data folder.

export interface UnitOptions {
  user: string;
  dataDir: string;
  /** The Node.js binary. */
  node: string;
  /** The `oskartrack-agent` script. */
  cli: string;
  /** Seconds; the agent pings at half of it. */
  watchdogSec: number;
  restartSec: number;
  /** `read-only` when the program lives under /home or /root; else `yes` (hidden). */
  protectHome: 'yes' | 'read-only';
}

/** systemd unit files quote with double quotes; a path with spaces or quotes needs it. */
export function quoteArg(value: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(value)) return value;
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

export function renderUnit(o: UnitOptions): string {
  for (const v of [o.user, o.dataDir, o.node, o.cli]) {
    // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
    if (/[\u0000-\u001f%$]/.test(v)) throw new Error(`unsafe value in the unit: ${JSON.stringify(v)}`);
  }
  return `# Written by "oskartrack-agent install-service". Edit with "systemctl edit oskartrack-agent".
[Unit]
Description=OskarTrack agent (counts people beside a camera, sends the counts to the hub)
Wants=network-online.target
After=network-online.target

[Service]
Type=notify
# The READY and WATCHDOG messages come from a systemd-notify child process.
NotifyAccess=all
# No Group=: systemd takes the user's own primary group (nobody's is nogroup, not a group "nobody").
User=${o.user}
Environment=OSKARTRACK_DATA_DIR=${quoteArg(o.dataDir)}
ExecStart=${quoteArg(o.node)} ${quoteArg(o.cli)} run
Restart=on-failure
RestartSec=${o.restartSec}
WatchdogSec=${o.watchdogSec}
TimeoutStartSec=120
UMask=0077

# Hardening: the agent writes only its data folder.
NoNewPrivileges=yes
ProtectSystem=strict
ReadWritePaths=${quoteArg(o.dataDir)}
PrivateTmp=yes
ProtectHome=${o.protectHome}
ProtectKernelTunables=yes
ProtectKernelModules=yes
ProtectControlGroups=yes
RestrictSUIDSGID=yes
LockPersonality=yes

[Install]
WantedBy=multi-user.target
`;
}
