import { type AnalyticsOptions, AnalyticsService } from '../../analytics.ts';
import { definePlugin } from '../../plugin.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** The analytics query layer (summaries, series, areas, flows, heatmaps, comparisons). */
    analytics: AnalyticsService;
  }
}

export default definePlugin<AnalyticsOptions>(
  'analytics',
  async (app, opts) => {
    app.decorate('analytics', new AnalyticsService(app.repos, opts));
  },
  { dependencies: ['repositories'] },
);
