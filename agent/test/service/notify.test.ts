// The systemd notifications through `systemd-notify`, received on a real unix datagram socket (bound by
// a small Python listener, as Node cannot bind one) standing in for systemd's NOTIFY_SOCKET.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { startNotifier } from '../../src/service/notify.ts';
import { waitFor } from '../link/helpers.ts';

const dir = mkdtempSync(join(tmpdir(), 'oskartrack-notify-'));
let listener: ChildProcess | undefined;
afterAll(() => {
  listener?.kill();
  rmSync(dir, { recursive: true, force: true });
});

// Receives datagrams (closing any file descriptor passed along, which answers systemd-notify's
// barrier) and prints each one on a line.
const LISTENER = `
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
print("READY", flush=True)
while True:
    data = s.recv(4096)
    print(data.decode().replace("\\n", " "), flush=True)
`;

describe('systemd notifier', () => {
  it('does nothing outside systemd', () => {
    const n = startNotifier(pino({ level: 'silent' }), {});
    n.stop();
  });

  it('says READY=1, then WATCHDOG=1 at half the watchdog period, then STOPPING=1', async () => {
    const socketPath = join(dir, 'notify.sock');
    listener = spawn('python3', ['-c', LISTENER, socketPath]);
    const lines: string[] = [];
    listener.stdout?.setEncoding('utf8').on('data', (chunk: string) => lines.push(...chunk.split('\n')));
    await waitFor('listener', () => lines.includes('READY'), 30_000);
    const n = startNotifier(pino({ level: 'silent' }), {
      NOTIFY_SOCKET: socketPath,
      WATCHDOG_USEC: '2000000',
    });
    await waitFor(
      'two watchdog pings',
      () => lines.filter((l) => l.includes('WATCHDOG=1')).length >= 2,
      30_000,
    );
    n.stop();
    await waitFor('stopping', () => lines.some((l) => l.includes('STOPPING=1')), 30_000);
    expect(lines.some((l) => l.includes('READY=1'))).toBe(true);
  }, 60_000);
});
