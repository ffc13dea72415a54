/**
 * Property-based: generated payloads (schema-shaped, almost-right and arbitrary JSON) thrown at every
 * route's params, query and body, as an administrator (who gets furthest into the handlers). No
 * answer may be a 5xx; the only exception is the camera picture, whose 503 means "no message bus".
 */
import fc from 'fast-check';
import type { HTTPMethods, RouteOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS } from '../db/backends.ts';
import { type Fixture, openFixture } from './fixture.ts';

const RUNS = Number(process.env.FUZZ_RUNS ?? 20);

interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema | JsonSchema[];
  anyOf?: JsonSchema[];
  const?: unknown;
  enum?: unknown[];
  format?: string;
  pattern?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
}

/** Paging cursors are base64url JSON [time, id]: forge some with odd numbers in them. */
const forgedCursor = fc
  .tuple(
    fc.oneof(fc.integer(), fc.double(), fc.constant(1e300)),
    fc.oneof(fc.integer(), fc.double(), fc.constant(2 ** 70)),
  )
  .map((v) => Buffer.from(JSON.stringify(v)).toString('base64url'));

const anyJson = fc.oneof(
  fc.json().map((t) => JSON.parse(t) as unknown),
  fc.anything({ maxDepth: 3 }),
);

/** A generator of values shaped by a JSON schema, sometimes stepping just outside it. */
function shaped(
  schema: JsonSchema | undefined,
  pool: fc.Arbitrary<string>,
  depth = 0,
): fc.Arbitrary<unknown> {
  if (!schema || depth > 5) return anyJson;
  if (schema.anyOf) return fc.oneof(...schema.anyOf.map((s) => shaped(s, pool, depth + 1)));
  if (schema.const !== undefined)
    return fc.oneof({ weight: 5, arbitrary: fc.constant(schema.const) }, fc.string());
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  switch (type) {
    case 'object': {
      const props = schema.properties ?? {};
      const record = fc.record(
        Object.fromEntries(Object.entries(props).map(([k, s]) => [k, shaped(s, pool, depth + 1)])),
        { requiredKeys: (schema.required ?? []).filter((k) => k in props) },
      );
      return fc.oneof(
        { weight: 6, arbitrary: record },
        fc.dictionary(fc.string({ maxLength: 8 }), anyJson, { maxKeys: 4 }),
      );
    }
    case 'array': {
      if (Array.isArray(schema.items))
        return fc.tuple(...schema.items.map((s) => shaped(s, pool, depth + 1)));
      const max = Math.min(schema.maxItems ?? 6, 8);
      return fc.array(shaped(schema.items, pool, depth + 1), {
        minLength: Math.min(schema.minItems ?? 0, max),
        maxLength: max,
      });
    }
    case 'string': {
      if (schema.format === 'date-time') {
        return fc.oneof(
          {
            weight: 5,
            arbitrary: fc
              .date({ min: new Date('1900-01-01'), max: new Date('2300-01-01'), noInvalidDate: true })
              .map((d) => d.toISOString()),
          },
          fc.constantFrom(
            '2025-07-01T00:00:00Z',
            '0001-01-01T00:00:00Z',
            '9999-12-31T23:59:59.999Z',
            '2025-02-30T00:00:00Z',
          ),
          fc.string(),
        );
      }
      if (schema.format === 'uuid') return fc.oneof(fc.uuid(), pool, fc.string());
      const max = Math.min(schema.maxLength ?? 40, 40);
      const text = fc.string({
        minLength: Math.min(schema.minLength ?? 0, max),
        maxLength: max,
        unit: 'binary',
      });
      return schema.pattern
        ? fc.oneof(
            pool,
            fc.stringMatching(new RegExp(schema.pattern)).filter((s) => s.length <= 64),
            text,
          )
        : fc.oneof(text, pool, forgedCursor);
    }
    case 'integer':
      return fc.oneof(
        fc.integer({
          min: Math.max(schema.minimum ?? -1e9, -1e15),
          max: Math.min(schema.maximum ?? 1e9, 1e15),
        }),
        fc.constantFrom(0, -1, 2 ** 53, 1e300),
      );
    case 'number':
      return fc.oneof(
        fc.double({ min: schema.minimum ?? -1e6, max: schema.maximum ?? 1e6, noNaN: true }),
        fc.constantFrom(0, -0, 1e308, -1e308),
      );
    case 'boolean':
      return fc.oneof(fc.boolean(), fc.constantFrom('true', 'yes', 1));
    case 'null':
      return fc.constant(null);
    default:
      return anyJson;
  }
}

