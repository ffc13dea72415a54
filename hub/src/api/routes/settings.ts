import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { errors } from '../schemas.ts';
import { adminRoute } from './helpers.ts';
import { detectorRoutes } from './settings-detector.ts';
import { emailRoutes } from './settings-email.ts';
import { reportWriterRoutes } from './settings-report-writer.ts';
import { webhookRoutes } from './settings-webhook.ts';

/** Hub-wide switches: administrators only. */
const settingsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const Settings = Type.Object({ demographics: Type.Boolean() });
  app.get(
    '/',
    {
      config: adminRoute,
      schema: {
        tags: ['settings'],
        summary: 'Hub-wide switches',
        response: { 200: Settings, ...errors(401, 403) },
      },
    },
    async () => ({ demographics: await app.repos.settings.demographicsEnabled() }),
  );
  app.put(
    '/demographics',
    {
      config: adminRoute,
      schema: {
        tags: ['settings'],
        summary: 'Turn age and gender estimates on or off (off erases what was stored)',
        body: Type.Object({ enabled: Type.Boolean() }),
        response: {
          200: Type.Object({ demographics: Type.Boolean(), erased: Type.Integer() }),
          ...errors(400, 401, 403),
        },
      },
    },
    async (request) => {
      const erased = await app.repos.settings.setDemographicsEnabled(request.body.enabled);
      return { demographics: request.body.enabled, erased };
    },
  );
  detectorRoutes(app);
  emailRoutes(app);
  reportWriterRoutes(app);
  webhookRoutes(app);
};

export default settingsRoutes;
