import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Id } from '@oskartrack/protocol';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { NotFoundError } from '../../db/errors.ts';
import type { User as UserRow } from '../../db/repositories/index.ts';
import { conflict } from '../errors.ts';
import { errors, Role, User, UuidParams } from '../schemas.ts';
import { hashSecret } from '../secrets.ts';
import { checkPassword, createUser } from '../users-command.ts';
import { adminRoute, caller } from './helpers.ts';

async function withStores(app: FastifyInstance, user: UserRow) {
  return { ...user, storeIds: await app.repos.users.storeIds(user.id) };
}

async function checkStores(app: FastifyInstance, storeIds: readonly string[]): Promise<void> {
  for (const id of new Set(storeIds))
    if (!(await app.repos.stores.find(id))) throw new NotFoundError('store', id);
}

/** The app as a route plugin of this file sees it. */
type App = Parameters<FastifyPluginAsyncTypebox>[0];

const tags = ['accounts'];

/** Users: list and create. */
function listAndCreateRoutes(app: App): void {
  app.get(
    '/',
    {
      config: adminRoute,
      schema: { tags, summary: 'All users', response: { 200: Type.Array(User), ...errors(401, 403) } },
    },
    async () => Promise.all((await app.repos.users.list()).map((u) => withStores(app, u))),
  );

  app.post(
    '/',
    {
      config: adminRoute,
      schema: {
        tags,
        summary: 'Create a user',
        body: Type.Object({
          name: Type.String({ minLength: 1, maxLength: 64 }),
          password: Type.String({ minLength: 1, maxLength: 256 }),
          role: Role,
          storeIds: Type.Optional(Type.Array(Id, { maxItems: 1000 })),
        }),
        response: { 201: User, ...errors(400, 401, 403, 409) },
      },
    },
    async (request, reply) => {
      const b = request.body;
      if (b.storeIds) await checkStores(app, b.storeIds);
      const user = await createUser(app.repos, {
        name: b.name,
        password: b.password,
        role: b.role,
        ...(b.storeIds ? { storeIds: [...new Set(b.storeIds)] } : {}),
      });
      return reply.code(201).send(await withStores(app, user));
    },
  );
}

/** One user: read and change. */
function oneUserRoutes(app: App): void {
  app.get(
    '/:id',
    {
      config: adminRoute,
      schema: {
        tags,
        summary: 'One user',
        params: UuidParams,
        response: { 200: User, ...errors(401, 403, 404) },
      },
    },
    async (request) => withStores(app, await app.repos.users.get(request.params.id)),
  );

  app.patch(
    '/:id',
    {
      config: adminRoute,
      schema: {
        tags,
        summary: 'Change a user: role, disabled, password (ends their sessions)',
        params: UuidParams,
        body: Type.Object({
          role: Type.Optional(Role),
          disabled: Type.Optional(Type.Boolean()),
          password: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })),
        }),
        response: { 200: User, ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (request) => {
      const b = request.body;
      if (b.password !== undefined) checkPassword(b.password);
      const user = await app.repos.users.update(request.params.id, {
        ...(b.role !== undefined ? { role: b.role } : {}),
        ...(b.disabled !== undefined ? { disabled: b.disabled } : {}),
        ...(b.password !== undefined ? { passwordHash: await hashSecret(b.password) } : {}),
      });
      if (b.disabled === true || b.password !== undefined) {
        await app.repos.sessions.revokeAllForUser(user.id, app.auth.now());
      }
      return withStores(app, user);
    },
  );
}

/** A user's stores, and deleting a user. */
function storesAndDeleteRoutes(app: App): void {
  app.put(
    '/:id/stores',
    {
      config: adminRoute,
      schema: {
        tags,
        summary: 'Replace the stores a manager or viewer may see',
        params: UuidParams,
        body: Type.Object({ storeIds: Type.Array(Id, { maxItems: 1000 }) }),
        response: { 200: User, ...errors(400, 401, 403, 404) },
      },
    },
    async (request) => {
      await checkStores(app, request.body.storeIds);
      await app.repos.users.setStores(request.params.id, request.body.storeIds);
      return withStores(app, await app.repos.users.get(request.params.id));
    },
  );

  app.delete(
    '/:id',
    {
      config: adminRoute,
      schema: {
        tags,
        summary: 'Delete a user',
        params: UuidParams,
        response: { 204: Type.Null(), ...errors(401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      if (request.params.id === caller(request).userId) throw conflict('you cannot delete your own account');
      await app.repos.users.delete(request.params.id);
      return reply.code(204).send(null);
    },
  );
}

/** User administration: administrators only. */
const userRoutes: FastifyPluginAsyncTypebox = async (app) => {
  listAndCreateRoutes(app);
  oneUserRoutes(app);
  storesAndDeleteRoutes(app);
};

export default userRoutes;
