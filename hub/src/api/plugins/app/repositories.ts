import { createRepositories, type Repositories } from '../../../db/repositories/index.ts';
import { definePlugin } from '../../plugin.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** Every repository over the app's database: routes use only these, never SQL. */
    repos: Repositories;
  }
}

export default definePlugin(
  'repositories',
  async (app) => {
    app.decorate('repos', createRepositories(app.database.db));
  },
  { dependencies: ['database'] },
);
