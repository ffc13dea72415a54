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
  const stopped = new Promise<undefined>((resolve) => {
    process.once('SIGINT', () => resolve(undefined));
    process.once('SIGTERM', () => resolve(undefined));
  });
  const notifier = startNotifier(log);
  for (;;) {
    const agent = new Agent({ dataDir, identity, log });
    await agent.start();
    log.info({ deviceId: identity.deviceId, hub: identity.mqttUrl }, 'agent running');
    const watch = watchIdentity(dataDir, identity);
    const next = await Promise.race([stopped, watch.next]);
    watch.stop();
    if (!next) log.info('stopping');
    else
      log.info(
        { deviceId: next.deviceId, was: identity.deviceId },
        'this box was enrolled again: moving to its new identity',
      );
    await agent.stop();
    if (!next) break;
    identity = next;
  }
  notifier.stop();
}
