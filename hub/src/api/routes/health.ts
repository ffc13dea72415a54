import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { publicRoute } from './helpers.ts';

/** What a broker health provider reports. */
export interface BrokerHealth {
  ok: boolean;
  /** Free text such as "embedded, 3 clients" or the connection error. */
  detail?: string;
}
export type BrokerHealthProvider = () => BrokerHealth | Promise<BrokerHealth>;

const HealthBody = Type.Object({
  status: Type.Union([Type.Literal('ok'), Type.Literal('degraded'), Type.Literal('down')]),
  database: Type.Object({ ok: Type.Boolean(), kind: Type.String(), latencyMs: Type.Number() }),
  broker: Type.Union([
    Type.Object({ ok: Type.Boolean(), detail: Type.Optional(Type.String()) }),
    Type.Null(),
  ]),
  devices: Type.Union([Type.Object({ online: Type.Integer(), offline: Type.Integer() }), Type.Null()]),
});

/** `GET /api/health`, no token: is the database reachable, the broker up, how many boxes are online. */
const healthRoute: FastifyPluginAsyncTypebox<{
  broker?: BrokerHealthProvider | undefined;
  hasBus: boolean;
}> = async (app, opts) => {
  app.get(
    '/health',
    {
      config: publicRoute,
      schema: {
        tags: ['health'],
        summary: 'Is the hub working (no token needed)',
        security: [],
        response: { 200: HealthBody, 503: HealthBody },
      },
    },
    async (request, reply) => {
      const started = performance.now();
      let dbOk = true;
      let devices: { online: number; offline: number } | null = null;
      try {
        const list = (await app.repos.devices.list()).filter((d) => d.kind === 'box');
        const online = list.filter((d) => d.online).length;
        devices = { online, offline: list.length - online };
      } catch (err) {
        dbOk = false;
        request.log.error({ err }, 'health: database unreachable');
      }
      const latencyMs = Math.round((performance.now() - started) * 10) / 10;
      let broker: { ok: boolean; detail?: string } | null = null;
      if (opts.broker) {
        try {
          broker = await opts.broker();
        } catch (err) {
          broker = { ok: false, detail: (err as Error).message.slice(0, 200) };
        }
      } else if (opts.hasBus) {
        broker = { ok: true, detail: 'connected (no health details)' };
      }
      const status = !dbOk ? 'down' : broker && !broker.ok ? 'degraded' : 'ok';
      return reply.code(dbOk ? 200 : 503).send({
        status,
        database: { ok: dbOk, kind: app.database.kind, latencyMs },
        broker,
        devices,
      });
    },
  );
};

export default healthRoute;
