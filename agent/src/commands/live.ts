// `oskartrack-agent enroll` and `run`: the installer's commands on the box (`status` is in status.ts).
import { check, Id } from '@oskartrack/protocol';
import { Type } from '@sinclair/typebox';
import { createLogger } from '../log.ts';
import { Agent } from '../runtime/agent.ts';
import { type Identity, loadIdentity, saveIdentity } from '../runtime/identity.ts';

const EnrollReply = Type.Object({
  deviceId: Id,
  secret: Type.String({ minLength: 16 }),
  mqtt: Type.Object({ url: Type.String({ minLength: 1 }) }),
});

/** Trades a one-time enrollment code for this box's credential and saves it. */
export async function enroll(opts: {
  hub: string;
  code: string;
  name?: string;
  dataDir: string;
  mqttUrl?: string;
}): Promise<Identity> {
  const url = new URL('/api/enroll', opts.hub);
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ code: opts.code, ...(opts.name ? { name: opts.name } : {}) }),
      signal: AbortSignal.timeout(15_000),
    });
  } catch (err) {
    throw new Error(
      `cannot reach the hub at ${opts.hub}: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
  const body: unknown = await res.json().catch(() => undefined);
  if (!res.ok) {
    const message = (body as { message?: string } | undefined)?.message ?? res.statusText;
    throw new Error(`the hub refused the code (${res.status}): ${message}`);
  }
  const r = check(EnrollReply, body);
  if (!r.ok) throw new Error(`unexpected answer from the hub: ${r.error}`);
  const identity: Identity = {
    deviceId: r.value.deviceId,
    secret: r.value.secret,
    hubUrl: opts.hub,
    mqttUrl: opts.mqttUrl ?? r.value.mqtt.url,
  };
  await saveIdentity(opts.dataDir, identity);
  return identity;
}

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
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  log.info('stopping');
  await agent.stop();
}
