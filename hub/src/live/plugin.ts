/**
 * `GET /ws`: the live feed over @fastify/websocket (protocol/src/live.ts documents the protocol).
 *
 * The upgrade is always accepted and the token checked right after, so a refusal is a WebSocket close
 * with 1008 (policy violation) that browsers can read, not an HTTP error they cannot. Messages the
 * client sends before its token is checked are handled once it is.
 */
import fastifyWebsocket from '@fastify/websocket';
import { CLOSE_POLICY, WS_PATH } from '@oskartrack/protocol';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { RawData } from 'ws';
import { definePlugin } from '../api/plugin.ts';
import type { LiveFeed } from './feed.ts';

/** Largest message a client may send (subscriptions, a token, pings). */
const MAX_CLIENT_MESSAGE_BYTES = 16 * 1024;

/** The access token from `?token=` or `Authorization: Bearer`. */
export function tokenOf(request: FastifyRequest): string | undefined {
  const query = request.query as Record<string, unknown> | undefined;
  const fromQuery = query?.token;
  if (typeof fromQuery === 'string' && fromQuery.length > 0) return fromQuery;
  const header = request.headers.authorization;
  const m = header ? /^Bearer\s+([A-Za-z0-9_.-]+)\s*$/i.exec(header) : null;
  return m?.[1];
}

/** The URL with any `token=` query value hidden, for logs (browsers pass the live feed's token there). */
export function redactToken(url: string): string {
  return url.replace(/([?&]token=)[^&#]*/gi, '$1[hidden]');
}

/**
 * pino serializer for fastify's request logs that hides `?token=` (pass it with `log.child({},
 * { serializers: { req: requestLogSerializer } })`); otherwise the same fields as fastify's own.
 */
export function requestLogSerializer(req: FastifyRequest): Record<string, unknown> {
  return {
    method: req.method,
    url: redactToken(req.url),
    host: req.host,
    remoteAddress: req.ip,
    remotePort: req.socket?.remotePort,
  };
}

function text(data: RawData): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data).toString('utf8');
}

/** The `/ws` route, fed by `feed`. Needs the app's `auth` decorator. */
export function livePlugin(feed: LiveFeed): FastifyPluginAsync {
  return definePlugin(
    'live-feed',
    async (app) => {
      await app.register(fastifyWebsocket, { options: { maxPayload: MAX_CLIENT_MESSAGE_BYTES } });
      app.addHook('onClose', async () => feed.close());
      app.get(WS_PATH, { websocket: true, schema: { hide: true } }, (socket, request) => {
        const pending: string[] = [];
        let client: ReturnType<LiveFeed['connect']> | undefined;
        let closed = false;
        // Handlers are attached at once: messages may arrive while the token is being checked.
        socket.on('message', (data: RawData, isBinary: boolean) => {
          if (isBinary) return;
          const raw = text(data);
          if (client) void feed.receive(client, raw);
          else if (pending.length < 16) pending.push(raw);
        });
        socket.on('close', () => {
          closed = true;
          if (client) feed.disconnect(client);
        });
        socket.on('error', (err) => request.log.debug({ err }, 'live feed socket error'));

        const token = tokenOf(request);
        if (!token) {
          socket.close(CLOSE_POLICY, 'sign in first: pass the access token as ?token= or a Bearer header');
          return;
        }
        const verify = (t: string) => app.auth.verifyAccessToken(t);
        verify(token).then(
          (principal) => {
            if (closed) return;
            client = feed.connect(socket, { principal, token, verify });
            for (const raw of pending.splice(0)) void feed.receive(client, raw);
          },
          (err: unknown) => {
            const message = err instanceof Error ? err.message : 'the access token is not valid';
            socket.close(CLOSE_POLICY, message.slice(0, 120));
          },
        );
      });
    },
    { dependencies: ['auth'] },
  );
}
