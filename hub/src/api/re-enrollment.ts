/**
 * A box enrolled again (a new code, the same box) names its old identity and proves it with the old
 * secret. The new identity gets the old one's name at once; when it first reports online it takes over
 * the old one's cameras (with their areas and lines), and the old credential is revoked, so the
 * dashboard is not left with a dead box and cameras nobody reads. Waiting for that first report means
 * an enrollment answer lost on the way leaves the box its old, working identity. Only within the same
 * store: a code for another store is a move, done by an administrator.
 */
import type { EnrollRequest } from '@oskartrack/protocol';
import type { Device } from '../db/repositories/devices.ts';
import type { Repositories } from '../db/repositories/index.ts';
import { verifySecret } from './secrets.ts';

type Claim = NonNullable<EnrollRequest['replaces']>;

/** The old box the claim proves, or undefined (unknown, another store, revoked, wrong secret). */
export async function provenOldBox(
  repos: Repositories,
  claim: Claim,
  storeId: string,
): Promise<Device | undefined> {
  const old = await repos.devices.find(claim.deviceId);
  if (!old || old.storeId !== storeId) return undefined;
  const hash = await repos.devices.credentialHash(old.id);
  return hash && (await verifySecret(hash, claim.secret)) ? old : undefined;
}

/**
 * Run in one transaction when box `newId` reports online: takes over the old identity it proved at
 * enrollment, if any and if nobody took it first. The old box's id and the cameras moved, or undefined.
 */
export async function completeTakeover(
  repos: Repositories,
  newId: string,
): Promise<{ oldId: string; cameras: number } | undefined> {
  const oldId = await repos.devices.takeReplaces(newId);
  if (!oldId) return undefined;
  const old = await repos.devices.find(oldId);
  const box = await repos.devices.find(newId);
  if (!old || !box || old.storeId !== box.storeId) return undefined;
  if (!(await repos.devices.revokeIfHeld(old.id))) return undefined;
  const cameras = await repos.cameras.handOverCameras(old.id, newId);
  await repos.devices.update(old.id, { name: `${old.name} (replaced)`.slice(0, 100) });
  return { oldId: old.id, cameras };
}
