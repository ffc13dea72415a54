/**
 * The optional language model that writes a report's summary (hub setting 'report-writer'): an
 * OpenAI-compatible endpoint, a model and a key. Off by default; the key is never shown again.
 */
import { check, type ReportWriterSettings, ReportWriterSettingsBody } from '@oskartrack/protocol';
import { Type } from '@sinclair/typebox';
import type { HubSettingsRepository } from '../db/repositories/settings.ts';

export const REPORT_WRITER_SETTING = 'report-writer';

export interface StoredWriterSettings {
  enabled: boolean;
  endpoint: string;
  model: string;
  apiKey: string | null;
}

const Stored = Type.Object({
  ...Type.Omit(ReportWriterSettingsBody, ['apiKey']).properties,
  apiKey: Type.Union([Type.String(), Type.Null()]),
});

export async function loadWriterSettings(repo: HubSettingsRepository): Promise<StoredWriterSettings | null> {
  const r = check(Stored, await repo.get(REPORT_WRITER_SETTING));
  return r.ok ? r.value : null;
}

/**
 * Saves what the administrator sent; a key left out keeps the one stored before, but only for the same
 * endpoint: the key is never sent to an address it was not given for.
 */
export async function saveWriterSettings(
  repo: HubSettingsRepository,
  body: ReportWriterSettingsBody,
): Promise<StoredWriterSettings> {
  const before = await loadWriterSettings(repo);
  const endpoint = body.endpoint.trim().replace(/\/+$/, '');
  const kept = before?.endpoint === endpoint ? before.apiKey : null;
  const stored: StoredWriterSettings = {
    enabled: body.enabled,
    endpoint,
    model: body.model.trim(),
    apiKey: body.apiKey === undefined ? kept : body.apiKey,
  };
  await repo.set(REPORT_WRITER_SETTING, stored);
  return stored;
}

export function writerSettingsView(s: StoredWriterSettings | null): ReportWriterSettings {
  if (!s) return { enabled: false, endpoint: '', model: '', keySet: false };
  return {
    enabled: s.enabled,
    endpoint: s.endpoint,
    model: s.model,
    keySet: s.apiKey !== null && s.apiKey !== '',
  };
}

/** Whether the endpoint is an http(s) address; the words to fix it otherwise. */
export function endpointProblem(endpoint: string): string | null {
  try {
    const u = new URL(endpoint);
    if (u.protocol === 'https:' || u.protocol === 'http:') return null;
  } catch {
    // fall through to the message
  }
  return 'the language model address must start with https:// (for example https://api.openai.com/v1)';
}
