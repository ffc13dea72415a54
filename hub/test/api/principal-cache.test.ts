/**
 * Callers kept in the hub process (api/principal-cache.ts): every change still takes effect on the
 * next request. Each test first makes a request with the token (so its caller is kept), then changes
 * something, then asks again: without the cache's forgetting, the kept caller would answer.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PrincipalCache } from '../../src/api/principal-cache.ts';
import type { SessionPrincipal } from '../../src/db/repositories/sessions.ts';
import { BACKENDS, uid } from '../db/backends.ts';
import { type Fixture, openFixture, PASSWORD } from './fixture.ts';

describe.each(BACKENDS)('kept callers on %s', (kind) => {
  let f: Fixture;
  beforeAll(async () => {
    // Kept on both databases here (by default only on the embedded one); access tokens outlive
    // sessions, so a session's end is checked without the token's expiry getting there first.
    f = await openFixture(kind, {
      auth: { keepPrincipals: true, accessTtlSeconds: 3600, refreshTtlSeconds: 600 },
    });
  });
  afterAll(async () => {
    await f?.close();
  });

  const me = (token: string) => f.inject(token, { method: 'GET', url: '/api/auth/me' });
  const admin = async () => (await f.login(f.names.admin)).json().accessToken as string;

  /** A new viewer of store A, signed in; its caller kept by one request. */
  async function keptViewer(storeIds = [f.a.store.id]) {
    const name = `kept-${uid()}`;
    const created = await f.inject(await admin(), {
      method: 'POST',
      url: '/api/users',
      payload: { name, password: PASSWORD, role: 'viewer', storeIds },
    });
    expect(created.statusCode).toBe(201);
    const session = (await f.login(name)).json();
    expect((await me(session.accessToken)).statusCode).toBe(200);
    return { id: created.json().id as string, name, session };
  }

  it('keeps a caller: a second request with the token answers the same', async () => {
    const v = await keptViewer();
    expect(f.app.auth.principals?.size).toBeGreaterThan(0);
    expect((await me(v.session.accessToken)).json()).toMatchObject({ name: v.name, role: 'viewer' });
  });

  it('sign-out ends a kept session at once', async () => {
    const v = await keptViewer();
    const out = await f.inject(v.session.accessToken, { method: 'POST', url: '/api/auth/logout' });
    expect(out.statusCode).toBe(204);
    expect((await me(v.session.accessToken)).statusCode).toBe(401);
  });

  it('sign-out everywhere ends every kept session of the user', async () => {
    const v = await keptViewer();
    const other = (await f.login(v.name)).json();
    expect((await me(other.accessToken)).statusCode).toBe(200);
    await f.inject(v.session.accessToken, {
      method: 'POST',
      url: '/api/auth/logout',
      payload: { everywhere: true },
    });
    expect((await me(other.accessToken)).statusCode).toBe(401);
  });

  it('refuses a kept caller once disabled, or deleted', async () => {
    const token = await admin();
    const disabled = await keptViewer();
    await f.inject(token, { method: 'PATCH', url: `/api/users/${disabled.id}`, payload: { disabled: true } });
    expect((await me(disabled.session.accessToken)).statusCode).toBe(401);

    const deleted = await keptViewer();
    const del = await f.inject(token, { method: 'DELETE', url: `/api/users/${deleted.id}` });
    expect(del.statusCode).toBe(204);
    expect((await me(deleted.session.accessToken)).statusCode).toBe(401);
  });

  it('a changed role or store list, or a deleted store, shows on the next request', async () => {
    const token = await admin();
    const v = await keptViewer();
    await f.inject(token, { method: 'PATCH', url: `/api/users/${v.id}`, payload: { role: 'manager' } });
    expect((await me(v.session.accessToken)).json().role).toBe('manager');

    await f.inject(token, {
      method: 'PUT',
      url: `/api/users/${v.id}/stores`,
      payload: { storeIds: [f.b.store.id] },
    });
    expect((await me(v.session.accessToken)).json().storeIds).toEqual([f.b.store.id]);

    const store = await f.inject(token, {
      method: 'POST',
      url: '/api/stores',
      payload: { name: `Gone ${uid()}`, timezone: 'Europe/Berlin' },
    });
    expect(store.statusCode).toBe(201);
    const gone = store.json().id as string;
    await f.inject(token, {
      method: 'PUT',
      url: `/api/users/${v.id}/stores`,
      payload: { storeIds: [f.b.store.id, gone] },
    });
    expect((await me(v.session.accessToken)).json().storeIds).toContain(gone);
    const del = await f.inject(token, { method: 'DELETE', url: `/api/stores/${gone}` });
    expect(del.statusCode).toBe(204);
    expect((await me(v.session.accessToken)).json().storeIds).toEqual([f.b.store.id]);
  });

  it('a reused refresh token ends the kept session, though the refresh itself is refused', async () => {
    const v = await keptViewer();
    const refresh = (refreshToken: string) =>
      f.app.inject({ method: 'POST', url: '/api/auth/refresh', payload: { refreshToken } });
    const second = (await refresh(v.session.refreshToken)).json();
    expect((await me(second.accessToken)).statusCode).toBe(200);
    const reused = await refresh(v.session.refreshToken);
    expect(reused.statusCode).toBe(401);
    expect((await me(second.accessToken)).statusCode).toBe(401);
  });

  it('a password change ends the other kept sessions', async () => {
    const v = await keptViewer();
    const other = (await f.login(v.name)).json();
    expect((await me(other.accessToken)).statusCode).toBe(200);
    const changed = await f.inject(v.session.accessToken, {
      method: 'POST',
      url: '/api/auth/password',
      payload: { currentPassword: PASSWORD, newPassword: 'another-password-2' },
    });
    expect(changed.statusCode).toBe(204);
    expect((await me(other.accessToken)).statusCode).toBe(401);
    expect((await me(v.session.accessToken)).statusCode).toBe(200);
  });

  it('never answers for a session past its end, though its access token is still valid', async () => {
    const v = await keptViewer();
    f.advance(601_000);
    const r = await me(v.session.accessToken);
    expect(r.statusCode).toBe(401);
    expect(r.json().message).toMatch(/session has ended/);
  });
});

describe('PrincipalCache', () => {
  const principal = (storeIds: string[]): SessionPrincipal => ({
    userId: 'u',
    name: 'n',
    role: 'viewer',
    disabled: false,
    storeIds,
    expiresAt: new Date(Date.now() + 3_600_000),
  });

  it('does not keep what was read before a change', async () => {
    const cache = new PrincipalCache();
    let release: (p: SessionPrincipal) => void = () => {};
    const reading = cache.read('u', 's', new Date(), () => new Promise((r) => (release = r)));
    // The change lands while the read is on its way: what it read may be from before it.
    cache.changed();
    release(principal(['old']));
    expect((await reading)?.storeIds).toEqual(['old']);
    const next = await cache.read('u', 's', new Date(), async () => principal(['new']));
    expect(next?.storeIds).toEqual(['new']);
  });

  it('forgets the least recently used caller past its size', async () => {
    const cache = new PrincipalCache(2);
    let loads = 0;
    const load = async () => {
      loads++;
      return principal([]);
    };
    await cache.read('u', 'a', new Date(), load);
    await cache.read('u', 'b', new Date(), load);
    await cache.read('u', 'a', new Date(), load);
    await cache.read('u', 'c', new Date(), load);
    expect(loads).toBe(3);
    await cache.read('u', 'a', new Date(), load);
    expect(loads).toBe(3);
    await cache.read('u', 'b', new Date(), load);
    expect(loads).toBe(4);
  });
});
