/**
 * `/api/alerts`: the alert rules of a store (managers of the store and administrators: list, create,
 * change, delete) and the alert history (everyone who sees the store: newest first, a page at a time,
 * and the alerts firing now). The engine that fires and clears them is hub/src/alerts/.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import {
  Alert,
  type AlertChannels,
  type AlertKind,
  AlertPage,
  AlertRule,
  AlertRuleBody,
  AlertRulePatch,
  AlertState,
  Id,
  MAX_ALERT_MINUTES,
  MAX_PEOPLE_THRESHOLD,
} from '@oskartrack/protocol';
import { Type } from '@sinclair/typebox';
import type {} from '../../alerts/plugin.ts';
import { ValidationError } from '../../db/errors.ts';
import { NO_CHANNELS } from '../../db/repositories/index.ts';
import { Cursor, errors, Limit } from '../schemas.ts';
import { requireStore, storeFilter } from '../scope.ts';
import { caller, managerRoute } from './helpers.ts';

type App = Parameters<FastifyPluginAsyncTypebox>[0];

const tags = ['alerts'];
/** Any id text: one that is no rule's answers 404 like a rule of another store. */
const RuleParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });

/** The threshold's range for the kind, said in words when it is outside. */
export function checkThreshold(kind: AlertKind, threshold: number): void {
  const n = (v: number) => v.toLocaleString('en-US');
  if (kind === 'people_inside') {
    if (threshold < 1 || threshold > MAX_PEOPLE_THRESHOLD) {
      throw new ValidationError(`the number of people must be from 1 to ${n(MAX_PEOPLE_THRESHOLD)}`);
    }
    return;
  }
  if (kind === 'picture_changed') {
    if (threshold < 0 || threshold > MAX_ALERT_MINUTES) {
      throw new ValidationError(
        `say 0 to be told at once, or the minutes the picture problem must last (up to ${n(MAX_ALERT_MINUTES)}, one week)`,
      );
    }
    return;
  }
  if (threshold < 1 || threshold > MAX_ALERT_MINUTES) {
    throw new ValidationError(`the minutes must be from 1 to ${n(MAX_ALERT_MINUTES)} (one week)`);
  }
}

/** A rule changed: evaluate soon rather than at the next tick (the engine runs only under `serve`). */
function nudgeEngine(app: App): void {
  if (app.hasDecorator('alerts')) app.alerts.request();
}

/** Only http(s) webhooks; the same address twice is sent once. */
function checkChannels(channels: AlertChannels): AlertChannels {
  if (channels.webhook !== null && !/^https?:\/\//i.test(channels.webhook)) {
    throw new ValidationError(
      'the web address for alerts must start with https:// (or http:// on your own network)',
    );
  }
  const email = [...new Set(channels.email.map((e) => e.trim().toLowerCase()))];
  return { email, webhook: channels.webhook, mqtt: channels.mqtt };
}

function ruleRoutes(app: App): void {
  app.get(
    '/rules',
    {
      config: managerRoute,
      schema: {
        tags,
        summary: 'The alert rules of your stores (managers and administrators)',
        querystring: Type.Object({ storeId: Type.Optional(Id) }),
        response: { 200: Type.Array(AlertRule), ...errors(401, 403, 404) },
      },
    },
    async (request) =>
      app.repos.alerts.listRules({ storeIds: storeFilter(caller(request), request.query.storeId) }),
  );

  app.post(
    '/rules',
    {
      config: managerRoute,
      schema: {
        tags,
        summary: 'Add an alert rule to a store',
        body: AlertRuleBody,
        response: { 201: AlertRule, ...errors(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const p = caller(request);
      const body = request.body;
      requireStore(p, body.storeId);
      checkThreshold(body.kind, body.threshold);
      const rule = await app.repos.alerts.createRule({
        storeId: body.storeId,
        kind: body.kind,
        threshold: body.threshold,
        channels: checkChannels(body.channels ?? NO_CHANNELS),
        enabled: body.enabled,
        createdBy: p.userId,
      });
      nudgeEngine(app);
      return reply.code(201).send(rule);
    },
  );

  app.patch(
    '/rules/:id',
    {
      config: managerRoute,
      schema: {
        tags,
        summary: 'Change an alert rule: its threshold, where it goes, on or off',
        params: RuleParams,
        body: AlertRulePatch,
        response: { 200: AlertRule, ...errors(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const rule = await app.repos.alerts.getRule(request.params.id);
      requireStore(caller(request), rule.storeId, 'alert rule', rule.id);
      const { threshold, channels, enabled } = request.body;
      if (threshold !== undefined) checkThreshold(rule.kind, threshold);
      const updated = await app.repos.alerts.updateRule(rule.id, {
        threshold,
        enabled,
        channels: channels ? checkChannels(channels) : undefined,
      });
      nudgeEngine(app);
      return updated;
    },
  );

  app.delete(
    '/rules/:id',
    {
      config: managerRoute,
      schema: {
        tags,
        summary:
          'Delete an alert rule with its alerts (409 while they go on: switching it off ends them, with word to those told)',
        params: RuleParams,
        response: { 204: Type.Null(), ...errors(401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      const rule = await app.repos.alerts.getRule(request.params.id);
      requireStore(caller(request), rule.storeId, 'alert rule', rule.id);
      await app.repos.alerts.deleteRule(rule.id);
      return reply.code(204).send(null);
    },
  );
}

function historyRoutes(app: App): void {
  app.get(
    '/',
    {
      schema: {
        tags,
        summary: 'The alert history of your stores, newest first, a page at a time',
        querystring: Type.Object({
          storeId: Type.Optional(Id),
          state: Type.Optional(AlertState),
          cursor: Type.Optional(Cursor),
          limit: Type.Optional(Limit),
        }),
        response: { 200: AlertPage, ...errors(400, 401, 404) },
      },
    },
    async (request) => {
      const { storeId, state, cursor, limit } = request.query;
      return app.repos.alerts.history({
        storeIds: storeFilter(caller(request), storeId),
        state,
        cursor,
        limit,
      });
    },
  );

  app.get(
    '/firing',
    {
      schema: {
        tags,
        summary: 'The alerts of your stores firing now, newest first',
        querystring: Type.Object({ storeId: Type.Optional(Id) }),
        response: { 200: Type.Array(Alert), ...errors(401, 404) },
      },
    },
    async (request) =>
      app.repos.alerts.firing({ storeIds: storeFilter(caller(request), request.query.storeId) }),
  );
}

const alertRoutes: FastifyPluginAsyncTypebox = async (app) => {
  ruleRoutes(app);
  historyRoutes(app);
};

export default alertRoutes;
