/**
 * A camera whose source is a video file names a path on its box, which only the box can read: before
 * such a camera is saved, an online box is asked (`source-probe`), and a file it cannot open or decode
 * is refused with its reason. A box that is offline or does not answer cannot be asked: the camera is
 * saved, and the box reports the problem in its status once it runs it.
 */
import type { FastifyInstance } from 'fastify';
import { badRequest } from './errors.ts';

export async function refuseUnreadableFile(
  app: FastifyInstance,
  deviceId: string | null | undefined,
  source: string,
): Promise<void> {
  if (!deviceId || !source.startsWith('/') || !app.sourceProbes) return;
  const device = await app.repos.devices.find(deviceId);
  if (!device?.online) return;
  const why = await app.sourceProbes.request(deviceId, source).catch(() => undefined);
  if (why) throw badRequest(`${why}: give the path of a video file the box can read`);
}
