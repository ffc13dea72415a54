// Tells systemd the agent is up (READY=1) and alive (WATCHDOG=1), when it runs as a service.
//
// systemd listens on a unix datagram socket (NOTIFY_SOCKET); Node cannot send unix datagrams, and the
// npm packages that can (sd-notify, unix-dgram) are native addons. So the agent runs `systemd-notify`,
// which ships with systemd: since systemd 246 it waits until the manager has read the message, so the
// message is not lost when the short-lived process exits first. The unit says `NotifyAccess=all`
// because the message comes from that child process, not from the agent's main process.
import { execFile } from 'node:child_process';
import type { Logger } from 'pino';

export interface Notifier {
  stop(): void;
}

function send(message: string, log: Logger, env: NodeJS.ProcessEnv): void {
  execFile('systemd-notify', [message], { timeout: 10_000, env }, (error) => {
    if (error) log.warn({ err: error, message }, 'telling systemd failed (is systemd-notify installed?)');
  });
}

/**
 * Under systemd (NOTIFY_SOCKET set): READY=1 now, then WATCHDOG=1 at half the watchdog period
 * (WATCHDOG_USEC) while the event loop runs. Elsewhere: does nothing.
 */
export function startNotifier(log: Logger, env: NodeJS.ProcessEnv = process.env): Notifier {
  if (!env.NOTIFY_SOCKET) return { stop() {} };
  send('READY=1', log, env);
  const usec = Number(env.WATCHDOG_USEC);
  const forUs = !env.WATCHDOG_PID || Number(env.WATCHDOG_PID) === process.pid;
  if (!Number.isFinite(usec) || usec <= 0 || !forUs) return { stop: () => send('STOPPING=1', log, env) };
  const timer = setInterval(() => send('WATCHDOG=1', log, env), Math.max(1000, usec / 2000));
  timer.unref();
  log.info({ everyMs: Math.round(usec / 2000) }, 'systemd watchdog on');
  return {
    stop() {
      clearInterval(timer);
      send('STOPPING=1', log, env);
    },
  };
}
