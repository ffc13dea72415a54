/**
 * `GET` and `PUT /api/settings/detector`: the person detector every box runs (HOG or YOLOX, how
 * sure it must be, every how many frames). Boxes get the change in their next configuration, at once.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { check, DetectorSettings } from '@oskartrack/protocol';
import { DEFAULT_DETECTOR, DETECTOR_SETTING } from '../../broker/config-push.ts';
import { errors } from '../schemas.ts';
import { adminRoute } from './helpers.ts';

type App = Parameters<FastifyPluginAsyncTypebox>[0];

/** The stored setting, or the default the boxes run when none (or an invalid one) is stored. */
async function currentDetector(app: App): Promise<DetectorSettings> {
  const stored = await app.repos.settings.get(DETECTOR_SETTING);
  const valid = check(DetectorSettings, stored);
  return valid.ok ? valid.value : DEFAULT_DETECTOR;
}

export function detectorRoutes(app: App): void {
  app.get(
    '/detector',
    {
      config: adminRoute,
      schema: {
        tags: ['settings'],
        summary: 'The person detector every box runs',
        response: { 200: DetectorSettings, ...errors(401, 403) },
      },
    },
    async () => currentDetector(app),
  );
  app.put(
    '/detector',
    {
      config: adminRoute,
      schema: {
        tags: ['settings'],
        summary: 'Change the person detector every box runs (sent to the boxes at once)',
        body: DetectorSettings,
        response: { 200: DetectorSettings, ...errors(400, 401, 403) },
      },
    },
    async (request) => {
      await app.repos.settings.set(DETECTOR_SETTING, request.body);
      const boxes = (await app.repos.devices.list()).filter((d) => d.kind === 'box');
      app.domain.emit('config-changed', { deviceIds: boxes.map((d) => d.id) });
      return currentDetector(app);
    },
  );
}
