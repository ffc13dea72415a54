/** The language model's key is kept only for the endpoint it was given for. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadWriterSettings, saveWriterSettings } from '../../src/reports/writer-settings.ts';
import { openTestDatabase, type TestDatabase } from '../db/backends.ts';

let t: TestDatabase;
beforeAll(async () => {
  t = await openTestDatabase('postgres');
});
afterAll(async () => t?.close());

describe('report writer settings', () => {
  it('keeps the key when it is left out for the same endpoint, and drops it for another one', async () => {
    const repo = t.repos.settings;
    const base = { enabled: true, endpoint: 'http://127.0.0.1:9/v1', model: 'small' };
    await saveWriterSettings(repo, { ...base, apiKey: 'sk-secret' });
    await saveWriterSettings(repo, { ...base, model: 'other' });
    expect((await loadWriterSettings(repo))?.apiKey).toBe('sk-secret');
    await saveWriterSettings(repo, { ...base, endpoint: 'https://elsewhere.example/v1' });
    expect((await loadWriterSettings(repo))?.apiKey).toBeNull();
  });
});
