/** Visitors (anonymous profiles), their visits, and the raw events. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { CustomerPage, Id } from '@oskartrack/protocol';
import { Type } from '@sinclair/typebox';
import { NotFoundError } from '../../db/errors.ts';
import {
  Cursor,
  Customer,
  DateTime,
  EventKind,
  errors,
  Limit,
  Page,
  Range,
  StoredEvent,
  Uuid,
  UuidParams,
  Visit,
  VisitDetail,
} from '../schemas.ts';
import { requireStore } from '../scope.ts';
import { cachedAnswer, caller, managerRoute, oneStore, range, toDate, visibleZone } from './helpers.ts';

/** The app as a route plugin of this file sees it. */
type App = Parameters<FastifyPluginAsyncTypebox>[0];

/** Visitors: list and search, read, erase. */
function customerRoutes(app: App): void {
  app.get(
    '/customers',
    {
      schema: {
        tags: ['visitors'],
        summary: "A store's visitors, most recently seen first; search by tracking id",
        querystring: Type.Object({
          storeId: Id,
          search: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
          from: Type.Optional(DateTime),
          to: Type.Optional(DateTime),
          limit: Type.Optional(Limit),
          offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000, default: 0 })),
        }),
        response: {
          200: CustomerPage,
          ...errors(400, 401, 404),
        },
      },
    },
    async (request) => {
      const q = request.query;
      requireStore(caller(request), q.storeId);
      const limit = q.limit ?? 100;
      const offset = q.offset ?? 0;
      const items = await app.repos.customers.list({
        storeId: q.storeId,
        limit: limit + 1,
        offset,
        ...(q.search ? { search: q.search } : {}),
        ...(q.from ? { from: toDate(q.from, 'from') } : {}),
        ...(q.to ? { to: toDate(q.to, 'to') } : {}),
      });
      return { items: items.slice(0, limit), nextOffset: items.length > limit ? offset + limit : null };
    },
  );

  app.get(
    '/customers/:id',
    {
      schema: {
        tags: ['visitors'],
        summary: 'One visitor',
        params: UuidParams,
        response: { 200: Customer, ...errors(401, 404) },
      },
    },
    async (request) => {
      const customer = await app.repos.customers.get(request.params.id);
      requireStore(caller(request), customer.storeId, 'customer', customer.id);
      return customer;
    },
  );

  app.delete(
    '/customers/:id',
    {
      config: managerRoute,
      schema: {
        tags: ['visitors'],
        summary: "Erase a visitor's profile (their visits stay, anonymous)",
        params: UuidParams,
        response: { 204: Type.Null(), ...errors(401, 403, 404) },
      },
    },
    async (request, reply) => {
      const customer = await app.repos.customers.get(request.params.id);
      requireStore(caller(request), customer.storeId, 'customer', customer.id);
      await app.repos.customers.delete(customer.id);
      return reply.code(204).send(null);
    },
  );
}

/** Visits: a page at a time, and one with its path. */
function visitRoutes(app: App): void {
  app.get(
    '/visits',
    {
      schema: {
        tags: ['visitors'],
        summary: 'Visits that started in [from, to), oldest first, a page at a time',
        querystring: Type.Object({
          ...Range,
          storeId: Type.Optional(Id),
          cameraId: Type.Optional(Id),
          customerId: Type.Optional(Uuid),
          limit: Type.Optional(Limit),
          cursor: Type.Optional(Cursor),
        }),
        response: { 200: Page(Visit), ...errors(400, 401, 404) },
      },
    },
    async (request) => {
      const q = request.query;
      const p = caller(request);
      const storeId = await oneStore(app, p, q);
      return app.repos.visits.list({
        ...range(q),
        ...(storeId ? { storeId } : {}),
        ...(q.cameraId ? { cameraId: q.cameraId } : {}),
        ...(q.customerId ? { customerId: q.customerId } : {}),
        ...(q.limit ? { limit: q.limit } : {}),
        ...(q.cursor ? { cursor: q.cursor } : {}),
      });
    },
  );

  app.get(
    '/visits/:id',
    {
      schema: {
        tags: ['visitors'],
        summary: 'One visit: its path and the time spent in each area',
        params: Type.Object({ id: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER }) }),
        response: { 200: VisitDetail, ...errors(401, 404) },
      },
    },
    async (request) => {
      const visit = await app.repos.visits.get(request.params.id);
      requireStore(caller(request), visit.storeId, 'visit', String(visit.id));
      return visit;
    },
  );
}

/** The raw events. */
function eventRoutes(app: App): void {
  app.get(
    '/events',
    {
      config: cachedAnswer,
      schema: {
        tags: ['events'],
        summary: 'Events that happened in [from, to), oldest first; filter by store, camera, area and kind',
        querystring: Type.Object({
          ...Range,
          storeId: Type.Optional(Id),
          cameraId: Type.Optional(Id),
          zoneId: Type.Optional(Id),
          kind: Type.Optional(Type.Array(EventKind, { maxItems: 6 })),
          limit: Type.Optional(Limit),
          cursor: Type.Optional(Cursor),
        }),
        response: { 200: Page(StoredEvent), ...errors(400, 401, 404) },
      },
    },
    async (request) => {
      const q = request.query;
      const p = caller(request);
      let storeId = await oneStore(app, p, q);
      if (q.zoneId) {
        const zone = await visibleZone(app, p, q.zoneId).catch((err: unknown) => {
          // An area removed since still names its events; only a visible store's events are returned.
          if (err instanceof NotFoundError && storeId) return undefined;
          throw err;
        });
        if (zone && !storeId) storeId = (await app.repos.cameras.get(zone.cameraId)).storeId;
      }
      return app.repos.events.list({
        ...range(q),
        ...(storeId ? { storeId } : {}),
        ...(q.cameraId ? { cameraId: q.cameraId } : {}),
        ...(q.zoneId ? { zoneId: q.zoneId } : {}),
        ...(q.kind ? { kinds: q.kind } : {}),
        ...(q.limit ? { limit: q.limit } : {}),
        ...(q.cursor ? { cursor: q.cursor } : {}),
      });
    },
  );
}

const peopleRoutes: FastifyPluginAsyncTypebox = async (app) => {
  customerRoutes(app);
  visitRoutes(app);
  eventRoutes(app);
};

export default peopleRoutes;
