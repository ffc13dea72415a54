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

/** A box enrolled again and again without ever connecting in between leaves a chain this long at most. */
const MAX_CHAIN = 8;

/**
 * Run in one transaction when box `newId` reports online: takes over the old identity it proved at
 * enrollment, and the one that identity was itself to take over when it never connected (enrolled
 * again before it ran). Each old identity is taken once (`replaced_by`: of racing claims the first
 * wins), even when an administrator revoked it meanwhile. The old boxes' ids and the cameras moved.
 */
export async function completeTakeover(
  repos: Repositories,
  newId: string,
): Promise<{ oldIds: string[]; cameras: number } | undefined> {
  const box = await repos.devices.find(newId);
  let oldId = box && (await repos.devices.takeReplaces(newId));
  const oldIds: string[] = [];
  let cameras = 0;
  while (box && oldId && oldIds.length < MAX_CHAIN) {
    const old = await repos.devices.find(oldId);
    if (!old || old.storeId !== box.storeId || !(await repos.devices.claimReplaced(old.id, newId))) break;
    await repos.devices.revokeIfHeld(old.id);
    cameras += await repos.cameras.handOverCameras(old.id, newId);
    await repos.devices.update(old.id, { name: `${old.name} (replaced)`.slice(0, 100) });
    oldIds.push(old.id);
    oldId = await repos.devices.takeReplaces(old.id);
  }
  return oldIds.length > 0 ? { oldIds, cameras } : undefined;
}
