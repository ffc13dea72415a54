import type { DatabaseHandle } from '../../../db/database.ts';
import { definePlugin } from '../../plugin.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** The database the app was built with; the caller opens and closes it. */
    database: DatabaseHandle;
  }
}

export default definePlugin<{ database: DatabaseHandle }>('database', async (app, opts) => {
  app.decorate('database', opts.database);
});
