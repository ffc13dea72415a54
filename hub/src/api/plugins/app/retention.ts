import { RetentionJob } from '../../../retention/job.ts';
import { definePlugin } from '../../plugin.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** The hourly job that removes detailed data past each store's retention. */
    retention: RetentionJob;
  }
}

export interface RetentionPluginOptions {
  /** Run the job in this process (default true). */
  job?: boolean;
}

export default definePlugin<RetentionPluginOptions>(
  'retention',
  async (app, opts) => {
    const job = new RetentionJob(app.database.db, app.log);
    app.decorate('retention', job);
    if (opts.job !== false) app.addHook('onReady', async () => job.start());
    app.addHook('onClose', async () => job.stop());
  },
  { dependencies: ['database'] },
);
