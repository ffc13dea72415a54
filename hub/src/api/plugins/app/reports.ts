import { ReportScheduler } from '../../../reports/scheduler.ts';
import { ReportSchedulesRepository } from '../../../reports/schedules-repository.ts';
import { ReportService } from '../../../reports/service.ts';
import { definePlugin } from '../../plugin.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** Scheduled reports: the schedules, the service that makes and sends them, and the scheduler. */
    reports: { schedules: ReportSchedulesRepository; service: ReportService; scheduler: ReportScheduler };
  }
}

export interface ReportsPluginOptions {
  /** Run the scheduler in this process (default true). */
  scheduler?: boolean;
  languageModelTimeoutMs?: number;
}

export default definePlugin<ReportsPluginOptions>(
  'reports',
  async (app, opts) => {
    const schedules = new ReportSchedulesRepository(app.database.db);
    const service = new ReportService({
      analytics: app.analytics,
      stores: app.repos.stores,
      settings: app.repos.settings,
      mailer: app.mailer,
      log: app.log,
      languageModelTimeoutMs: opts.languageModelTimeoutMs,
    });
    const scheduler = new ReportScheduler({ service, schedules, log: app.log });
    app.decorate('reports', { schedules, service, scheduler });
    if (opts.scheduler !== false) app.addHook('onReady', async () => scheduler.start());
    app.addHook('onClose', async () => scheduler.stop());
  },
  { dependencies: ['repositories', 'mailer', 'analytics'] },
);
