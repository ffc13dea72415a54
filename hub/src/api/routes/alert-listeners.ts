/**
 * `/api/alert-listeners` (administrators only): read-only broker accounts for building systems that
 * read the alerts topic of one store, or of every store (issue 14). List (never a password), create
 * (answers the password once, with the broker address and the topic), delete (cuts a live connection).
 * Only the embedded broker checks these accounts; with an external broker an administrator makes the
 * account there (README), and creating one here answers 409 saying so.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { AlertListener, AlertListenerBody, NewAlertListener, topics } from '@oskartrack/protocol';
import { Type } from '@sinclair/typebox';
import { boxAddresses, type EnrollmentSettings } from '../box-addresses.ts';
import { conflict } from '../errors.ts';
import { errors } from '../schemas.ts';
import { generateSecret, hashSecret } from '../secrets.ts';
import { adminRoute, caller, type RouteOptions } from './helpers.ts';

const tags = ['alerts'];
const Params = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });

const EXTERNAL_BROKER =
  'this hub uses an external broker: make the account there, see the README ' +
  '("Alerts: e-mail, webhook, MQTT", the read-only role for building systems)';

/** The broker address boxes are given, as the caller reached the hub (the system is not the caller). */
function brokerUrls(settings: EnrollmentSettings, host: string | undefined): string[] {
  return [boxAddresses(settings, { host, clientIp: '127.0.0.1' }).mqttUrl];
}

const alertListenerRoutes: FastifyPluginAsyncTypebox<Pick<RouteOptions, 'enrollment'>> = async (
  app,
  opts,
) => {
  app.get(
    '/',
    {
      config: adminRoute,
      schema: {
        tags,
        summary: "Building systems' read-only broker accounts (never their passwords)",
        response: { 200: Type.Array(AlertListener), ...errors(401, 403) },
      },
    },
    () => app.repos.alertListeners.list(),
  );

  app.post(
    '/',
    {
      config: adminRoute,
      schema: {
        tags,
        summary: 'Make a read-only broker account for a building system: its password is shown only now',
        body: AlertListenerBody,
        response: { 201: NewAlertListener, ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      if ('url' in opts.enrollment.broker) throw conflict(EXTERNAL_BROKER);
      const { name, storeId } = request.body;
      if (storeId !== null) await app.repos.stores.get(storeId); // 404 for an unknown store
      const urls = brokerUrls(opts.enrollment, request.host);
      const password = generateSecret();
      const account = await app.repos.alertListeners.create({
        name,
        storeId,
        secretHash: await hashSecret(password),
        createdBy: caller(request).userId,
      });
      request.log.info({ listenerId: account.id, storeId }, 'building-system account made');
      reply.header('cache-control', 'no-store');
      const topic = storeId === null ? topics.all.storeAlerts : topics.storeAlerts(storeId);
      return reply.code(201).send({ account, username: account.id, password, brokerUrls: urls, topic });
    },
  );

  app.delete(
    '/:id',
    {
      config: adminRoute,
      schema: {
        tags,
        summary: 'Delete a building-system account and cut its connection',
        params: Params,
        response: { 204: Type.Null(), ...errors(401, 403, 404) },
      },
    },
    async (request, reply) => {
      await app.repos.alertListeners.delete(request.params.id);
      // The embedded broker's accounts cut a live session by client id, a listener's as well.
      if (!('url' in opts.enrollment.broker)) await app.deviceAccounts.remove(request.params.id);
      request.log.info({ listenerId: request.params.id }, 'building-system account deleted');
      return reply.code(204).send(null);
    },
  );
};

export default alertListenerRoutes;
