/**
 * Everything a fleet run stands on: the private Mosquitto, the database, the hubs, the boxes set up
 * through the API and connected, and the dashboards. `close` takes it all down again.
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Resources } from '../../test/broker/helpers.ts';
import { Fleet } from './boxes.ts';
import { FleetBroker } from './broker.ts';
import { Dashboards } from './dashboards.ts';
import { type FleetDatabase, fleetDatabase } from './database.ts';
import { login } from './http.ts';
import { type HubProcess, startHubs } from './hubs.ts';
import { keepLogs } from './logs.ts';
import { waitUntil } from './net.ts';
import type { FleetOptions } from './options.ts';
import { type BoxSpec, type HubEndpoint, provisionFleet } from './provision.ts';

export interface Cluster {
  broker: FleetBroker;
  database: FleetDatabase;
  hubs: HubProcess[];
  endpoints: HubEndpoint[];
  specs: BoxSpec[];
  fleet: Fleet;
  dashboards: Dashboards | undefined;
  setup: { provisionSeconds: number; connectSeconds: number; hubRestarts: string[] };
  close(): Promise<void>;
}

const seconds = (since: number) => Math.round((Date.now() - since) / 100) / 10;

async function connectedBoxes(fleet: Fleet): Promise<number> {
  return (await fleet.snapshot()).boxes.filter((b) => b.connected).length;
}

export async function startCluster(o: FleetOptions): Promise<Cluster> {
  const resources = new Resources();
  let broker: FleetBroker | undefined;
  let hubs: HubProcess[] = [];
  try {
    const workDir = mkdtempSync(join(tmpdir(), 'oskartrack-fleet-'));
    chmodSync(workDir, 0o700);
    resources.add(() => rmSync(workDir, { recursive: true, force: true }));
    const theBroker = await FleetBroker.create();
    broker = theBroker;
    resources.add(() => theBroker.close());
    const database = await fleetDatabase(resources, o.databaseUrl);
    o.say(`broker ${theBroker.url}, database ready; starting ${o.hubs} hubs`);
    const started = await startHubs({ broker: theBroker, database, workDir }, o.hubs);
    hubs = started.hubs;
    for (const why of started.restarts) o.say(`started again: ${why}`);
    resources.add(() => started.stop());
    const endpoints: HubEndpoint[] = [];
    for (const h of started.hubs)
      endpoints.push({ url: h.url, token: await login(h.url, started.admin.name, started.admin.password) });

    const t0 = Date.now();
    const specs = await provisionFleet(endpoints, o.boxes, o.setupConcurrency, (n) =>
      o.say(`${n} boxes enrolled`),
    );
    const provisionSeconds = seconds(t0);
    o.say(`${specs.length} boxes enrolled with their cameras in ${provisionSeconds} s`);

    const noAccount = specs.filter((b) => !theBroker.accounts().has(b.deviceId));
    if (noAccount.length > 0)
      throw new Error(
        `${noAccount.length} of ${specs.length} enrolled boxes have no account on the broker (e.g. ${noAccount[0]!.deviceId})`,
      );
    const t1 = Date.now();
    const fleet = Fleet.start(specs, o.threads, { hubKey: specs[0]!.hubKey, link: o.link, inside: o.inside });
    resources.add(() => fleet.close());
    await fleet.tell({ type: 'start' });
    await waitUntil(
      'every box connected',
      async () => (await connectedBoxes(fleet)) === specs.length,
      300_000,
      500,
    );
    const connectSeconds = seconds(t1);
    o.say(`${specs.length} boxes connected in ${connectSeconds} s`);

    let dashboards: Dashboards | undefined;
    if (o.dashboards > 0) {
      const shops = specs
        .slice(0, o.dashboardShops)
        .map((s) => ({ storeId: s.storeId, deviceId: s.deviceId }));
      dashboards = await Dashboards.open(endpoints, shops, o.dashboards);
      resources.add(() => dashboards?.close());
      o.say(`${o.dashboards} dashboards connected over ${endpoints.length} hubs`);
    }
    return {
      broker: theBroker,
      database,
      hubs: started.hubs,
      endpoints,
      specs,
      fleet,
      dashboards,
      setup: { provisionSeconds, connectSeconds, hubRestarts: started.restarts },
      close: () => resources.release(),
    };
  } catch (error) {
    keepLogs(hubs, broker);
    await resources.release();
    throw error;
  }
}
