/**
 * What the alert conditions look at, gathered once per evaluation for every store with a rule: the
 * store (name, time zone), its camera units and cameras from the database, people inside now (the
 * hub's occupancy), and each unit's latest status as the hub received it (cameras' state, picture).
 */
import type { DeviceStatus } from '@oskartrack/protocol';
import { OCCUPANCY_STALE_MS } from '../aggregate/summarize.ts';
import type { Camera, Device, Repositories } from '../db/repositories/index.ts';

export interface StoreFacts {
  store: { id: string; name: string; timezone: string };
  /** Camera units (uploaded recordings are not one). */
  units: Device[];
  cameras: Camera[];
  peopleInside: number;
  /** A unit's latest status this hub received, and when; undefined before the first one. */
  statusOf(deviceId: string): HeardStatus | undefined;
  now: number;
  /** Since when this hub has been watching (its start): it cannot vouch for what happened before. */
  watchingSince: number;
}

export interface FactsQuery {
  /** Every store with an enabled rule. */
  storeIds: readonly string[];
  /** The stores whose people inside are needed (a people-inside rule). */
  peopleStoreIds: readonly string[];
  statusOf: StatusSource;
  now: number;
  watchingSince: number;
}

/** A unit's status and when this hub received it, on the hub's clock (the unit's clock may be off). */
export interface HeardStatus {
  status: DeviceStatus;
  receivedAt: number;
}

export type StatusSource = (deviceId: string) => HeardStatus | undefined;

/** The facts of each of `q.storeIds` (stores that no longer exist are left out). */
export async function gatherFacts(
  repos: Pick<Repositories, 'stores' | 'devices' | 'cameras' | 'alerts'>,
  q: FactsQuery,
): Promise<Map<string, StoreFacts>> {
  const facts = new Map<string, StoreFacts>();
  const { storeIds, statusOf, now, watchingSince } = q;
  if (storeIds.length === 0) return facts;
  const [stores, devices, cameras, inside] = await Promise.all([
    repos.stores.list({ ids: storeIds }),
    repos.devices.list(),
    repos.cameras.list(),
    repos.alerts.peopleInside(q.peopleStoreIds, new Date(now - OCCUPANCY_STALE_MS)),
  ]);
  for (const s of stores) {
    facts.set(s.id, {
      store: { id: s.id, name: s.name, timezone: s.timezone },
      units: devices.filter((d) => d.storeId === s.id && d.kind === 'box'),
      cameras: cameras.filter((c) => c.storeId === s.id),
      peopleInside: inside.get(s.id) ?? 0,
      statusOf,
      now,
      watchingSince,
    });
  }
  return facts;
}
