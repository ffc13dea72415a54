import { Type } from '@sinclair/typebox';
import { describe, expect, it, vi } from 'vitest';
import {
  ApiClient,
  ApiError,
  describeError,
  memoryStorage,
  queryString,
  type Session,
  sentence,
} from '../src/api/client.ts';
import { listDeadLetters, listStores } from '../src/api/endpoints.ts';

/** What the fake hub below answers to a GET: the row and the token it was called with. */
const Echo = Type.Array(Type.Object({ id: Type.String(), auth: Type.String() }));

const T0 = Date.parse('2025-06-01T10:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString();
const user = { id: 'u1', name: 'ann', role: 'manager' as const, storeIds: ['s1'] };

function json(status: number, body: unknown): Response {
  return new Response(body === null ? null : JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json' },
  });
}

/** A fake hub: tokens `a1`, `a2`… and refresh tokens `r1`, `r2`… (each refresh token works once). */
function fakeHub(opts: { now: () => number; accessTtlMs?: number }) {
  let n = 0;
  const valid = new Set<string>();
  let refreshable = '';
  const calls: string[] = [];
  const issue = () => {
    n++;
    const access = `a${n}`;
    valid.add(access);
    refreshable = `r${n}`;
    return {
      accessToken: access,
      tokenType: 'Bearer',
      expiresIn: 900,
      expiresAt: iso(opts.now() + (opts.accessTtlMs ?? 900_000)),
      refreshToken: refreshable,
      refreshExpiresAt: iso(opts.now() + 30 * 86_400_000),
    };
  };
  const fetch = vi.fn(async (url: string | URL | Request, init?: RequestInit) => {
    const path = String(url);
    calls.push(`${init?.method ?? 'GET'} ${path}`);
    const body = init?.body ? (JSON.parse(String(init.body)) as Record<string, string>) : {};
    if (path === '/api/auth/login') {
      if (body.password !== 'right')
        return json(401, { statusCode: 401, message: 'wrong user name or password' });
      return json(200, { ...issue(), user });
    }
    if (path === '/api/auth/refresh') {
      await new Promise((r) => setTimeout(r, 5));
      if (body.refreshToken !== refreshable) return json(401, { statusCode: 401, message: 'session ended' });
      return json(200, issue());
    }
    const auth = new Headers(init?.headers).get('authorization')?.replace('Bearer ', '') ?? '';
    if (!valid.has(auth)) return json(401, { statusCode: 401, message: 'sign in first' });
    if (path.startsWith('/api/stores')) return json(200, [{ id: 's1', auth }]);
    if (path === '/api/dead-letters')
      return json(200, [
        {
          deviceId: 'd1',
          deviceName: 'Door box',
          storeId: 's1',
          cameraId: 'gone',
          count: 3,
          lastReason: 'unknown camera',
          lastReceivedAt: iso(T0),
        },
      ]);
    if (path === '/api/zones/bad')
      return json(400, { statusCode: 400, message: 'the area is not valid', problems: ['edges cross'] });
    if (path === '/api/boom')
      return json(500, { statusCode: 500, message: 'internal error', requestId: 'req-7' });
    return json(404, { statusCode: 404, message: 'there is no GET here' });
  });
  return { fetch, calls, expire: (token: string) => valid.delete(token) };
}

function setup(accessTtlMs?: number) {
  let now = T0;
  const clock = {
    now: () => now,
    advance: (ms: number) => {
      now += ms;
    },
  };
  const hub = fakeHub({ now: clock.now, ...(accessTtlMs ? { accessTtlMs } : {}) });
  const storage = memoryStorage();
  const signedOut = vi.fn();
  const api = new ApiClient({
    fetch: hub.fetch as typeof fetch,
    storage,
    now: clock.now,
    onSignedOut: signedOut,
  });
  return { api, hub, clock, storage, signedOut };
}

