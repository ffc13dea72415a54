import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { LoginAnswer, Me, PasswordChange, Tokens } from '@oskartrack/protocol';
import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { badRequest, HttpError, unauthorized } from '../errors.ts';
import { admitPasswordAttempt, formatWait } from '../login-limits.ts';
import { errors } from '../schemas.ts';
import { hashSecret, verifySecret } from '../secrets.ts';
import { checkPassword } from '../users-command.ts';
import { caller, optionalBody, publicRoute, type RouteOptions, unchangedAnswers } from './helpers.ts';

// A real argon2id hash, so a login for an unknown name takes as long as one with a wrong password.
const DUMMY_HASH = hashSecret('oskartrack-no-such-user');

/** The app as a route plugin of this file sees it. */
type App = Parameters<FastifyPluginAsyncTypebox<RouteOptions>>[0];
type Limits = RouteOptions['loginRateLimit'];
type LimitAddress = (request: FastifyRequest) => Promise<void>;

/** A hook that turns away an address after too many password attempts (429). */
function addressLimiter(app: App, limits: Limits): LimitAddress {
  // Password spraying: many names from one address. The per-name limit is per (name, address) pair
  // (admitPasswordAttempt), so nobody can lock a user out from the user's own address.
  const perAddress = app.createRateLimit({
    max: limits.perAddress,
    timeWindow: limits.windowMs,
    keyGenerator: (req) => `login-addr:${req.ip}`,
  });
  return async function limitAddress(request: FastifyRequest): Promise<void> {
    const r = await perAddress(request);
    if (r.isAllowed || !r.isExceeded) return;
    throw new HttpError(
      429,
      `too many sign-in attempts from this address; try again in ${formatWait(r.ttlInSeconds)}`,
      { 'retry-after': String(r.ttlInSeconds) },
    );
  };
}

/** POST /login */
function loginRoute(app: App, limits: Limits, limitAddress: LimitAddress): void {
  app.post(
    '/login',
    {
      config: { ...publicRoute, ...unchangedAnswers },
      schema: {
        tags: ['accounts'],
        summary: 'Sign in: an access token (short-lived) and a refresh token',
        security: [],
        body: Type.Object({
          name: Type.String({ minLength: 1, maxLength: 64 }),
          password: Type.String({ minLength: 1, maxLength: 256 }),
        }),
        response: { 200: LoginAnswer, ...errors(400, 401, 429) },
      },
      onRequest: limitAddress,
      preHandler: async (request) =>
        admitPasswordAttempt(app, { name: request.body.name, address: request.ip }, limits),
    },
    async (request) => {
      const { name, password } = request.body;
      const user = await app.repos.users.findForLogin(name);
      let ok = false;
      if (user) ok = await verifySecret(user.passwordHash, password);
      else await verifySecret(await DUMMY_HASH, password);
      if (!user || !ok) throw unauthorized('wrong user name or password');
      await app.repos.loginAttempts.clear({ name, address: request.ip });
      if (user.disabled) throw unauthorized('this account is disabled; ask an administrator');
      await app.repos.users.recordLogin(user.id, app.auth.now());
      const tokens = await app.auth.startSession(user.id, request);
      const storeIds = await app.repos.users.storeIds(user.id);
      return { ...tokens, user: { id: user.id, name: user.name, role: user.role, storeIds } };
    },
  );
}

/** Refresh tokens, sign out, who is signed in. */
function sessionRoutes(app: App): void {
  app.post(
    '/refresh',
    {
      config: { ...publicRoute, ...unchangedAnswers },
      schema: {
        tags: ['accounts'],
        summary: 'Swap a refresh token for new tokens (the old refresh token stops working)',
        security: [],
        body: Type.Object({ refreshToken: Type.String({ minLength: 1, maxLength: 200 }) }),
        response: { 200: Tokens, ...errors(400, 401) },
      },
    },
    async (request) => app.auth.refresh(request.body.refreshToken),
  );

  app.post(
    '/logout',
    {
      config: unchangedAnswers,
      schema: {
        tags: ['accounts'],
        summary: 'Sign out this session (or every session of the user)',
        body: Type.Object({ everywhere: Type.Optional(Type.Boolean()) }),
        response: { 204: Type.Null(), ...errors(401) },
      },
      preValidation: optionalBody,
    },
    async (request, reply) => {
      await app.auth.endSession(caller(request), request.body.everywhere === true);
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/me',
    {
      schema: { tags: ['accounts'], summary: 'Who is signed in', response: { 200: Me, ...errors(401) } },
    },
    async (request) => {
      const p = caller(request);
      return { id: p.userId, name: p.name, role: p.role, storeIds: [...p.storeIds] };
    },
  );
}

/** POST /password */
function passwordRoute(app: App, limits: Limits, limitAddress: LimitAddress): void {
  app.post(
    '/password',
    {
      schema: {
        tags: ['accounts'],
        summary: 'Change your own password (signs out your other sessions)',
        description:
          'The current password is checked first; the new one follows the rules for new users. This session stays signed in; every other session of the user ends.',
        body: PasswordChange,
        response: { 204: Type.Null(), ...errors(400, 401, 429) },
      },
      preHandler: async (request) => {
        await limitAddress(request);
        await admitPasswordAttempt(app, { name: caller(request).name, address: request.ip }, limits);
      },
    },
    async (request, reply) => {
      const p = caller(request);
      const user = await app.repos.users.findForLogin(p.name);
      if (!user || !(await verifySecret(user.passwordHash, request.body.currentPassword))) {
        // 400, not 401: the caller is signed in, and a 401 would make the dashboard sign them out.
        throw badRequest('the current password is wrong: type the password you signed in with');
      }
      await app.repos.loginAttempts.clear({ name: p.name, address: request.ip });
      checkPassword(request.body.newPassword);
      await app.repos.users.update(p.userId, { passwordHash: await hashSecret(request.body.newPassword) });
      await app.repos.sessions.revokeAllForUser(p.userId, app.auth.now(), p.sessionId);
      return reply.code(204).send(null);
    },
  );
}

const authRoutes: FastifyPluginAsyncTypebox<RouteOptions> = async (app, opts) => {
  const limits = opts.loginRateLimit;
  const limitAddress = addressLimiter(app, limits);
  loginRoute(app, limits, limitAddress);
  sessionRoutes(app);
  passwordRoute(app, limits, limitAddress);
};

export default authRoutes;
