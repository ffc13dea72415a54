/**
 * `GET /api/settings/webhook`: the secret alert webhooks are signed with (administrators only: a
 * receiver needs it to check signatures; it is made at first use). `POST /api/settings/webhook/rotate`
 * replaces it: receivers must be given the new one.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { WEBHOOK_SIGNATURE_HEADER, WEBHOOK_TIMESTAMP_HEADER, WebhookSettings } from '@oskartrack/protocol';
import { rotateWebhookSecret, webhookSecret } from '../../alerts/delivery/index.ts';
import { errors } from '../schemas.ts';
import { adminRoute } from './helpers.ts';

type App = Parameters<FastifyPluginAsyncTypebox>[0];

function view(signingSecret: string): WebhookSettings {
  return {
    signingSecret,
    timestampHeader: WEBHOOK_TIMESTAMP_HEADER,
    signatureHeader: WEBHOOK_SIGNATURE_HEADER,
  };
}

export function webhookRoutes(app: App): void {
  app.get(
    '/webhook',
    {
      config: adminRoute,
      schema: {
        tags: ['settings'],
        summary: 'The secret alert webhooks are signed with (made at first use)',
        response: { 200: WebhookSettings, ...errors(401, 403) },
      },
    },
    async (_request, reply) => {
      reply.header('cache-control', 'no-store');
      return view(await webhookSecret(app.database.db));
    },
  );
  app.post(
    '/webhook/rotate',
    {
      config: adminRoute,
      schema: {
        tags: ['settings'],
        summary: 'Replace the webhook signing secret (give receivers the new one)',
        response: { 200: WebhookSettings, ...errors(401, 403) },
      },
    },
    async (request, reply) => {
      reply.header('cache-control', 'no-store');
      const secret = await rotateWebhookSecret(app.database.db);
      request.log.info('webhook signing secret rotated');
      return view(secret);
    },
  );
}
