/**
 * `GET` and `PUT /api/settings/email`: the SMTP server alerts and reports are sent through (the
 * password is write-only); `POST /api/settings/email/test` sends a test message.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { EmailSettings, EmailSettingsBody } from '@oskartrack/protocol';
import { Type } from '@sinclair/typebox';
import { EmailNotSetUpError } from '../../mail/mailer.ts';
import { emailSettingsView, loadEmailSettings, saveEmailSettings } from '../../mail/settings.ts';
import { badRequest, HttpError } from '../errors.ts';
import { errors } from '../schemas.ts';
import { adminRoute } from './helpers.ts';

type App = Parameters<FastifyPluginAsyncTypebox>[0];

export function emailRoutes(app: App): void {
  app.get(
    '/email',
    {
      config: adminRoute,
      schema: {
        tags: ['settings'],
        summary: 'The mail server alerts and reports are sent through (never the password)',
        response: { 200: EmailSettings, ...errors(401, 403) },
      },
    },
    async () => emailSettingsView(await loadEmailSettings(app.repos.settings)),
  );
  app.put(
    '/email',
    {
      config: adminRoute,
      schema: {
        tags: ['settings'],
        summary: 'Set the mail server (a missing password keeps the stored one)',
        body: EmailSettingsBody,
        response: { 200: EmailSettings, ...errors(400, 401, 403) },
      },
    },
    async (request) => emailSettingsView(await saveEmailSettings(app.repos.settings, request.body)),
  );
  app.post(
    '/email/test',
    {
      config: adminRoute,
      schema: {
        tags: ['settings'],
        summary: 'Send a test message through the mail server',
        body: Type.Object({ to: Type.String({ format: 'email', maxLength: 320 }) }),
        response: { 204: Type.Null(), ...errors(400, 401, 403, 502) },
      },
    },
    async (request, reply) => {
      try {
        await app.mailer.send({
          to: [request.body.to],
          subject: 'OskarTrack test message',
          text: 'This is a test message from your OskarTrack hub. E-mail alerts and reports will arrive like this one.',
        });
      } catch (err) {
        if (err instanceof EmailNotSetUpError) throw badRequest(err.message);
        throw new HttpError(502, (err as Error).message);
      }
      return reply.code(204).send(null);
    },
  );
}
