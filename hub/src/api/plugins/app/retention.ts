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
  /** Compute the day rows alone this long after the start (`serve`); default: only with the first pass. */
  dayRowsAfterStartMs?: number;
}

export default definePlugin<RetentionPluginOptions>(
  'retention',
  async (app, opts) => {
    // After each pass, answers computed from removed or rebuilt data are dropped on every hub.
    const job = new RetentionJob(app.database.db, app.log, undefined, () => app.answers.changedEverywhere());
    app.decorate('retention', job);
    if (opts.job !== false)
      app.addHook('onReady', async () => job.start(undefined, opts.dayRowsAfterStartMs));
    app.addHook('onClose', async () => job.stop());
  },
  { dependencies: ['database', 'answer-cache'] },
);
