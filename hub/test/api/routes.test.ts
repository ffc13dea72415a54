/**
 * Walks every registered route (collected with an onRoute hook), so no new route can skip the
 * checks: 401 without a token (except the public ones), 403 for roles below the route's, and 404 for
 * a store the caller cannot see (the documented choice: out-of-scope data looks like missing data).
 */
import { randomUUID } from 'node:crypto';
import type { HTTPMethods, RouteOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS } from '../db/backends.ts';
import { type Fixture, openFixture, type StoreData, tri } from './fixture.ts';

const RANGE = { from: '2025-07-01T00:00:00.000Z', to: '2025-07-02T00:00:00.000Z' };
const PUBLIC = new Set([
  'GET /api/health',
  'POST /api/auth/login',
  'POST /api/auth/refresh',
  'POST /api/enroll',
  'GET /api/hub/ca',
]);
/**
 * Routes whose store comes from a multipart body, not the address: the uploads tests check that a
 * camera of another store is refused (404) there.
 */
const BODY_SCOPED = new Set(['POST /api/uploads']);

/** Routes about the caller only (no store data). */
const SELF = new Set(['GET /api/auth/me', 'POST /api/auth/logout', 'POST /api/auth/password']);

interface Sample {
  query?: Record<string, string>;
  payload?: Record<string, unknown>;
  /** A list without a store in the address: must answer 200 and hold nothing of the other store. */
  list?: boolean;
}

function samples(s: StoreData): Record<string, Sample> {
  const storeQ = { storeId: s.store.id };
  const ranged = { ...storeQ, ...RANGE };
  return {
    'GET /api/auth/me': {},
    'POST /api/auth/logout': {},
    'POST /api/auth/password': {
      payload: { currentPassword: 'wrong-password-x', newPassword: 'another-password' },
    },
    'GET /api/users': { list: true },
    'POST /api/users': {
      payload: { name: `u-${randomUUID().slice(0, 8)}`, password: 'long-enough-pw', role: 'viewer' },
    },
    'GET /api/users/:id': {},
    'PATCH /api/users/:id': { payload: {} },
    'PUT /api/users/:id/stores': { payload: { storeIds: [] } },
    'DELETE /api/users/:id': {},
    'GET /api/settings': {},
    'PUT /api/settings/demographics': { payload: { enabled: false } },
    'GET /api/settings/detector': {},
    'PUT /api/settings/detector': {
      payload: { kind: 'hog', scoreThreshold: 0.5, everyNth: 1, motionGate: false },
    },
    'GET /api/settings/email': {},
    'PUT /api/settings/email': {
      payload: { host: '127.0.0.1', port: 2525, security: 'none', user: '', from: 'hub@shop.example' },
    },
    'POST /api/settings/email/test': { payload: { to: 'owner@shop.example' } },
    'GET /api/settings/webhook': {},
    'POST /api/settings/webhook/rotate': {},
    'GET /api/stores': { list: true },
    'POST /api/stores': { payload: { name: 'New store' } },
    'GET /api/stores/:id': {},
    'PATCH /api/stores/:id': { payload: {} },
    'DELETE /api/stores/:id': {},
    'GET /api/stores/:storeId/enrollment-codes': {},
    'POST /api/stores/:storeId/enrollment-codes': { payload: {} },
    'DELETE /api/stores/:storeId/enrollment-codes/:id': {},
    'GET /api/devices': { query: storeQ },
    'GET /api/devices/:id': {},
    'PATCH /api/devices/:id': { payload: {} },
    'POST /api/devices/:id/revoke': {},
    'DELETE /api/devices/:id': {},
    'GET /api/dead-letters': {},
    'GET /api/cameras': { query: storeQ },
    'POST /api/cameras': { payload: { storeId: s.store.id, name: 'Cam', source: 'rtsp://10.1.2.3/live' } },
    'GET /api/cameras/:id': {},
    'PATCH /api/cameras/:id': { payload: {} },
    'DELETE /api/cameras/:id': {},
    'GET /api/cameras/:id/snapshot': {},
    'POST /api/cameras/:id/check': { payload: {} },
    'GET /api/cameras/:id/zones': {},
    'POST /api/cameras/:id/zones': { payload: { name: 'Area', polygon: tri } },
    'GET /api/zones/:id': {},
    'PATCH /api/zones/:id': { payload: {} },
    'DELETE /api/zones/:id': {},
    'GET /api/cameras/:id/lines': {},
    'POST /api/cameras/:id/lines': {
      payload: { name: 'Line', start: [0, 0], end: [100, 0], inSide: 'left' },
    },
    'GET /api/lines/:id': {},
    'PATCH /api/lines/:id': { payload: {} },
    'DELETE /api/lines/:id': {},
    'GET /api/customers': { query: storeQ },
    'GET /api/customers/:id': {},
    'DELETE /api/customers/:id': {},
    'GET /api/visits': { query: ranged },
    'GET /api/visits/:id': {},
    'GET /api/events': { query: ranged },
    'GET /api/analytics/summary': { query: ranged },
    'GET /api/analytics/timeseries': { query: ranged },
    'GET /api/analytics/zones': { query: ranged },
    'GET /api/analytics/flows': { query: ranged },
    'GET /api/analytics/visit-durations': { query: ranged },
    'GET /api/analytics/heatmap': { query: { cameraId: s.camera.id, ...RANGE } },
    'GET /api/analytics/compare': { query: { storeIds: s.store.id, ...RANGE } },
    'GET /api/analytics/summary/changes': { query: ranged },
    'GET /api/analytics/stores-table': { query: RANGE, list: true },
    'GET /api/export/visits.csv': { query: ranged },
    'GET /api/export/summaries.csv': { query: ranged },
    'GET /api/export/visits': { query: ranged },
    'GET /api/export/numbers': { query: ranged },
    'POST /api/uploads': {},
    'GET /api/uploads': { query: storeQ },
    'GET /api/uploads/:id': {},
    'DELETE /api/uploads/:id': {},
    'GET /api/alerts': { query: storeQ },
    'GET /api/alerts/firing': { query: storeQ },
    'GET /api/alerts/rules': { query: storeQ },
    'POST /api/alerts/rules': { payload: { storeId: s.store.id, kind: 'people_inside', threshold: 10 } },
    'PATCH /api/alerts/rules/:id': { payload: {} },
    'DELETE /api/alerts/rules/:id': {},
    'GET /api/alert-listeners': {},
    'POST /api/alert-listeners': { payload: { name: 'Building system', storeId: s.store.id } },
    'DELETE /api/alert-listeners/:id': {},
    'GET /api/reports/schedules': { list: true },
    'POST /api/reports/schedules': {
      payload: { storeId: s.store.id, period: 'weekly', recipients: ['a@example.com'] },
    },
    'PATCH /api/reports/schedules/:id': { payload: {} },
    'DELETE /api/reports/schedules/:id': {},
    'POST /api/reports/schedules/:id/send-now': {},
    'GET /api/reports/preview': { query: { storeId: s.store.id, period: 'daily', format: 'pdf' } },
    'GET /api/settings/report-writer': {},
    'PUT /api/settings/report-writer': { payload: { enabled: false, endpoint: '', model: '' } },
  };
}

