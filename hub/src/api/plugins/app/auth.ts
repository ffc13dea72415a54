/**
 * Accounts: short-lived access tokens (JWT, HS256, 15 minutes by default) naming the user and their
 * session, and a rotating refresh token per session (`<session id>.<secret>`, only its SHA-256 kept).
 * Every request re-reads the user and session (one query): a disabled user, a changed role or a
 * logged-out session takes effect at once, not when the access token expires. On the embedded
 * database the caller is kept in this process instead (api/principal-cache.ts), dropped by every
 * request that may write, which is as exact there: no other process can write that database.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { UserRole } from '../../../db/schema.ts';
import { unauthorized } from '../../errors.ts';
import { definePlugin } from '../../plugin.ts';
import { PrincipalCache } from '../../principal-cache.ts';
import { mayWrite } from '../../request-methods.ts';
import type { Principal } from '../../scope.ts';
import { generateSecret, sha256 } from '../../secrets.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** Sign-in sessions and access-token checks. */
    auth: AuthService;
  }
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The signed-in caller; null on public routes and before authentication. */
    principal: Principal | null;
  }
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Answers without a token (health, login, refresh, enroll). Everything else needs one. */
    public?: boolean;
    /** The least role a route needs: manager routes refuse viewers, admin routes everybody else. */
    role?: UserRole;
  }
}

export interface AuthOptions {
  /** Access token lifetime (default 900 s). */
  accessTtlSeconds?: number;
  /** Refresh token lifetime, renewed on every refresh (default 14 days). */
  refreshTtlSeconds?: number;
  /** Milliseconds clock (tests move it to check expiry). */
  clock?: () => number;
  /**
   * Keep callers in this process (api/principal-cache.ts). Default: on the embedded database only,
   * where this process makes every change; with PostgreSQL another hub or the `users` command may
   * change a user or end a session, and each request reads them (docs/architecture.md).
   */
  keepPrincipals?: boolean;
}

export interface TokenPair {
  accessToken: string;
  tokenType: 'Bearer';
  /** Seconds until the access token expires. */
  expiresIn: number;
  expiresAt: Date;
  refreshToken: string;
  refreshExpiresAt: Date;
}

interface AccessClaims {
  sub: string;
  sid: string;
  typ: 'access';
  iat: number;
  exp: number;
}

export class AuthService {
  readonly accessTtlSeconds: number;
  readonly refreshTtlSeconds: number;
  readonly clock: () => number;
  /** Callers kept in this process; undefined: every request reads its user and session. */
  readonly principals: PrincipalCache | undefined;

  constructor(
    private readonly app: FastifyInstance,
    options: AuthOptions = {},
  ) {
    this.accessTtlSeconds = options.accessTtlSeconds ?? 900;
    this.refreshTtlSeconds = options.refreshTtlSeconds ?? 14 * 24 * 3600;
    this.clock = options.clock ?? Date.now;
    const keep = options.keepPrincipals ?? app.database.kind === 'pglite';
    this.principals = keep ? new PrincipalCache() : undefined;
  }

  now(): Date {
    return new Date(this.clock());
  }

  /** Checks an access token (from a header, or the live feed's `?token=`) and returns its caller. */
  async verifyAccessToken(token: string): Promise<Principal> {
    let claims: AccessClaims;
    try {
      claims = this.app.jwt.verify<AccessClaims>(token, { clockTimestamp: this.clock() });
    } catch (err) {
      if ((err as { code?: string }).code === 'FAST_JWT_EXPIRED') {
        throw unauthorized('your access token has expired; refresh it or sign in again');
      }
      throw unauthorized('the access token is not valid; sign in again');
    }
    if (claims.typ !== 'access' || typeof claims.sub !== 'string' || typeof claims.sid !== 'string') {
      throw unauthorized('the access token is not valid; sign in again');
    }
    const now = this.now();
    const read = () => this.app.repos.sessions.principal(claims.sub, claims.sid, now);
    const p = this.principals ? await this.principals.read(claims.sub, claims.sid, now, read) : await read();
    if (!p) throw unauthorized('your session has ended; sign in again');
    if (p.disabled) throw unauthorized('this account is disabled; ask an administrator');
    const storeIds = [...p.storeIds];
    return { userId: p.userId, name: p.name, role: p.role, storeIds, sessionId: claims.sid };
  }

