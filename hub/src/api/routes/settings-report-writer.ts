/**
 * `GET` and `PUT /api/settings/report-writer`: the optional language model that writes the summary of
 * e-mailed reports (administrators only; the key is write-only; off by default).
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ReportWriterSettings, ReportWriterSettingsBody } from '@oskartrack/protocol';
import {
  endpointProblem,
  loadWriterSettings,
  saveWriterSettings,
  writerSettingsView,
} from '../../reports/writer-settings.ts';
import { badRequest } from '../errors.ts';
import { errors } from '../schemas.ts';
import { adminRoute } from './helpers.ts';

type App = Parameters<FastifyPluginAsyncTypebox>[0];

export function reportWriterRoutes(app: App): void {
  app.get(
    '/report-writer',
    {
      config: adminRoute,
      schema: {
        tags: ['settings'],
        summary: 'The language model that writes report summaries (never the key)',
        response: { 200: ReportWriterSettings, ...errors(401, 403) },
      },
    },
    async () => writerSettingsView(await loadWriterSettings(app.repos.settings)),
  );
  app.put(
    '/report-writer',
    {
      config: adminRoute,
      schema: {
        tags: ['settings'],
        summary: 'Set the language model (a missing key keeps the stored one)',
        body: ReportWriterSettingsBody,
        response: { 200: ReportWriterSettings, ...errors(400, 401, 403) },
      },
    },
    async (request) => {
      const body = request.body;
      if (body.enabled) {
        const problem = endpointProblem(body.endpoint.trim());
        if (problem) throw badRequest(problem);
        if (!body.model.trim()) throw badRequest('name the model to use (for example gpt-4o-mini)');
      }
      return writerSettingsView(await saveWriterSettings(app.repos.settings, body));
    },
  );
}
