import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSigned, publicKeyFromBase64, signMessage } from '@oskartrack/protocol/signing';
import { afterEach, describe, expect, it } from 'vitest';
import { loadOrCreateSigningKey, signingKeyPath } from '../../src/identity/signing-key.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'oskartrack-signing-'));
  dirs.push(dir);
  return dir;
}

describe('the hub signing key', () => {
  it('is made once, private to the hub, and the same on every start', async () => {
    const dir = join(tempDir(), 'data');
    const first = await loadOrCreateSigningKey(dir);
    expect(statSync(signingKeyPath(dir)).mode & 0o777).toBe(0o600);
    const again = await loadOrCreateSigningKey(dir);
    expect(again.publicKeyBase64).toBe(first.publicKeyBase64);
    const payload = signMessage(again.privateKey, 't', { a: 1 });
    expect(openSigned(publicKeyFromBase64(first.publicKeyBase64), 't', payload)).toEqual({
      ok: true,
      value: { a: 1 },
    });
  });

  it('two hubs starting at once on one folder end up with one key', async () => {
    const dir = tempDir();
    const keys = await Promise.all([1, 2, 3].map(() => loadOrCreateSigningKey(dir)));
    expect(new Set(keys.map((k) => k.publicKeyBase64)).size).toBe(1);
  });

  it('says what to do with a damaged key file', async () => {
    const dir = tempDir();
    writeFileSync(signingKeyPath(dir), 'not a key');
    await expect(loadOrCreateSigningKey(dir)).rejects.toThrow(/not a usable signing key .* move it away/);
  });
});
