import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Id, isLoopbackHost, NewEnrollmentCode, OpeningHours, RawRetentionDays } from '@oskartrack/protocol';
import { Type } from '@sinclair/typebox';
import { NotFoundError } from '../../db/errors.ts';
import { AddressError, hubUrlFor } from '../box-addresses.ts';
import { EnrollmentCode, errors, IdParams, Name, Store, StoreParams, Uuid } from '../schemas.ts';
import { requireStore, storeFilter } from '../scope.ts';
import { generateEnrollmentCode, hashEnrollmentCode } from '../secrets.ts';
import { adminRoute, caller, managerRoute, optionalBody, type RouteOptions } from './helpers.ts';

const Timezone = Type.String({
  minLength: 1,
  maxLength: 64,
  description: 'IANA time zone, e.g. Europe/Berlin',
});

/** The app and options as a route plugin of this file sees them. */
type App = Parameters<FastifyPluginAsyncTypebox<RouteOptions>>[0];
type Options = Parameters<FastifyPluginAsyncTypebox<RouteOptions>>[1];

const tags = ['stores'];

/** Weekly hours and closed dates in the store's time zone; null: open around the clock. */
const Hours = Type.Optional(Type.Union([OpeningHours, Type.Null()]));

/**
 * Days each visitor's detailed movements are kept; null: forever (default 400 on create). One type
 * list rather than a union: with the API's type coercion a union's null branch would take 0 as null.
 */
const Retention = Type.Optional(
  Type.Unsafe<number | null>({ ...RawRetentionDays, type: ['integer', 'null'] }),
);

/** Stores: list and create. */
function listAndCreateRoutes(app: App): void {
  app.get(
    '/',
    {
      schema: {
        tags,
        summary: 'The stores you can see',
        response: { 200: Type.Array(Store), ...errors(401) },
      },
    },
    async (request) => {
      const ids = storeFilter(caller(request), undefined);
      return app.repos.stores.list(ids ? { ids } : {});
    },
  );

  app.post(
    '/',
    {
      config: adminRoute,
      schema: {
        tags,
        summary: 'Create a store (administrators)',
        body: Type.Object({
          id: Type.Optional(Id),
          name: Name,
          timezone: Type.Optional(Timezone),
          openingHours: Hours,
          rawRetentionDays: Retention,
        }),
        response: { 201: Store, ...errors(400, 401, 403, 409) },
      },
    },
    async (request, reply) => reply.code(201).send(await app.repos.stores.create(request.body)),
  );
}

/** One store: read, change, delete. */
function oneStoreRoutes(app: App): void {
  app.get(
    '/:id',
    {
      schema: { tags, summary: 'One store', params: IdParams, response: { 200: Store, ...errors(401, 404) } },
    },
    async (request) => {
      requireStore(caller(request), request.params.id);
      return app.repos.stores.get(request.params.id);
    },
  );

  app.patch(
    '/:id',
    {
      config: managerRoute,
      schema: {
        tags,
        summary: 'Rename a store, change its time zone, opening hours or how long detailed data is kept',
        params: IdParams,
        body: Type.Object({
          name: Type.Optional(Name),
          timezone: Type.Optional(Timezone),
          openingHours: Hours,
          rawRetentionDays: Retention,
        }),
        response: { 200: Store, ...errors(400, 401, 403, 404) },
      },
    },
    async (request) => {
      requireStore(caller(request), request.params.id);
      const store = await app.repos.stores.update(request.params.id, request.body);
      app.domain.emit('store-changed', { storeId: store.id });
      return store;
    },
  );

  app.delete(
    '/:id',
    {
      config: adminRoute,
      schema: {
        tags,
        summary: 'Delete a store and everything in it (administrators)',
        params: IdParams,
        response: { 204: Type.Null(), ...errors(401, 403, 404) },
      },
    },
    async (request, reply) => {
      await app.repos.stores.delete(request.params.id);
      app.domain.emit('store-changed', { storeId: request.params.id });
      return reply.code(204).send(null);
    },
  );
}