describe('checked answers', () => {
  it('returns an answer of the shape the protocol defines', async () => {
    const { api } = setup();
    await api.login('ann', 'right');
    const groups = await listDeadLetters(api);
    expect(groups).toEqual([expect.objectContaining({ deviceId: 'd1', count: 3, lastReceivedAt: iso(T0) })]);
  });

  it('refuses an answer of another shape with a sentence that says so', async () => {
    const { api } = setup();
    await api.login('ann', 'right');
    // The fake hub answers stores without names or time zones.
    const err = await listStores(api).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(describeError(err)).toMatch(
      /answer to GET \/api\/stores is not what this page expects \(\/0\/name/,
    );
  });

  it('refuses a login answer without the user', async () => {
    const api = new ApiClient({
      fetch: (async () =>
        json(200, { accessToken: 'a', tokenType: 'Bearer', expiresIn: 1 })) as unknown as typeof fetch,
    });
    await expect(api.login('ann', 'right')).rejects.toThrow(
      /answer to signing in is not what this page expects/,
    );
    expect(api.user).toBeNull();
  });
});

describe('signing in', () => {
  it('keeps the session and sends the access token', async () => {
    const { api, storage, hub } = setup();
    await expect(api.login('ann', 'right')).resolves.toEqual(user);
    expect(storage.load()?.accessToken).toBe('a1');
    await expect(api.get(Echo, '/api/stores')).resolves.toEqual([{ id: 's1', auth: 'a1' }]);
    expect(hub.calls).toEqual(['POST /api/auth/login', 'GET /api/stores']);
  });

  it('explains a wrong password in a sentence', async () => {
    const { api } = setup();
    await expect(api.login('ann', 'wrong')).rejects.toThrow('Wrong user name or password.');
    expect(api.user).toBeNull();
  });

  it('sends a signed-out user to sign in without calling the hub', async () => {
    const { api, hub } = setup();
    await expect(api.get(Echo, '/api/stores')).rejects.toMatchObject({ status: 401 });
    expect(hub.calls).toEqual([]);
  });
});

describe('quiet refresh', () => {
  it('refreshes shortly before the access token runs out', async () => {
    const { api, hub, clock } = setup();
    await api.login('ann', 'right');
    clock.advance(900_000 - 10_000);
    await expect(api.get(Echo, '/api/stores')).resolves.toEqual([{ id: 's1', auth: 'a2' }]);
    expect(hub.calls.slice(1)).toEqual(['POST /api/auth/refresh', 'GET /api/stores']);
  });

  it('shares one refresh between requests made at once (a refresh token works only once)', async () => {
    const { api, hub, clock, signedOut } = setup();
    await api.login('ann', 'right');
    clock.advance(899_000);
    const answers = await Promise.all([
      api.get(Echo, '/api/stores'),
      api.get(Echo, '/api/stores?x'),
      api.get(Echo, '/api/stores?y'),
    ]);
    expect(answers.map((a) => a[0]!.auth)).toEqual(['a2', 'a2', 'a2']);
    expect(hub.calls.filter((c) => c.includes('refresh'))).toHaveLength(1);
    expect(signedOut).not.toHaveBeenCalled();
  });

  it('refreshes once and retries after a 401', async () => {
    const { api, hub } = setup();
    await api.login('ann', 'right');
    hub.expire('a1');
    await expect(api.get(Echo, '/api/stores')).resolves.toEqual([{ id: 's1', auth: 'a2' }]);
  });

  it('signs out when the refresh is refused', async () => {
    const { api, hub, storage, signedOut } = setup();
    await api.login('ann', 'right');
    storage.save({ ...(storage.load() as Session), refreshToken: 'stolen' });
    hub.expire('a1');
    await expect(api.get(Echo, '/api/stores')).rejects.toMatchObject({ status: 401 });
    expect(signedOut).toHaveBeenCalledWith('your session has ended; please sign in again');
    expect(api.user).toBeNull();
    expect(storage.load()).toBeNull();
  });

  it("uses another tab's fresh tokens instead of refreshing again", async () => {
    const { api, hub, storage, clock } = setup();
    await api.login('ann', 'right');
    clock.advance(899_000);
    const other: Session = {
      ...(storage.load() as Session),
      accessToken: 'a1',
      refreshToken: 'r-other',
      expiresAt: clock.now() + 900_000,
    };
    storage.save(other);
    await api.get(Echo, '/api/stores');
    expect(hub.calls.filter((c) => c.includes('refresh'))).toHaveLength(0);
  });

  it('forgets a stored session whose refresh token has expired', () => {
    const storage = memoryStorage();
    storage.save({ accessToken: 'a', expiresAt: T0 - 1, refreshToken: 'r', refreshExpiresAt: T0 - 1, user });
    const api = new ApiClient({ storage, now: () => T0, fetch: vi.fn() as unknown as typeof fetch });
    expect(api.user).toBeNull();
  });
});

describe('errors in plain words', () => {
  it('passes on the hub message with its problems, and a reference for server errors', async () => {
    const { api } = setup();
    await api.login('ann', 'right');
    const bad = await api.get(Echo, '/api/zones/bad').catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(ApiError);
    expect(describeError(bad)).toBe('The area is not valid. Edges cross.');
    await expect(api.get(Echo, '/api/boom')).rejects.toThrow('Internal error (reference req-7)');
  });

  it('says when the hub cannot be reached', async () => {
    const api = new ApiClient({
      fetch: vi.fn(async () => {
        throw new TypeError('fetch failed');
      }) as unknown as typeof fetch,
    });
    await expect(api.login('a', 'b')).rejects.toThrow(
      'Cannot reach the hub. Check the network connection and try again.',
    );
  });

  it('builds query strings with repeated keys and without empty values', () => {
    expect(queryString({ a: 1, b: ['x', 'y'], c: undefined, d: '', e: null, f: true })).toBe(
      '?a=1&b=x&b=y&f=true',
    );
    expect(queryString({})).toBe('');
    expect(sentence('hello')).toBe('Hello.');
    expect(sentence('Done (ref 1)')).toBe('Done (ref 1)');
  });
});
