import { homedir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSettings } from '../../src/settings.ts';

describe('loadSettings', () => {
  it('uses embedded PGlite in ~/.oskartrack when nothing is set', () => {
    expect(loadSettings({}, '/srv')).toEqual({
      databaseUrl: undefined,
      databaseSchema: undefined,
      dataDir: join(homedir(), '.oskartrack'),
    });
  });

  it('reads DATABASE_URL, OSKARTRACK_DB_SCHEMA and a relative OSKARTRACK_DATA_DIR', () => {
    const s = loadSettings(
      { DATABASE_URL: 'postgres://h/db', OSKARTRACK_DB_SCHEMA: 'hub', OSKARTRACK_DATA_DIR: 'data' },
      '/srv/oskartrack',
    );
    expect(s).toEqual({
      databaseUrl: 'postgres://h/db',
      databaseSchema: 'hub',
      dataDir: '/srv/oskartrack/data',
    });
  });

  it('treats empty values as unset', () => {
    const s = loadSettings({ DATABASE_URL: ' ', OSKARTRACK_DATA_DIR: '' }, '/x');
    expect(s.databaseUrl).toBeUndefined();
    expect(s.dataDir).toBe(join(homedir(), '.oskartrack'));
  });

  it('reads OSKARTRACK_TRUST_PROXY and refuses a wrong one by name', () => {
    expect(loadSettings({ OSKARTRACK_TRUST_PROXY: '10.0.0.1,10.1.0.0/16' }, '/x').trustProxy).toEqual([
      '10.0.0.1',
      '10.1.0.0/16',
    ]);
    expect(loadSettings({ OSKARTRACK_TRUST_PROXY: 'true' }, '/x').trustProxy).toBe(true);
    expect(loadSettings({}, '/x').trustProxy).toBeUndefined();
    expect(() => loadSettings({ OSKARTRACK_TRUST_PROXY: 'my-proxy' }, '/x')).toThrow(
      /OSKARTRACK_TRUST_PROXY/,
    );
  });
});