// Enrollment codes: a new box joins a store with a one-time code (see POST /api/enroll).
/** A store's enrollment codes: list and create. */
function listAndCreateCodeRoutes(app: App, opts: Options): void {
  app.get(
    '/:storeId/enrollment-codes',
    {
      config: managerRoute,
      schema: {
        tags: ['devices'],
        summary: "A store's unused enrollment codes (the codes themselves are never shown again)",
        params: StoreParams,
        querystring: Type.Object({
          all: Type.Optional(Type.Boolean({ description: 'include used and expired' })),
        }),
        response: { 200: Type.Array(EnrollmentCode), ...errors(401, 403, 404) },
      },
    },
    async (request) => {
      requireStore(caller(request), request.params.storeId);
      await app.repos.stores.get(request.params.storeId);
      return app.repos.enrollment.list(request.params.storeId, {
        includeUsedAndExpired: request.query.all === true,
        now: app.auth.now(),
      });
    },
  );

  app.post(
    '/:storeId/enrollment-codes',
    {
      config: managerRoute,
      schema: {
        tags: ['devices'],
        summary: 'Create a one-time enrollment code for a new box (shown only in this answer)',
        params: StoreParams,
        body: Type.Object({
          ttlMinutes: Type.Optional(Type.Integer({ minimum: 1, maximum: 7 * 24 * 60, default: 60 })),
        }),
        response: {
          201: NewEnrollmentCode,
          ...errors(400, 401, 403, 404),
        },
      },
      preValidation: optionalBody,
    },
    async (request, reply) => {
      const p = caller(request);
      requireStore(p, request.params.storeId);
      const secret = generateEnrollmentCode();
      // The box checks the hub's CA against the fingerprint in the code: it then talks to this hub only.
      const fingerprint = opts.enrollment.tls?.caFingerprint;
      const code = fingerprint ? `${secret}-${fingerprint}` : secret;
      const row = await app.repos.enrollment.create({
        storeId: request.params.storeId,
        codeHash: hashEnrollmentCode(secret),
        expiresAt: new Date(app.auth.clock() + (request.body.ttlMinutes ?? 60) * 60_000),
        createdBy: p.userId,
      });
      const hub = enrollHubUrl(opts, request.host);
      return reply.code(201).send({
        id: row.id,
        storeId: row.storeId,
        code,
        expiresAt: row.expiresAt,
        // --no: never fetch a package of that name from the registry (it would get the code).
        command: `npx --no oskartrack-agent enroll --hub ${hub.url} --code ${code}`,
        hubUrl: hub.url,
        ...(hub.warning ? { hubUrlWarning: hub.warning } : {}),
      });
    },
  );
}

/** Withdraw an enrollment code. */
function withdrawCodeRoute(app: App): void {
  app.delete(
    '/:storeId/enrollment-codes/:id',
    {
      config: managerRoute,
      schema: {
        tags: ['devices'],
        summary: 'Withdraw an enrollment code',
        params: Type.Object({ storeId: Id, id: Uuid }),
        response: { 204: Type.Null(), ...errors(401, 403, 404) },
      },
    },
    async (request, reply) => {
      requireStore(caller(request), request.params.storeId);
      const code = await app.repos.enrollment.find(request.params.id);
      if (!code || code.storeId !== request.params.storeId)
        throw new NotFoundError('enrollment code', request.params.id);
      await app.repos.enrollment.delete(code.id);
      return reply.code(204).send(null);
    },
  );
}

const SET_PUBLIC_URL =
  'start the hub with --public-url https://<name or address the boxes reach>:<port> (or set OSKARTRACK_PUBLIC_URL) and make a new code';

/**
 * The hub address a new box should use: the public URL, else the address this browser called. A
 * loopback address works only for a box on the hub's own machine, which the warning says.
 */
function enrollHubUrl(opts: Options, host: string): { url: string; warning?: string } {
  try {
    const url = hubUrlFor(opts.enrollment, host);
    if (!isLoopbackHost(new URL(url).hostname)) return { url };
    return {
      url,
      warning: `${url} reaches the hub only from the hub's own machine; for a box on another machine, ${SET_PUBLIC_URL}`,
    };
  } catch (error) {
    if (!(error instanceof AddressError)) throw error;
    return {
      url: 'https://HUB-ADDRESS:PORT',
      warning: `this hub does not know the address boxes reach it at: ${SET_PUBLIC_URL}`,
    };
  }
}

const storeRoutes: FastifyPluginAsyncTypebox<RouteOptions> = async (app, opts) => {
  listAndCreateRoutes(app);
  oneStoreRoutes(app);
  listAndCreateCodeRoutes(app, opts);
  withdrawCodeRoute(app);
};

export default storeRoutes;
