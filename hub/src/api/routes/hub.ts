import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { HttpError } from '../errors.ts';
import { errors } from '../schemas.ts';
import { publicRoute, type RouteOptions } from './helpers.ts';

/**
 * `GET /api/hub/ca`: the hub's certificate authority (PEM). Public: a box checks it against the
 * fingerprint in its enrollment code before it trusts anything the hub says.
 */
const hubRoutes: FastifyPluginAsyncTypebox<RouteOptions> = async (app, opts) => {
  app.get(
    '/ca',
    {
      config: publicRoute,
      schema: {
        tags: ['devices'],
        summary: "The hub's certificate authority (PEM), which enrollment codes carry the fingerprint of",
        security: [],
        response: { 200: Type.String(), ...errors(404) },
      },
    },
    async (_request, reply) => {
      const tls = opts.enrollment.tls;
      if (!tls)
        throw new HttpError(404, 'this hub runs without TLS (--insecure): it has no certificate authority');
      return reply.type('application/x-pem-file').send(tls.caPem);
    },
  );
};

export default hubRoutes;
