/**
 * The answer cache in front of the routes whose config says `answers: 'cached'` (read-only analytics
 * GETs), and the global change after every other successful request that may change what they answer.
 *
 * The hooks run after the API's onRequest hook: a cached answer still needs a valid session and the
 * route's role, exactly as a computed one. The key holds the route, the validated query (coerced, with
 * defaults) and the caller's scope (role and stores), so one scope never gets another's answer. Only a
 * range that has ended (`to` <= now) is kept; only a 200 answer is kept, as the bytes that were sent.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { type Answer, AnswerCache, type StoreDeps, type Turn } from '../../answer-cache.ts';
import { definePlugin } from '../../plugin.ts';
import { mayWrite } from '../../request-methods.ts';
import type { Principal } from '../../scope.ts';
import { Slots } from '../../slots.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** The shared answer cache and the data versions it checks (api/answer-cache.ts). */
    answers: AnswerCache;
  }
  interface FastifyContextConfig {
    /**
     * cached: a read-only GET whose answers are kept (ended ranges only); unchanged: a non-GET that
     * changes nothing an answer depends on (sign-in, token refresh). Other non-GETs drop every answer.
     */
    answers?: 'cached' | 'unchanged';
  }
}

export interface AnswerCachePluginOptions {
  /** The cache (shared with ingest and the live bridge by `serve`); false or absent: nothing is kept. */
  cache?: AnswerCache | false | undefined;
  /**
   * Misses computed at once; the next ones wait their turn (`serve`: fewer than the database pool's
   * connections, so a cache hit's sign-in check never waits behind them). Default: no limit.
   */
  computeAtOnce?: number | undefined;
}

/** JSON with object keys sorted, so that equal queries make equal keys. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** Everything of the caller an answer may depend on: role and visible stores. */
export function scopeKey(p: Principal): string {
  return p.role === 'admin' ? 'admin' : `${p.role}:${[...p.storeIds].sort().join(',')}`;
}

/** The stores a query names; undefined: it may read any store the caller sees. */
function storeDeps(query: Record<string, unknown>): StoreDeps {
  if (typeof query.storeId === 'string') return [query.storeId];
  if (Array.isArray(query.storeIds) && query.storeIds.every((id) => typeof id === 'string')) {
    return query.storeIds as string[];
  }
  return undefined;
}

/** The range's end in ms, when the query has one. */
function rangeEnd(query: Record<string, unknown>): number | undefined {
  const to = query.to instanceof Date ? query.to.getTime() : Date.parse(String(query.to));
  return Number.isFinite(to) ? to : undefined;
}

function send(reply: FastifyReply, answer: Answer): FastifyReply {
  return reply.code(answer.statusCode).header('content-type', answer.contentType).send(answer.body);
}

export default definePlugin<AnswerCachePluginOptions>(
  'answer-cache',
  async (app, opts) => {
    const cache = opts.cache || new AnswerCache();
    const enabled = opts.cache !== undefined && opts.cache !== false && opts.cache.keeps;
    app.decorate('answers', cache);
    /** Misses this process computes and shares (single-flight leaders). */
    const leading = new WeakMap<FastifyRequest, Extract<Turn, { lead: true }>>();
    const slots = opts.computeAtOnce === undefined ? undefined : new Slots(opts.computeAtOnce);
    /** Leaders holding a slot, until their answer is sent or the request ends. */
    const holding = new WeakSet<FastifyRequest>();
    const giveBack = (request: FastifyRequest) => {
      if (holding.delete(request)) slots?.give();
    };

    app.addHook('preHandler', async (request, reply) => {
      if (!enabled || request.method !== 'GET' || request.routeOptions.config.answers !== 'cached') return;
      const p = request.principal;
      const query = (request.query ?? {}) as Record<string, unknown>;
      const end = rangeEnd(query);
      // Anything touching the present is always computed.
      if (!p || end === undefined || end > Date.now()) return;
      const key = `${request.routeOptions.url}|${canonical(request.params ?? {})}|${canonical(query)}|${scopeKey(p)}`;
      const hit = cache.get(key);
      if (hit) return send(reply, hit);
      const turn = cache.begin(key, cache.stamp(storeDeps(query)));
      if (turn.lead) leading.set(request, turn);
      else {
        const shared = await turn.answer;
        if (shared) return send(reply, shared);
        // The leader failed: compute here (errors are never shared or kept), in a slot as well.
      }
      if (slots) {
        await slots.take();
        holding.add(request);
      }
    });

    app.addHook('onSend', async (request, reply, payload) => {
      const turn = leading.get(request);
      if (turn) {
        leading.delete(request);
        const ok = reply.statusCode === 200 && typeof payload === 'string';
        const contentType = reply.getHeader('content-type');
        turn.finish(
          ok && typeof contentType === 'string' ? { statusCode: 200, contentType, body: payload } : undefined,
        );
      }
      giveBack(request);
      // Before the answer leaves: a client that reads right after its change never sees an old answer.
      if (
        mayWrite(request.method) &&
        request.routeOptions.config.answers !== 'unchanged' &&
        (reply.statusCode < 400 || reply.statusCode >= 500)
      ) {
        await cache.changedEverywhere().catch((err: unknown) => {
          request.log.warn({ err }, 'answer cache: could not tell the other hubs of a change');
        });
      }
      return payload;
    });

    // A request that never reached onSend (aborted, failed on the way) lets its followers compute.
    const letFollowersGo = async (request: FastifyRequest) => {
      leading.get(request)?.finish(undefined);
      leading.delete(request);
    };
    app.addHook('onResponse', async (request) => {
      await letFollowersGo(request);
      giveBack(request);
    });
    // An aborted request's handler still runs (its query holds a connection): its slot comes back
    // only when its answer is sent (onSend runs even for a client that went away) or its response ends.
    app.addHook('onRequestAbort', letFollowersGo);
  },
  { dependencies: ['auth'] },
);
