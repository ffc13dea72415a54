/** With FLEET_LOG_DIR set, the hubs' and the broker's logs are written there (to see why a run failed). */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FleetBroker } from './broker.ts';
import type { HubProcess } from './hubs.ts';

export function keepLogs(hubs: readonly HubProcess[], broker: FleetBroker | undefined): void {
  const dir = process.env.FLEET_LOG_DIR;
  if (!dir) return;
  mkdirSync(dir, { recursive: true });
  for (const h of hubs) writeFileSync(join(dir, `hub-${h.index}.log`), h.log);
  if (broker) writeFileSync(join(dir, 'mosquitto.log'), broker.log());
}
