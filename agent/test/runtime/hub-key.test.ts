import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { Agent } from '../../src/runtime/agent.ts';
import { type Identity, outboxPath } from '../../src/runtime/identity.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function agentFor(identity: Partial<Identity>): { agent: Agent; dataDir: string } {
  const dataDir = mkdtempSync(join(tmpdir(), 'oskartrack-hubkey-'));
  dirs.push(dataDir);
  const full: Identity = {
    deviceId: 'box-1',
    secret: 'a-secret-of-at-least-16-chars',
    hubUrl: 'http://127.0.0.1:1',
    mqttUrl: 'mqtt://127.0.0.1:1',
    ...identity,
  };
  return { agent: new Agent({ dataDir, identity: full, log: pino({ level: 'silent' }) }), dataDir };
}

describe('the agent and the hub signing key', () => {
  it('refuses to start without one (a box enrolled by an older version): enroll again', async () => {
    const { agent, dataDir } = agentFor({});
    await expect(agent.start()).rejects.toThrow(/has no hub signing key .*enroll this box again/);
    expect(existsSync(outboxPath(dataDir))).toBe(false); // nothing was started
  });

  it('refuses a key that is not an Ed25519 public key', async () => {
    const { agent } = agentFor({ signingKey: 'bm90IGEga2V5IGF0IGFsbCwgc29ycnk=' });
    await expect(agent.start()).rejects.toThrow(/hub signing key in .* is unusable.*enroll this box again/);
  });
});
