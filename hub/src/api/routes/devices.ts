import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { EnrollReply, EnrollRequest, Id } from '@oskartrack/protocol';
import { splitEnrollmentCode } from '@oskartrack/protocol/enrollment-code';
import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { inTransaction } from '../../db/repositories/index.ts';
import { AddressError, boxAddresses } from '../box-addresses.ts';
import { badRequest, forbidden, HttpError } from '../errors.ts';
import { provenOldBox } from '../re-enrollment.ts';
import { revokedEverywhere } from '../revoked-everywhere.ts';
import { Device, errors, IdParams, Name } from '../schemas.ts';
import { storeFilter } from '../scope.ts';
import { generateSecret, hashEnrollmentCode, hashSecret } from '../secrets.ts';
import { caller, managerRoute, publicRoute, type RouteOptions, visibleDevice } from './helpers.ts';

/** A broker account change after the database's: a failure is a 503 that says what to do. */
async function brokerStep(step: Promise<void>, done: 'enrolled' | 'revoked' | 'removed'): Promise<void> {
  try {
    await step;
  } catch (error) {
    const retry =
      done === 'enrolled'
        ? 'the box was not enrolled; try the same code again once the broker is reachable'
        : `the box is ${done} in the hub but the MQTT broker did not confirm it; try again`;
    throw new HttpError(503, `${retry} (${(error as Error).message})`);
  }
}

/** The app as a route plugin of this file sees it. */
type App = Parameters<FastifyPluginAsyncTypebox>[0];
type EnrollApp = Parameters<FastifyPluginAsyncTypebox<RouteOptions>>[0];

const tags = ['devices'];

/** Boxes: list, and one box. */
function listAndGetRoutes(app: App): void {
  app.get(
    '/',
    {
      schema: {
        tags,
        summary: 'Boxes with their status: online, last seen, events waiting in their outbox',
        querystring: Type.Object({ storeId: Type.Optional(Id) }),
        response: { 200: Type.Array(Device), ...errors(401, 404) },
      },
    },
    async (request) => {
      const ids = storeFilter(caller(request), request.query.storeId);
      if (ids === undefined) return app.repos.devices.list();
      const lists = await Promise.all(ids.map((storeId) => app.repos.devices.list({ storeId })));
      return lists.flat();
    },
  );

  app.get(
    '/:id',
    {
      schema: { tags, summary: 'One box', params: IdParams, response: { 200: Device, ...errors(401, 404) } },
    },
    async (request) => visibleDevice(app, caller(request), request.params.id),
  );
}

