import fastifyJwt from '@fastify/jwt';
import { definePlugin } from '../../plugin.ts';

export interface JwtPluginOptions {
  secret: string;
  /** Milliseconds clock for signing and checking expiry (tests move it). */
  clock: () => number;
}

/** @fastify/jwt with HS256 only; access tokens carry `sub` (user id), `sid` (session) and `typ`. */
export default definePlugin<JwtPluginOptions>('jwt', async (app, opts) => {
  await app.register(fastifyJwt, {
    secret: opts.secret,
    sign: { algorithm: 'HS256', iss: 'oskartrack-hub' },
    verify: { algorithms: ['HS256'], allowedIss: 'oskartrack-hub' },
  });
});
