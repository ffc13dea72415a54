/**
 * Ingest as a named plugin: `app.ingest` for the parts that store batches without MQTT (uploads), and
 * stopped with the app (the transactions under way finish and send their acks).
 */
import { definePlugin } from '../api/plugin.ts';
import type { Ingest } from './ingest.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** Event batches into the database, then the acks. */
    ingest: Ingest;
  }
}

export function ingestPlugin(ingest: Ingest) {
  return definePlugin('ingest', async (app) => {
    app.decorate('ingest', ingest);
    app.addHook('onClose', () => ingest.stop());
  });
}
