/**
 * Every hub address the dashboard calls, as a function: the path in one place, the answer checked
 * against its protocol schema (protocol/src/api/). Pages call these, not literal paths.
 */
import {
  AnalyticsSummary,
  Camera,
  CameraCheck,
  CountingLine,
  CustomerPage,
  DeadLetterGroup,
  DetectorSettings,
  Device,
  EmailSettings,
  type EmailSettingsBody,
  EnrollmentCode,
  Flows,
  Heatmap,
  NewEnrollmentCode,
  Page,
  type PasswordChange,
  ReportSchedule,
  type ReportScheduleBody,
  type ReportSchedulePatch,
  ReportSent,
  ReportWriterSettings,
  type ReportWriterSettingsBody,
  Store,
  StoreComparison,
  StoresTable,
  SummaryChanges,
  TimeSeries,
  UploadJob,
  User,
  Visit,
  VisitDetail,
  VisitDurations,
  Zone,
  ZoneStats,
} from '@oskartrack/protocol';
import { Type } from '@sinclair/typebox';
import type { ApiClient, Query } from './client.ts';

const enc = encodeURIComponent;
type Api = Pick<ApiClient, 'get' | 'write' | 'delete' | 'request'>;

/** A time range of a store, or of one of its cameras (ISO 8601 timestamps). */
export interface RangeQuery {
  storeId: string;
  from: string;
  to: string;
  cameraId?: string | undefined;
  source?: 'auto' | 'raw' | 'summaries' | undefined;
  /** Also count uploaded recordings (the hub leaves them out by default). */
  includeRecordings?: boolean | undefined;
}
const q = (r: object): Query => r as Query;

// ---- places ----
export const listStores = (api: Api) => api.get(Type.Array(Store), '/api/stores');
export const listDevices = (api: Api) => api.get(Type.Array(Device), '/api/devices');
export const listCameras = (api: Api) => api.get(Type.Array(Camera), '/api/cameras');
export const createStore = (api: Api, body: { name: string; timezone: string }) =>
  api.write('POST', Store, '/api/stores', body);
export const updateStore = (api: Api, id: string, body: { name?: string; timezone?: string }) =>
  api.write('PATCH', Store, `/api/stores/${enc(id)}`, body);
export const deleteStore = (api: Api, id: string) => api.delete(`/api/stores/${enc(id)}`);

// ---- boxes and enrollment ----
export const updateDevice = (api: Api, id: string, body: { name: string }) =>
  api.write('PATCH', Device, `/api/devices/${enc(id)}`, body);
export const revokeDevice = (api: Api, id: string) =>
  api.request<void>('POST', `/api/devices/${enc(id)}/revoke`, { body: {} });
export const listEnrollmentCodes = (api: Api, storeId: string) =>
  api.get(Type.Array(EnrollmentCode), `/api/stores/${enc(storeId)}/enrollment-codes`);
export const createEnrollmentCode = (api: Api, storeId: string, body: { ttlMinutes?: number } = {}) =>
  api.write('POST', NewEnrollmentCode, `/api/stores/${enc(storeId)}/enrollment-codes`, body);
export const deleteEnrollmentCode = (api: Api, storeId: string, id: string) =>
  api.delete(`/api/stores/${enc(storeId)}/enrollment-codes/${enc(id)}`);
/** What a camera is: its name, box, source, frame rate; `null` clears a value. */
export interface CameraBody {
  name?: string;
  deviceId?: string | null;
  source?: string;
  fps?: number | null;
  /** This camera's own detector; null: the setting every camera follows. */
  detector?: DetectorSettings | null;
  enabled?: boolean;
}
export const createCamera = (
  api: Api,
  body: CameraBody & { storeId: string; name: string; source: string },
) => api.write('POST', Camera, '/api/cameras', body);
export const updateCamera = (api: Api, id: string, body: CameraBody) =>
  api.write('PATCH', Camera, `/api/cameras/${enc(id)}`, body);
export const deleteCamera = (api: Api, id: string) => api.delete(`/api/cameras/${enc(id)}`);
export const getDetector = (api: Api) => api.get(DetectorSettings, '/api/settings/detector');
export const setDetector = (api: Api, body: DetectorSettings) =>
  api.write('PUT', DetectorSettings, '/api/settings/detector', body);
export const listDeadLetters = (api: Api, storeId?: string) =>
  api.get(Type.Array(DeadLetterGroup), '/api/dead-letters', storeId ? { storeId } : undefined);

// ---- a camera's picture, areas and lines ----
export const cameraSnapshot = (api: Api, cameraId: string) =>
  api.request<Response>('GET', `/api/cameras/${enc(cameraId)}/snapshot`, { raw: true });
/** The installer's camera check, run by the camera's box on `seconds` of video (the answer takes as long). */
export const checkCamera = (api: Api, cameraId: string, seconds?: number) =>
  api.write('POST', CameraCheck, `/api/cameras/${enc(cameraId)}/check`, seconds ? { seconds } : {});
export const listZones = (api: Api, cameraId: string) =>
  api.get(Type.Array(Zone), `/api/cameras/${enc(cameraId)}/zones`);
export const listLines = (api: Api, cameraId: string) =>
  api.get(Type.Array(CountingLine), `/api/cameras/${enc(cameraId)}/lines`);
export const createZone = (api: Api, cameraId: string, body: object) =>
  api.write('POST', Zone, `/api/cameras/${enc(cameraId)}/zones`, body);
export const updateZone = (api: Api, id: string, body: object) =>
  api.write('PATCH', Zone, `/api/zones/${enc(id)}`, body);
