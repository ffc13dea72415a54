/**
 * A box enrolled again (a new code, the same box) names its old identity and proves it with the old
 * secret: the new identity takes over the old one's cameras (with their areas and lines) and name,
 * and the old credential is revoked, so the dashboard is not left with a dead box and cameras nobody
 * reads. Only within the same store: a code for another store is a move, done by an administrator.
 */
import type { EnrollRequest } from '@oskartrack/protocol';
import type { Device } from '../db/repositories/devices.ts';
import type { Repositories } from '../db/repositories/index.ts';
import { verifySecret } from './secrets.ts';

type Claim = NonNullable<EnrollRequest['replaces']>;

/** The old box the claim may take over, or undefined (unknown, another store, already revoked, wrong secret). */
export async function replaceable(
  repos: Repositories,
  claim: Claim,
  storeId: string,
): Promise<Device | undefined> {
  const old = await repos.devices.find(claim.deviceId);
  if (!old || old.storeId !== storeId) return undefined;
  const hash = await repos.devices.credentialHash(old.id);
  if (!hash || !(await verifySecret(hash, claim.secret))) return undefined;
  return old;
}

/** Hands the old box's cameras to the new one and revokes the old credential; the cameras moved. */
export async function takeOver(repos: Repositories, old: Device, newId: string): Promise<number> {
  const cameras = await repos.cameras.handOverCameras(old.id, newId);
  await repos.devices.setCredential(old.id, null);
  await repos.devices.update(old.id, { name: `${old.name} (replaced)`.slice(0, 100) });
  return cameras;
}
