import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveJwtSecret, weakSecretReason } from '../../src/api/jwt-secret.ts';
import { verifySecret } from '../../src/api/secrets.ts';
import { ensureFirstAdmin, readPassword, usersCreateCommand } from '../../src/api/users-command.ts';
import { buildApp } from '../../src/app.ts';
import { BACKENDS, openTestDatabase, uid } from '../db/backends.ts';
import { type Fixture, openFixture, PASSWORD } from './fixture.ts';

describe.each(BACKENDS)('accounts on %s', (kind) => {
  let f: Fixture;
  beforeAll(async () => {
    f = await openFixture(kind, { auth: { accessTtlSeconds: 60 } });
  });
  afterAll(async () => {
    await f?.close();
  });

  /** A fresh access token (the clock moves in some tests, so the fixture's may have expired). */
  const token = async (name: string) => (await f.login(name)).json().accessToken as string;

  it('signs in, answers /me, refuses a wrong password or unknown user with the same message', async () => {
    const r = await f.login(f.names.viewerA);
    expect(r.statusCode).toBe(200);
    const body = r.json();
    expect(body).toMatchObject({
      tokenType: 'Bearer',
      expiresIn: 60,
      user: { name: f.names.viewerA, role: 'viewer' },
    });
    expect(body.user.storeIds).toEqual([f.a.store.id]);
    const me = await f.inject(body.accessToken, { method: 'GET', url: '/api/auth/me' });
    expect(me.json()).toMatchObject({ name: f.names.viewerA, role: 'viewer', storeIds: [f.a.store.id] });

    const wrong = await f.login(f.names.viewerA, 'not-the-password');
    const unknown = await f.login(`nobody-${uid()}`, 'not-the-password');
    expect(wrong.statusCode).toBe(401);
    expect(unknown.statusCode).toBe(401);
    expect(wrong.json().message).toBe('wrong user name or password');
    expect(unknown.json().message).toBe(wrong.json().message);
  });

  it('expires access tokens; refresh rotates the refresh token and detects reuse', async () => {
    const first = (await f.login(f.names.managerA)).json();
    f.advance(61_000);
    const expired = await f.inject(first.accessToken, { method: 'GET', url: '/api/auth/me' });
    expect(expired.statusCode).toBe(401);
    expect(expired.json().message).toMatch(/expired/);

    const refreshed = await f.app.inject({
      method: 'POST',
      url: '/api/auth/refresh',
      payload: { refreshToken: first.refreshToken },
    });
    expect(refreshed.statusCode).toBe(200);
    const second = refreshed.json();
    expect(second.refreshToken).not.toBe(first.refreshToken);
    expect((await f.inject(second.accessToken, { method: 'GET', url: '/api/auth/me' })).statusCode).toBe(200);

    // The old refresh token again: a copy was used, so the whole session ends.
    const reused = await f.app.inject({
      method: 'POST',
      url: '/api/auth/refresh',
      payload: { refreshToken: first.refreshToken },
    });
    expect(reused.statusCode).toBe(401);
    expect(reused.json().message).toMatch(/already used/);
    expect((await f.inject(second.accessToken, { method: 'GET', url: '/api/auth/me' })).statusCode).toBe(401);
    const after = await f.app.inject({
      method: 'POST',
      url: '/api/auth/refresh',
      payload: { refreshToken: second.refreshToken },
    });
    expect(after.statusCode).toBe(401);

    const garbage = await f.app.inject({
      method: 'POST',
      url: '/api/auth/refresh',
      payload: { refreshToken: 'x.y' },
    });
    expect(garbage.statusCode).toBe(401);
  });

  it('logout ends the session at once: its access and refresh tokens stop working', async () => {
    const s = (await f.login(f.names.viewerA)).json();
    const other = (await f.login(f.names.viewerA)).json();
    const out = await f.inject(s.accessToken, { method: 'POST', url: '/api/auth/logout' });
    expect(out.statusCode).toBe(204);
    expect((await f.inject(s.accessToken, { method: 'GET', url: '/api/auth/me' })).statusCode).toBe(401);
    const refresh = await f.app.inject({
      method: 'POST',
      url: '/api/auth/refresh',
      payload: { refreshToken: s.refreshToken },
    });
    expect(refresh.statusCode).toBe(401);
    // Other sessions go on, until "everywhere".
    expect((await f.inject(other.accessToken, { method: 'GET', url: '/api/auth/me' })).statusCode).toBe(200);
    await f.inject(other.accessToken, {
      method: 'POST',
      url: '/api/auth/logout',
      payload: { everywhere: true },
    });
    expect((await f.inject(other.accessToken, { method: 'GET', url: '/api/auth/me' })).statusCode).toBe(401);
  });

  it('refuses a disabled user at once, at login and at refresh', async () => {
    const name = `temp-${uid()}`;
    const admin = await token(f.names.admin);
    const created = await f.inject(admin, {
      method: 'POST',
      url: '/api/users',
      payload: { name, password: PASSWORD, role: 'viewer', storeIds: [f.a.store.id] },
    });
    expect(created.statusCode).toBe(201);
    const id = created.json().id;
    const s = (await f.login(name)).json();
    const disable = await f.inject(admin, {
      method: 'PATCH',
      url: `/api/users/${id}`,
      payload: { disabled: true },
    });
    expect(disable.statusCode).toBe(200);
    expect(disable.json()).toMatchObject({ disabled: true, storeIds: [f.a.store.id] });
    expect((await f.inject(s.accessToken, { method: 'GET', url: '/api/auth/me' })).statusCode).toBe(401);
    const refresh = await f.app.inject({
      method: 'POST',
      url: '/api/auth/refresh',
      payload: { refreshToken: s.refreshToken },
    });
    expect(refresh.statusCode).toBe(401);
    const login = await f.login(name);
    expect(login.statusCode).toBe(401);
    expect(login.json().message).toMatch(/disabled/);
    // The last administrator cannot be disabled.
    const me = (await f.inject(admin, { method: 'GET', url: '/api/auth/me' })).json();
    const users = (await f.inject(admin, { method: 'GET', url: '/api/users' })).json() as {
      id: string;
      role: string;
    }[];
    expect(users.filter((u) => u.role === 'admin')).toHaveLength(1);
    const self = await f.inject(admin, {
      method: 'PATCH',
      url: `/api/users/${me.id}`,
      payload: { disabled: true },
    });
    expect(self.statusCode).toBe(409);
  });

  it('administers users: create, list, assign stores, change role, passwords, delete', async () => {
    const name = `clerk-${uid()}`;
    const admin = await token(f.names.admin);
    const short = await f.inject(admin, {
      method: 'POST',
      url: '/api/users',
      payload: { name, password: 'short', role: 'viewer' },
    });
    expect(short.statusCode).toBe(400);
    expect(short.json().message).toMatch(/at least 10 characters/);
    const badStore = await f.inject(admin, {
      method: 'POST',
      url: '/api/users',
      payload: { name, password: PASSWORD, role: 'viewer', storeIds: ['no-such-store'] },
    });
    expect(badStore.statusCode).toBe(404);
    const user = (
      await f.inject(admin, {
        method: 'POST',
        url: '/api/users',
        payload: { name, password: PASSWORD, role: 'viewer' },
      })
    ).json();
    expect(user).not.toHaveProperty('passwordHash');
    const dup = await f.inject(admin, {
      method: 'POST',
      url: '/api/users',
      payload: { name, password: PASSWORD, role: 'viewer' },
    });
    expect(dup.statusCode).toBe(409);

    const assigned = await f.inject(admin, {
      method: 'PUT',
      url: `/api/users/${user.id}/stores`,
      payload: { storeIds: [f.b.store.id] },
    });
    expect(assigned.json().storeIds).toEqual([f.b.store.id]);
    const userToken = (await f.login(name)).json().accessToken;
    const stores = (await f.inject(userToken, { method: 'GET', url: '/api/stores' })).json() as {
      id: string;
    }[];
    expect(stores.map((s) => s.id)).toEqual([f.b.store.id]);

    // Promoted to manager: takes effect on the next request, same token.
    await f.inject(admin, { method: 'PATCH', url: `/api/users/${user.id}`, payload: { role: 'manager' } });
    const rename = await f.inject(userToken, {
      method: 'PATCH',
      url: `/api/stores/${f.b.store.id}`,
      payload: { name: 'Beta renamed' },
    });
    expect(rename.statusCode).toBe(200);

    // Own password change: old password refused afterwards, this session stays, other sessions end
    // (installer.test.ts checks the other sessions).
    const wrong = await f.inject(userToken, {
      method: 'POST',
      url: '/api/auth/password',
      payload: { currentPassword: 'nope-nope-nope', newPassword: 'a-new-password-1' },
    });
    expect(wrong.statusCode).toBe(400);
    const changed = await f.inject(userToken, {
      method: 'POST',
      url: '/api/auth/password',
      payload: { currentPassword: PASSWORD, newPassword: 'a-new-password-1' },
    });
    expect(changed.statusCode).toBe(204);
    expect((await f.inject(userToken, { method: 'GET', url: '/api/auth/me' })).statusCode).toBe(200);
    expect((await f.login(name)).statusCode).toBe(401);
    expect((await f.login(name, 'a-new-password-1')).statusCode).toBe(200);

    const del = await f.inject(admin, { method: 'DELETE', url: `/api/users/${user.id}` });
    expect(del.statusCode).toBe(204);
    expect((await f.inject(admin, { method: 'GET', url: `/api/users/${user.id}` })).statusCode).toBe(404);
  });

  // Sign-in limits (per address, and per user name and address): login-limits.test.ts.
});

