// `oskartrack-agent run`: the box's counting loop (`enroll` is in enroll.ts, `status` in status.ts).
import { createLogger } from '../log.ts';
import { Agent } from '../runtime/agent.ts';
import { loadIdentity } from '../runtime/identity.ts';
import { watchIdentity } from '../runtime/identity-watch.ts';
import { startNotifier } from '../service/notify.ts';

/** Runs the agent until SIGINT / SIGTERM; moves to a new identity when the box is enrolled again. */
export async function run(dataDir: string): Promise<void> {
  const log = createLogger('agent');
  let identity = await loadIdentity(dataDir);
  if (!identity)
    throw new Error(
      `this box is not enrolled yet (no ${dataDir}/agent.json): run "oskartrack-agent enroll --hub URL --code CODE"`,
    );
  let signalled = false;
  const stopped = new Promise<undefined>((resolve) => {
    const stop = () => {
      signalled = true;
      resolve(undefined);
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  let notifier: ReturnType<typeof startNotifier> | undefined;
  try {
    while (!signalled) {
      const agent = new Agent({ dataDir, identity, log });
      await agent.start();
      // Ready once the first agent runs (systemd's READY=1 and watchdog).
      notifier ??= startNotifier(log);
      log.info({ deviceId: identity.deviceId, hub: identity.mqttUrl }, 'agent running');
      const watch = watchIdentity(dataDir, identity, log);
      const next = await Promise.race([stopped, watch.next]);
      watch.stop();
      if (next)
        log.info(
          { deviceId: next.deviceId, was: identity.deviceId },
          'this box was enrolled again: moving to its new identity',
        );
      else log.info('stopping');
      await agent.stop();
      if (!next) break;
      identity = next;
    }
  } finally {
    notifier?.stop();
  }
}
