// `oskartrack-agent run`: the box's counting loop (`enroll` is in enroll.ts, `status` in status.ts).
import { createLogger } from '../log.ts';
import { Agent } from '../runtime/agent.ts';
import { loadIdentity } from '../runtime/identity.ts';
import { startNotifier } from '../service/notify.ts';

/** Runs the agent until SIGINT / SIGTERM. */
export async function run(dataDir: string): Promise<void> {
  const log = createLogger('agent');
  const identity = await loadIdentity(dataDir);
  if (!identity)
    throw new Error(
      `this box is not enrolled yet (no ${dataDir}/agent.json): run "oskartrack-agent enroll --hub URL --code CODE"`,
    );
  const agent = new Agent({ dataDir, identity, log });
  await agent.start();
  log.info({ deviceId: identity.deviceId, hub: identity.mqttUrl }, 'agent running');
  const notifier = startNotifier(log);
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  log.info('stopping');
  notifier.stop();
  await agent.stop();
}