describe('accounts outside the API', () => {
  it('creates the first admin once with a random password, and users from the CLI with stdin', async () => {
    const t = await openTestDatabase('pglite');
    try {
      const lines: string[] = [];
      const log = { info: () => {}, warn: () => {} };
      const first = await ensureFirstAdmin(t.repos, log, { print: (l) => lines.push(l) });
      expect(first?.name).toBe('admin');
      expect(first!.password.length).toBeGreaterThanOrEqual(20);
      expect(lines.join('\n')).toContain(first!.password);
      const stored = await t.repos.users.findForLogin('admin');
      expect(stored?.role).toBe('admin');
      expect(stored!.passwordHash).toMatch(/^\$argon2id\$/);
      expect(await verifySecret(stored!.passwordHash, first!.password)).toBe(true);
      expect(await ensureFirstAdmin(t.repos, log, { print: (l) => lines.push(l) })).toBeUndefined();

      const user = await usersCreateCommand(
        t.repos,
        { name: 'clerk', role: 'viewer' },
        Readable.from(['a-long-pass', 'word\nrest']),
      );
      expect(user.role).toBe('viewer');
      const clerk = await t.repos.users.findForLogin('clerk');
      expect(await verifySecret(clerk!.passwordHash, 'a-long-password')).toBe(true);
      await expect(
        usersCreateCommand(t.repos, { name: 'x', role: 'boss' }, Readable.from(['pw\n'])),
      ).rejects.toThrow(/role/);
      await expect(
        usersCreateCommand(t.repos, { name: 'y', role: 'viewer' }, Readable.from(['short\n'])),
      ).rejects.toThrow(/at least/);
      expect(await readPassword(Readable.from(['no newline']))).toBe('no newline');
    } finally {
      await t.close();
    }
  });

  it('generates the JWT secret into the data folder (mode 600) and refuses placeholders in production', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'oskartrack-secret-'));
    try {
      const s1 = resolveJwtSecret({ dataDir, jwtSecret: undefined, environment: 'production' });
      expect(s1.length).toBeGreaterThanOrEqual(32);
      const file = join(dataDir, 'jwt-secret');
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(readFileSync(file, 'utf8').trim()).toBe(s1);
      expect(resolveJwtSecret({ dataDir, jwtSecret: undefined, environment: 'production' })).toBe(s1);

      for (const weak of [
        'changeme',
        'secret',
        'short-but-random-1',
        'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
      ]) {
        expect(weakSecretReason(weak)).toBeDefined();
        expect(() => resolveJwtSecret({ dataDir, jwtSecret: weak, environment: 'production' })).toThrow(
          /unsafe/,
        );
      }
      const warnings: string[] = [];
      const dev = resolveJwtSecret(
        { dataDir, jwtSecret: 'changeme', environment: 'development' },
        { warn: (m) => warnings.push(m), info: () => {} },
      );
      expect(dev).toBe('changeme');
      expect(warnings[0]).toMatch(/placeholder/);

      const t = await openTestDatabase('pglite');
      try {
        await expect(
          buildApp({
            settings: {
              databaseUrl: undefined,
              databaseSchema: undefined,
              dataDir,
              jwtSecret: 'change-me-please',
              environment: 'production',
            },
            db: t.handle,
          }),
        ).rejects.toThrow(/unsafe/);
      } finally {
        await t.close();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