  /** Reads `Authorization: Bearer <token>`, sets `request.principal`. */
  async authenticate(request: FastifyRequest): Promise<Principal> {
    const header = request.headers.authorization;
    if (!header) throw unauthorized();
    const m = /^Bearer\s+([A-Za-z0-9_.-]+)\s*$/i.exec(header);
    if (!m) throw unauthorized('send the access token as "Authorization: Bearer <token>"');
    const principal = await this.verifyAccessToken(m[1]!);
    request.principal = principal;
    return principal;
  }

  private accessToken(userId: string, sessionId: string): { token: string; expiresAt: Date } {
    const iat = Math.floor(this.clock() / 1000);
    const exp = iat + this.accessTtlSeconds;
    const claims: AccessClaims = { sub: userId, sid: sessionId, typ: 'access', iat, exp };
    return { token: this.app.jwt.sign(claims), expiresAt: new Date(exp * 1000) };
  }

  /** A new session after a successful login. */
  async startSession(userId: string, request: FastifyRequest): Promise<TokenPair> {
    const secret = generateSecret(32);
    const refreshExpiresAt = new Date(this.clock() + this.refreshTtlSeconds * 1000);
    const session = await this.app.repos.sessions.create({
      userId,
      refreshHash: sha256(secret),
      expiresAt: refreshExpiresAt,
      userAgent: request.headers['user-agent'] ?? null,
      address: request.ip,
    });
    const access = this.accessToken(userId, session.id);
    return {
      accessToken: access.token,
      tokenType: 'Bearer',
      expiresIn: this.accessTtlSeconds,
      expiresAt: access.expiresAt,
      refreshToken: `${session.id}.${secret}`,
      refreshExpiresAt,
    };
  }

  /**
   * Swaps a refresh token for a new pair; the old refresh token stops working. Presenting an old one
   * again ends the session (it was copied).
   */
  async refresh(refreshToken: string): Promise<TokenPair> {
    const m = /^([0-9a-f-]{36})\.([A-Za-z0-9_-]{20,100})$/.exec(refreshToken);
    if (!m) throw unauthorized('the refresh token is not valid; sign in again');
    const [, sessionId, secret] = m as unknown as [string, string, string];
    const next = generateSecret(32);
    const refreshExpiresAt = new Date(this.clock() + this.refreshTtlSeconds * 1000);
    const r = await this.app.repos.sessions.rotate(sessionId, sha256(secret), sha256(next), {
      now: this.now(),
      expiresAt: refreshExpiresAt,
    });
    if (!r.ok) {
      const why = {
        unknown: 'the refresh token is not valid; sign in again',
        revoked: 'this session was signed out; sign in again',
        expired: 'this session has expired; sign in again',
        reused: 'this refresh token was already used, so the session was ended for safety; sign in again',
      }[r.reason];
      throw unauthorized(why);
    }
    const p = await this.app.repos.sessions.principal(r.session.userId, sessionId, this.now());
    if (!p || p.disabled) {
      await this.app.repos.sessions.revoke(sessionId, this.now());
      throw unauthorized('this account is disabled; ask an administrator');
    }
    const access = this.accessToken(r.session.userId, sessionId);
    return {
      accessToken: access.token,
      tokenType: 'Bearer',
      expiresIn: this.accessTtlSeconds,
      expiresAt: access.expiresAt,
      refreshToken: `${sessionId}.${next}`,
      refreshExpiresAt,
    };
  }

  /** Ends the caller's session, or all of the user's sessions. */
  async endSession(principal: Principal, everywhere = false): Promise<void> {
    if (everywhere) await this.app.repos.sessions.revokeAllForUser(principal.userId, this.now());
    else await this.app.repos.sessions.revoke(principal.sessionId, this.now());
  }
}

export default definePlugin<AuthOptions>(
  'auth',
  async (app, opts) => {
    const auth = new AuthService(app, opts);
    app.decorate('auth', auth);
    app.decorateRequest('principal', null);
    const principals = auth.principals;
    if (principals) {
      // Any request that may write users, sessions or store lists (a refused refresh may end a
      // session; deleting a store shortens store lists), before its answer leaves; onResponse again
      // for one whose answer never got that far.
      const forget = async (request: FastifyRequest) => {
        if (mayWrite(request.method)) principals.changed();
      };
      app.addHook('onSend', async (request, _reply, payload) => {
        await forget(request);
        return payload;
      });
      app.addHook('onResponse', forget);
    }
  },
  { dependencies: ['jwt', 'repositories', 'database'] },
);