function methods(route: RouteOptions): HTTPMethods[] {
  return (Array.isArray(route.method) ? route.method : [route.method]) as HTTPMethods[];
}

/** A generated value as query text: objects as JSON (String() throws on `{ toString: '' }`). */
const queryText = (v: unknown): string =>
  typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v);

function toQuery(value: unknown): Record<string, string | string[]> | undefined {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(value)) {
    if (v === undefined) continue;
    out[k] = Array.isArray(v) ? v.map(queryText) : queryText(v);
  }
  return out;
}

describe.each(BACKENDS)('generated payloads on %s', (kind) => {
  let f: Fixture;
  beforeAll(async () => {
    f = await openFixture(kind);
  });
  afterAll(async () => {
    await f?.close();
  });

  it(`no route answers 5xx (${RUNS} runs per route)`, async () => {
    const ids = [f.a, f.b].flatMap((s) => [
      s.store.id,
      s.camera.id,
      s.device.id,
      s.zone.id,
      s.line.id,
      s.customer.id,
      String(s.visit.id),
    ]);
    const pool = fc.constantFrom(...ids);
    const routes = f.routes
      .flatMap((route) => methods(route).map((method) => ({ method, route })))
      .filter(
        ({ method, route }) =>
          method !== 'HEAD' && method !== 'OPTIONS' && !route.url.startsWith('/api/docs'),
      )
      // Deletions last, so the other routes still find the seeded rows.
      .sort((x, y) => Number(x.method === 'DELETE') - Number(y.method === 'DELETE'));
    expect(routes.length).toBeGreaterThan(50);
    let requests = 0;
    for (const { method, route } of routes) {
      const schema = (route.schema ?? {}) as {
        params?: JsonSchema;
        querystring?: JsonSchema;
        body?: JsonSchema;
      };
      const paramNames = [...route.url.matchAll(/:([A-Za-z]+)/g)].map((m) => m[1]!);
      const params = fc.record(
        Object.fromEntries(
          paramNames.map((n) => [
            n,
            fc.oneof(pool, shaped(schema.params?.properties?.[n], pool), fc.string()),
          ]),
        ),
      );
      const query = fc.oneof(
        shaped(schema.querystring, pool),
        fc.dictionary(fc.string({ maxLength: 10 }), fc.string(), { maxKeys: 4 }),
      );
      const body =
        method === 'GET' || method === 'DELETE'
          ? fc.constant(undefined)
          : fc.oneof({ weight: 3, arbitrary: shaped(schema.body, pool) }, anyJson);
      let token = (await f.login(f.names.admin)).json().accessToken as string;
      await fc.assert(
        fc.asyncProperty(params, query, body, async (p, q, b) => {
          let url = route.url;
          for (const [k, v] of Object.entries(p))
            url = url.replace(`:${k}`, encodeURIComponent(String(v)) || 'x');
          const res = await f.inject(token, {
            method,
            url,
            ...(toQuery(q) ? { query: toQuery(q) } : {}),
            ...(b === undefined
              ? {}
              : { payload: JSON.stringify(b) ?? 'null', headers: { 'content-type': 'application/json' } }),
          });
          requests++;
          // Pictures and camera checks need a message bus, which this app runs without.
          const needsBus =
            route.url === '/api/cameras/:id/snapshot' || route.url === '/api/cameras/:id/check';
          const allowed = needsBus && res.statusCode === 503;
          if (res.statusCode >= 500 && !allowed) {
            throw new Error(
              `${method} ${url} ${JSON.stringify(q)} ${JSON.stringify(b)} -> ${res.statusCode} ${res.body}`,
            );
          }
          // Logging out (or a password change) ends the session: sign in again for the next run.
          const ended = route.url === '/api/auth/logout' || route.url === '/api/auth/password';
          if (ended && res.statusCode < 400) token = (await f.login(f.names.admin)).json().accessToken;
        }),
        { numRuns: RUNS },
      );
    }
    expect(requests).toBeGreaterThanOrEqual(routes.length * RUNS);
  }, 180_000);
});