/** PATCH /:id: rename a box or move it to another store. */
function changeRoute(app: App): void {
  app.patch(
    '/:id',
    {
      config: managerRoute,
      schema: {
        tags,
        summary: 'Rename a box, or move it to another store (administrators)',
        description:
          'Moving a box that reads cameras needs `cameras`: `move` takes them (with their areas and lines) to the new store, `detach` leaves them in the old store without a box.',
        params: IdParams,
        body: Type.Object({
          name: Type.Optional(Name),
          storeId: Type.Optional(Id),
          cameras: Type.Optional(Type.Union([Type.Literal('move'), Type.Literal('detach')])),
        }),
        response: { 200: Device, ...errors(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const p = caller(request);
      const device = await visibleDevice(app, p, request.params.id);
      const { name, storeId, cameras } = request.body;
      const moving = storeId !== undefined && storeId !== device.storeId;
      if (moving) {
        if (p.role !== 'admin') throw forbidden('only an administrator may move a box to another store');
        await app.repos.stores.get(storeId);
      }
      const updated = await inTransaction(app.database.db, async (repos) => {
        if (moving) {
          const count = (await repos.cameras.list({ deviceId: device.id })).length;
          if (count > 0 && cameras === undefined)
            throw badRequest(
              `this box reads ${count} camera${count === 1 ? '' : 's'}: say what happens to ${count === 1 ? 'it' : 'them'} with "cameras": "move" (to the new store, with areas and lines) or "detach" (they stay in the old store without a box)`,
            );
          if (cameras === 'move') await repos.cameras.moveDeviceCameras(device.id, storeId);
          else if (cameras === 'detach') await repos.cameras.detachDeviceCameras(device.id);
        }
        return repos.devices.update(device.id, {
          ...(name !== undefined ? { name } : {}),
          ...(storeId !== undefined ? { storeId } : {}),
        });
      });
      if (moving) {
        app.domain.emit('device-moved', {
          deviceId: device.id,
          fromStoreId: device.storeId,
          toStoreId: storeId,
        });
        app.domain.emit('config-changed', { deviceIds: [device.id] });
      }
      return updated;
    },
  );
}

/** A box's credential: revoke it, or remove the box. */
function revokeAndRemoveRoutes(app: App): void {
  app.post(
    '/:id/revoke',
    {
      config: managerRoute,
      schema: {
        tags,
        summary: "Revoke a box's credential: it can no longer connect until enrolled again",
        params: IdParams,
        response: { 204: Type.Null(), ...errors(401, 403, 404, 503) },
      },
    },
    async (request, reply) => {
      const device = await visibleDevice(app, caller(request), request.params.id);
      await app.repos.devices.setCredential(device.id, null);
      await brokerStep(revokedEverywhere(app, device.id), 'revoked');
      return reply.code(204).send(null);
    },
  );

  app.delete(
    '/:id',
    {
      config: managerRoute,
      schema: {
        tags,
        summary: 'Remove a box (its cameras stay, unassigned)',
        params: IdParams,
        response: { 204: Type.Null(), ...errors(401, 403, 404, 503) },
      },
    },
    async (request, reply) => {
      const device = await visibleDevice(app, caller(request), request.params.id);
      await app.repos.devices.delete(device.id);
      app.domain.emit('device-removed', { deviceId: device.id });
      await brokerStep(app.deviceAccounts.remove(device.id), 'removed');
      return reply.code(204).send(null);
    },
  );
}

const deviceRoutes: FastifyPluginAsyncTypebox = async (app) => {
  listAndGetRoutes(app);
  changeRoute(app);
  revokeAndRemoveRoutes(app);
};

/** Why a code cannot be used with this hub, before it is spent; undefined when it can. */
function codeProblem(code: string, caFingerprint: string | undefined): string | undefined {
  if (!caFingerprint) return undefined;
  const { fingerprint } = splitEnrollmentCode(code);
  if (!fingerprint)
    return 'this code carries no hub fingerprint, which only a hub started with --insecure accepts: create a new code in the dashboard and copy it whole';
  if (fingerprint !== caFingerprint)
    return "this code was made by another hub (its fingerprint is not this hub's certificate authority): create a new code in this hub's dashboard";
  return undefined;
}

/**
 * `POST /api/enroll`: a box trades a one-time code for its id, MQTT secret, the addresses it must use
 * and the hub's signing key. No token needed.
 */
export const enrollRoute: FastifyPluginAsyncTypebox<RouteOptions> = async (app, opts) => {
  const settings = opts.enrollment;
  const limitAddress = enrollLimiter(app, opts.enrollRateLimit);
  app.post(
    '/enroll',
    {
      config: publicRoute,
      schema: {
        tags: ['devices'],
        summary:
          'Enroll a box with a one-time code: returns its id, MQTT secret (shown once), the addresses it must use and the hub signing key',
        security: [],
        body: EnrollRequest,
        response: { 201: EnrollReply, ...errors(400, 409, 429, 503) },
      },
      onRequest: limitAddress,
    },
    async (request, reply) => {
      const problem = codeProblem(request.body.code, settings.tls?.caFingerprint);
      if (problem) throw badRequest(problem);
      // Addresses first: a box the hub cannot give a usable address keeps its code for another try.
      let addresses: { hubUrl: string; mqttUrl: string };
      try {
        addresses = boxAddresses(settings, { host: request.host, clientIp: request.ip });
      } catch (error) {
        if (error instanceof AddressError) throw new HttpError(409, error.message);
        throw error;
      }
      const secret = generateSecret(32);
      const credentialHash = await hashSecret(secret);
      const now = app.auth.now();
      const { device, replaced } = await createEnrolledDevice(app, request.body, {
        secret,
        credentialHash,
        now,
      });
      app.domain.emit('config-changed', { deviceIds: [device.id] });
      request.log.info(
        {
          deviceId: device.id,
          storeId: device.storeId,
          mqttUrl: addresses.mqttUrl,
          ...(replaced ? { replaces: replaced.deviceId, camerasToTakeOver: replaced.cameras } : {}),
        },
        'box enrolled',
      );
      const answer: EnrollReply = {
        deviceId: device.id,
        storeId: device.storeId,
        secret,
        hubUrl: addresses.hubUrl,
        mqtt: {
          url: addresses.mqttUrl,
          username: device.id,
          ...('ca' in settings.broker && settings.broker.ca ? { ca: settings.broker.ca } : {}),
        },
        signingKey: settings.signingKey,
        ...(replaced ? { replaced } : {}),
      };
      return reply.code(201).send(answer);
    },
  );
};

/** An enrollment hook that turns away an address after too many attempts (429). */
function enrollLimiter(
  app: EnrollApp,
  limits: RouteOptions['enrollRateLimit'],
): (request: FastifyRequest) => Promise<void> {
  const perAddress = app.createRateLimit({
    max: limits.perAddress,
    timeWindow: limits.windowMs,
    keyGenerator: (req) => `enroll-addr:${req.ip}`,
  });
  return async (request) => {
    const r = await perAddress(request);
    if (!r.isAllowed && r.isExceeded) {
      throw new HttpError(
        429,
        `too many enrollment attempts from this address; try again in ${r.ttlInSeconds} seconds`,
        {
          'retry-after': String(r.ttlInSeconds),
        },
      );
    }
  };
}

/** Spends the code and creates the box with its broker account (naming the one it replaces), all or nothing. */
async function createEnrolledDevice(
  app: EnrollApp,
  { code, name, replaces }: EnrollRequest,
  { secret, credentialHash, now }: { secret: string; credentialHash: string; now: Date },
) {
  return inTransaction(app.database.db, async (repos) => {
    const used = await repos.enrollment.consume(hashEnrollmentCode(code), { now });
    if (!used.ok) {
      throw badRequest(
        {
          unknown: 'this enrollment code is not known; check it or create a new one in the dashboard',
          used: 'this enrollment code was already used; create a new one in the dashboard',
          expired: 'this enrollment code has expired; create a new one in the dashboard',
        }[used.reason],
      );
    }
    const storeId = used.code.storeId;
    const old = replaces ? await provenOldBox(repos, replaces, storeId) : undefined;
    const count = (await repos.devices.list({ storeId })).length;
    const created = await repos.devices.create({
      storeId,
      name: name ?? old?.name ?? `Box ${count + 1}`,
      credentialHash,
      ...(old ? { replacesDeviceId: old.id } : {}),
    });
    // Taken over when the new identity first reports online (plugins/app/takeovers.ts).
    const replaced = old
      ? { deviceId: old.id, cameras: (await repos.cameras.list({ deviceId: old.id })).length }
      : undefined;
    await repos.enrollment.attachDevice(used.code.id, created.id);
    // Last in the transaction: a broker that refuses the account leaves the code unspent.
    await brokerStep(app.deviceAccounts.provision(created.id, secret), 'enrolled');
    return { device: created, replaced };
  });
}

export default deviceRoutes;