export const deleteZone = (api: Api, id: string) => api.delete(`/api/zones/${enc(id)}`);
export const createLine = (api: Api, cameraId: string, body: object) =>
  api.write('POST', CountingLine, `/api/cameras/${enc(cameraId)}/lines`, body);
export const updateLine = (api: Api, id: string, body: object) =>
  api.write('PATCH', CountingLine, `/api/lines/${enc(id)}`, body);
export const deleteLine = (api: Api, id: string) => api.delete(`/api/lines/${enc(id)}`);

// ---- analytics ----
export const analyticsSummary = (api: Api, r: RangeQuery, signal?: AbortSignal) =>
  api.get(AnalyticsSummary, '/api/analytics/summary', q(r), signal);
export const analyticsTimeSeries = (api: Api, r: RangeQuery & { interval: 'hour' | 'day' }) =>
  api.get(TimeSeries, '/api/analytics/timeseries', q(r));
export const analyticsZones = (api: Api, r: RangeQuery) => api.get(ZoneStats, '/api/analytics/zones', q(r));
export const analyticsFlows = (api: Api, r: RangeQuery & { limit?: number }) =>
  api.get(Flows, '/api/analytics/flows', q(r));
export const analyticsHeatmap = (
  api: Api,
  r: { cameraId: string; from: string; to: string; cols?: number; rows?: number },
) => api.get(Heatmap, '/api/analytics/heatmap', q(r));
export const analyticsVisitDurations = (api: Api, r: Omit<RangeQuery, 'source'>) =>
  api.get(VisitDurations, '/api/analytics/visit-durations', q(r));
export const compareStores = (api: Api, r: { from: string; to: string; storeIds?: readonly string[] }) =>
  api.get(StoreComparison, '/api/analytics/compare', q(r));
/** The headline figures against the previous period and last week (or last year). */
export const summaryChanges = (api: Api, r: RangeQuery) =>
  api.get(SummaryChanges, '/api/analytics/summary/changes', q(r));
/** Every store the user sees: figures, change against the previous period, rank. */
export const storesTable = (api: Api, r: { from: string; to: string; includeRecordings?: boolean }) =>
  api.get(StoresTable, '/api/analytics/stores-table', q(r));
export const exportSummariesCsv = (api: Api, query: Query) =>
  api.request<Response>('GET', '/api/export/summaries.csv', { query, raw: true });

// ---- people ----
export const listCustomers = (
  api: Api,
  r: { storeId: string; search?: string; from?: string; to?: string; limit?: number; offset?: number },
) => api.get(CustomerPage, '/api/customers', q(r));
export const listVisits = (api: Api, query: Query) => api.get(Page(Visit), '/api/visits', query);
export const getVisit = (api: Api, id: number | string) =>
  api.get(VisitDetail, `/api/visits/${enc(String(id))}`);

// ---- uploads ----
export const getUpload = (api: Api, id: string) => api.get(UploadJob, `/api/uploads/${enc(id)}`);
export const listUploads = (api: Api, storeId?: string) =>
  api.get(Type.Array(UploadJob), '/api/uploads', storeId ? { storeId } : undefined);
/** Deletes a recording with everything counted from it. */
export const deleteUpload = (api: Api, id: string) => api.delete(`/api/uploads/${enc(id)}`);

// ---- users ----
export const listUsers = (api: Api) => api.get(Type.Array(User), '/api/users');
export const createUser = (
  api: Api,
  body: { name: string; password: string; role: string; storeIds: readonly string[] },
) => api.write('POST', User, '/api/users', body);
export const updateUser = (api: Api, id: string, body: object) =>
  api.write('PATCH', User, `/api/users/${enc(id)}`, body);
export const deleteUser = (api: Api, id: string) => api.delete(`/api/users/${enc(id)}`);
export const changePassword = (api: Api, body: PasswordChange) =>
  api.request<void>('POST', '/api/auth/password', { body });

// ---- reports ----
export const listReportSchedules = (api: Api) =>
  api.get(Type.Array(ReportSchedule), '/api/reports/schedules');
export const createReportSchedule = (api: Api, body: ReportScheduleBody) =>
  api.write('POST', ReportSchedule, '/api/reports/schedules', body);
export const updateReportSchedule = (api: Api, id: string, body: ReportSchedulePatch) =>
  api.write('PATCH', ReportSchedule, `/api/reports/schedules/${enc(id)}`, body);
export const deleteReportSchedule = (api: Api, id: string) => api.delete(`/api/reports/schedules/${enc(id)}`);
export const sendReportNow = (api: Api, id: string) =>
  api.write('POST', ReportSent, `/api/reports/schedules/${enc(id)}/send-now`, {});
/** The Excel or PDF report of the last complete day, week or month, as a file to save. */
export const reportPreview = (
  api: Api,
  r: { storeId?: string | undefined; period: string; format: 'xlsx' | 'pdf' },
) => api.request<Response>('GET', '/api/reports/preview', { query: q(r), raw: true });
export const getEmailSettings = (api: Api) => api.get(EmailSettings, '/api/settings/email');
export const setEmailSettings = (api: Api, body: EmailSettingsBody) =>
  api.write('PUT', EmailSettings, '/api/settings/email', body);
export const sendTestEmail = (api: Api, to: string) =>
  api.request<void>('POST', '/api/settings/email/test', { body: { to } });
export const getReportWriter = (api: Api) => api.get(ReportWriterSettings, '/api/settings/report-writer');
export const setReportWriter = (api: Api, body: ReportWriterSettingsBody) =>
  api.write('PUT', ReportWriterSettings, '/api/settings/report-writer', body);
