/** The hub's alert addresses (`/api/alerts`), each answer checked against its protocol schema. */
import {
  Alert,
  AlertPage,
  AlertRule,
  type AlertRuleBody,
  type AlertRulePatch,
  type AlertState,
} from '@oskartrack/protocol';
import { Type } from '@sinclair/typebox';
import type { ApiClient } from '../../api/client.ts';

type Api = Pick<ApiClient, 'get' | 'write' | 'delete'>;
const enc = encodeURIComponent;

export const listAlertRules = (api: Api, storeId: string) =>
  api.get(Type.Array(AlertRule), '/api/alerts/rules', { storeId });
export const createAlertRule = (api: Api, body: AlertRuleBody) =>
  api.write('POST', AlertRule, '/api/alerts/rules', body);
export const updateAlertRule = (api: Api, id: string, body: AlertRulePatch) =>
  api.write('PATCH', AlertRule, `/api/alerts/rules/${enc(id)}`, body);
export const deleteAlertRule = (api: Api, id: string) => api.delete(`/api/alerts/rules/${enc(id)}`);

export const firingAlerts = (api: Api, storeId?: string) =>
  api.get(Type.Array(Alert), '/api/alerts/firing', storeId ? { storeId } : {});
export const alertHistory = (
  api: Api,
  q: { storeId: string; state?: AlertState | undefined; cursor?: string | undefined; limit?: number },
) => api.get(AlertPage, '/api/alerts', q);
