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

/**
 * The old box, revoked for the claim, or undefined (unknown, another store, already revoked, wrong
 * secret, or claimed by another enrollment at the same moment).
 */
export async function claimOldBox(
  repos: Repositories,
  claim: Claim,
  storeId: string,
): Promise<Device | undefined> {
  const old = await repos.devices.find(claim.deviceId);
  if (!old || old.storeId !== storeId) return undefined;
  const hash = await repos.devices.credentialHash(old.id);
  if (!hash || !(await verifySecret(hash, claim.secret))) return undefined;
  return (await repos.devices.revokeIfStill(old.id, hash)) ? old : undefined;
}

/** Hands the claimed box's cameras to the new one and marks it replaced; the number of cameras moved. */
export async function takeOver(repos: Repositories, old: Device, newId: string): Promise<number> {
  const cameras = await repos.cameras.handOverCameras(old.id, newId);
  await repos.devices.update(old.id, { name: `${old.name} (replaced)`.slice(0, 100) });
  return cameras;
}
