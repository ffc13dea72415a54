/** The comparison routes under /api/analytics: headline changes and the head-office store table. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ComparisonsRepository } from '../../db/repositories/comparisons.ts';
import { ComparisonService } from '../comparisons.ts';
import { storesTableRoute } from './stores-table.ts';
import { summaryChangesRoute } from './summary-changes.ts';

const comparisonRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const service = new ComparisonService(app.repos, new ComparisonsRepository(app.database.db), app.analytics);
  await app.register(summaryChangesRoute(service));
  await app.register(storesTableRoute(service));
};

export default comparisonRoutes;