function fill(url: string, s: StoreData): string {
  const entity = /^\/api\/([a-z]+)\//.exec(url)?.[1];
  const ids: Record<string, string> = {
    stores: s.store.id,
    devices: s.device.id,
    cameras: s.camera.id,
    zones: s.zone.id,
    lines: s.line.id,
    customers: s.customer.id,
    visits: String(s.visit.id),
    uploads: s.upload.id,
    users: randomUUID(),
  };
  return url
    .replace(':storeId', s.store.id)
    .replace(/\/enrollment-codes\/:id/, `/enrollment-codes/${randomUUID()}`)
    .replace(':id', ids[entity ?? ''] ?? 'x')
    .replace('*', 'index.html');
}

function methods(route: RouteOptions): HTTPMethods[] {
  return (Array.isArray(route.method) ? route.method : [route.method]) as HTTPMethods[];
}

describe.each(BACKENDS)('every route on %s', (kind) => {
  let f: Fixture;
  let all: { method: HTTPMethods; url: string; key: string; route: RouteOptions }[];
  beforeAll(async () => {
    f = await openFixture(kind);
    all = f.routes
      .flatMap((route) => methods(route).map((method) => ({ method, route, url: route.url })))
      .filter((r) => r.method !== 'OPTIONS')
      .map((r) => {
        const url = r.url.length > 1 ? r.url.replace(/\/$/, '') : r.url;
        return { ...r, key: `${r.method === 'HEAD' ? 'GET' : r.method} ${url}` };
      });
  });
  afterAll(async () => {
    await f?.close();
  });

  const isDocs = (url: string) => url === '/api/docs' || url.startsWith('/api/docs/');

  it('has a sample request for every route, and exactly the expected public routes', () => {
    const known = samples(f.a);
    const api = all.filter((r) => !isDocs(r.url));
    expect(api.length).toBeGreaterThan(50);
    const missing = api.filter((r) => !PUBLIC.has(r.key) && !known[r.key]).map((r) => r.key);
    expect(missing).toEqual([]);
    const publicRoutes = new Set(api.filter((r) => r.route.config?.public).map((r) => r.key));
    expect(publicRoutes).toEqual(PUBLIC);
    for (const r of all) expect(r.url === '/api/docs' || r.url.startsWith('/api/')).toBe(true);
  });

  it('answers 401 without a token on every route but health, login, refresh, enroll and the docs', async () => {
    const known = samples(f.a);
    for (const r of all) {
      if (PUBLIC.has(r.key) || isDocs(r.url)) continue;
      const s = known[r.key]!;
      const res = await f.inject(undefined, {
        method: r.method,
        url: fill(r.url, f.a),
        ...(s.query ? { query: s.query } : {}),
        ...(s.payload ? { payload: s.payload } : {}),
      });
      expect(res.statusCode, `${r.method} ${r.url}`).toBe(401);
      if (r.method !== 'HEAD') expect(res.json().message).toMatch(/sign in|token/);
      // A garbage token is no better.
      const bad = await f.inject('not.a.token', { method: r.method, url: fill(r.url, f.a) });
      expect(bad.statusCode, `${r.method} ${r.url} with a bad token`).toBe(401);
    }
    // The public ones really answer without a token.
    expect((await f.inject(undefined, { method: 'GET', url: '/api/health' })).statusCode).toBe(200);
    expect((await f.inject(undefined, { method: 'GET', url: '/api/docs/json' })).statusCode).toBe(200);
  });

  it('answers 403 to a viewer on manager and admin routes, and to a manager on admin routes', async () => {
    const known = samples(f.a);
    let checked = 0;
    for (const r of all) {
      const role = r.route.config?.role;
      if (!role) continue;
      const s = known[r.key]!;
      const request = {
        method: r.method,
        url: fill(r.url, f.a),
        ...(s.query ? { query: s.query } : {}),
        ...(s.payload ? { payload: s.payload } : {}),
      };
      const viewer = await f.inject(f.tokens.viewerA, request);
      expect(viewer.statusCode, `viewer ${r.method} ${r.url}`).toBe(403);
      if (role === 'admin') {
        const manager = await f.inject(f.tokens.managerA, request);
        expect(manager.statusCode, `manager ${r.method} ${r.url}`).toBe(403);
      }
      checked++;
    }
    expect(checked).toBeGreaterThan(20);
  });

  it("gives nobody another store's data: 404 on every store-scoped route, lists without it", async () => {
    const other = samples(f.b);
    const leaks = [f.b.store.id, f.b.camera.id, f.b.device.id, f.b.zone.id, f.b.line.id];
    for (const r of all) {
      if (PUBLIC.has(r.key) || SELF.has(r.key) || BODY_SCOPED.has(r.key) || isDocs(r.url)) continue;
      if (r.route.config?.role === 'admin') continue;
      const caller = r.route.config?.role === 'manager' ? f.tokens.managerA : f.tokens.viewerA;
      const s = other[r.key]!;
      const res = await f.inject(caller, {
        method: r.method,
        url: fill(r.url, f.b),
        ...(s.query ? { query: s.query } : {}),
        ...(s.payload ? { payload: s.payload } : {}),
      });
      if (s.list) {
        expect(res.statusCode, `${r.method} ${r.url}`).toBe(200);
        for (const id of leaks) expect(res.body, `${r.method} ${r.url}`).not.toContain(id);
      } else {
        expect(res.statusCode, `${r.method} ${r.url}: ${res.body}`).toBe(404);
      }
    }
    // Lists without a store filter hold only the caller's stores.
    for (const url of ['/api/cameras', '/api/devices', '/api/stores']) {
      const res = await f.inject(f.tokens.viewerA, { method: 'GET', url });
      expect(res.statusCode).toBe(200);
      for (const id of leaks) expect(res.body).not.toContain(id);
      expect(res.body).toContain(f.a.store.id);
    }
    // Asking for both stores at once does not help either.
    const both = await f.inject(f.tokens.viewerA, {
      method: 'GET',
      url: `/api/analytics/compare?storeIds=${f.a.store.id}&storeIds=${f.b.store.id}&from=${RANGE.from}&to=${RANGE.to}`,
    });
    expect(both.statusCode).toBe(404);
  });

  it('lets a viewer read their own store through every read route', async () => {
    const own = samples(f.a);
    for (const r of all) {
      if (r.method !== 'GET' || PUBLIC.has(r.key) || isDocs(r.url) || r.route.config?.role) continue;
      const s = own[r.key]!;
      const res = await f.inject(f.tokens.viewerA, {
        method: 'GET',
        url: fill(r.url, f.a),
        ...(s.query ? { query: s.query } : {}),
      });
      // The snapshot needs a message bus, which this app runs without.
      const expected = r.key === 'GET /api/cameras/:id/snapshot' ? 503 : 200;
      expect(res.statusCode, `${r.method} ${r.url}: ${res.body}`).toBe(expected);
    }
  });
});
