// `oskartrack-agent status` with a real agent running against real local servers: it names the address
// the link tries, says what failed in plain words and what to do, and camera lines wait for the hub.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { topics } from '@oskartrack/protocol';
import { pino } from 'pino';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { statusReport } from '../../src/commands/status.ts';
import type { LinkProblemKind } from '../../src/link/diagnose.ts';
import { Outbox } from '../../src/outbox/outbox.ts';
import { Agent, type AgentStatusFile } from '../../src/runtime/agent.ts';
import { type Identity, outboxPath, saveIdentity, statusPath } from '../../src/runtime/identity.ts';
import { waitFor } from '../link/helpers.ts';
import { crossing } from '../outbox/helpers.ts';
import { makeCa, makeServerCert } from '../support/certs.ts';
import { hubSigned, TEST_HUB_KEY } from '../support/hub-key.ts';
import { type LocalServer, publishRetained, refusedPort, startBroker } from '../support/servers.ts';

const dirs: string[] = [];
const servers: LocalServer[] = [];
let agent: Agent | undefined;
afterEach(async () => {
  await agent?.stop();
  agent = undefined;
});
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function identityFor(mqttUrl: string): Identity {
  return {
    deviceId: 'box-1',
    secret: 'a-secret-of-at-least-16-chars',
    hubUrl: 'https://hub.example:8443',
    mqttUrl,
    signingKey: TEST_HUB_KEY.publicKeyBase64,
  };
}

/** Starts a real agent for `mqttUrl` and returns its data folder. */
async function startAgent(mqttUrl: string, extra: { caPem?: string } = {}): Promise<string> {
  const dataDir = mkdtempSync(join(tmpdir(), 'oskartrack-status-'));
  dirs.push(dataDir);
  const identity: Identity = { ...identityFor(mqttUrl), ...extra };
  await saveIdentity(dataDir, identity);
  agent = new Agent({
    dataDir,
    identity,
    log: pino({ level: 'silent' }),
    statusFileMs: 50,
    link: { reconnectPeriodMs: 200, connectTimeoutMs: 5000 },
  });
  await agent.start();
  return dataDir;
}

function statusFile(dataDir: string): AgentStatusFile | undefined {
  if (!existsSync(statusPath(dataDir))) return undefined;
  try {
    return JSON.parse(readFileSync(statusPath(dataDir), 'utf8')) as AgentStatusFile;
  } catch {
    return undefined; // being replaced right now
  }
}

async function problemOf(dataDir: string, kind: LinkProblemKind): Promise<string> {
  await waitFor(`link problem ${kind}`, () => statusFile(dataDir)?.linkProblem?.kind === kind, 30_000);
  return statusReport(dataDir).text;
}

describe('oskartrack-agent status', () => {
  it('names the address, says the port refused, and cameras wait for the hub', async () => {
    const port = await refusedPort();
    const text = await problemOf(await startAgent(`mqtt://127.0.0.1:${port}`), 'refused');
    expect(text).toContain(
      `FAIL hub link: trying mqtt://127.0.0.1:${port}: 127.0.0.1:${port} refused the connection`,
    );
    expect(text).toContain(
      "next: 127.0.0.1 is this box itself: unless the hub runs on this box, enroll again with the hub's network address",
    );
    expect(text).toContain('FAIL cameras: waiting for the hub');
    expect(text).not.toContain('add one on the hub');
  }, 60_000);

  it('says a name that does not resolve cannot be found', async () => {
    const text = await problemOf(await startAgent('mqtt://hub.oskartrack.invalid:1883'), 'dns');
    expect(text).toContain(
      'FAIL hub link: trying mqtt://hub.oskartrack.invalid:1883: the name hub.oskartrack.invalid cannot be found (DNS)',
    );
    expect(text).toContain('FAIL cameras: waiting for the hub');
  }, 60_000);

  it('says refused credentials mean the box was revoked or deleted', async () => {
    const broker = await startBroker({ refuse: true });
    servers.push(broker);
    const text = await problemOf(await startAgent(`mqtt://127.0.0.1:${broker.port}`), 'credentials');
    expect(text).toContain("the hub refused this box's credentials (Connection refused: Not authorized)");
    expect(text).toContain('next: the box was revoked or deleted on the hub: make a new enrollment code');
  }, 60_000);

  it('says a certificate from another CA is not the pinned hub', async () => {
    const broker = await startBroker({ tls: makeServerCert(makeCa('the real hub')) });
    servers.push(broker);
    const url = `mqtts://127.0.0.1:${broker.port}`;
    const text = await problemOf(await startAgent(url, { caPem: makeCa('pinned').certPem }), 'tls-pinned-ca');
    expect(text).toContain('was not issued by the hub this box enrolled with (pinned CA mismatch)');
  }, 60_000);

  it('says the broker answers but the hub is offline, then waits for the configuration once it is online', async () => {
    const broker = await startBroker();
    servers.push(broker);
    await publishRetained(
      broker.broker,
      topics.hubStatus,
      hubSigned(topics.hubStatus, { v: 1, state: 'offline', at: Date.now() }),
    );
    const dataDir = await startAgent(`mqtt://127.0.0.1:${broker.port}`);
    const text = await problemOf(dataDir, 'hub-offline');
    expect(text).toContain(`answers, but the hub is offline`);
    expect(text).toContain('FAIL cameras: waiting for the hub');
    await publishRetained(
      broker.broker,
      topics.hubStatus,
      hubSigned(topics.hubStatus, { v: 1, state: 'online', at: Date.now() }),
    );
    await waitFor('hub online', () => statusFile(dataDir)?.link.hub === 'online', 30_000);
    const online = statusReport(dataDir).text;
    expect(online).toContain(`OK   hub link: connected to mqtt://127.0.0.1:${broker.port}, hub online`);
    expect(online).toContain('FAIL cameras: waiting for the hub to send the configuration');
  }, 60_000);

  it('takes a fresh status file of a process gone for an agent not running; says where to enroll', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'oskartrack-status-'));
    dirs.push(dataDir);
    expect(statusReport(dataDir).text).toContain(`--code CODE --data-dir ${dataDir}"`);
    await saveIdentity(dataDir, identityFor('mqtt://127.0.0.1:1'));
    const child = spawn(process.execPath, ['-e', '0']);
    await new Promise((r) => child.once('exit', r));
    writeFileSync(statusPath(dataDir), JSON.stringify({ at: Date.now(), pid: child.pid }));
    expect(statusReport(dataDir).text).toContain('FAIL agent is not running');
  });

  it('says events the hub has not confirmed for long are a problem, with what to do', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'oskartrack-status-'));
    dirs.push(dataDir);
    await saveIdentity(dataDir, identityFor('mqtt://127.0.0.1:1'));
    const outbox = new Outbox(outboxPath(dataDir));
    outbox.append([crossing(1)]);
    outbox.close();
    expect(statusReport(dataDir).text).toMatch(/OK {3}outbox: 1 events waiting/);
    const later = statusReport(dataDir, Date.now() + 11 * 60_000).text;
    expect(later).toMatch(
      /FAIL outbox: 1 events waiting, oldest 6\d\d s old\n {5}next: the hub has not confirmed them/,
    );
  });

  it('says the agent is not running, and which address it would try', async () => {
    const port = await refusedPort();
    const dataDir = await startAgent(`mqtt://127.0.0.1:${port}`);
    await agent?.stop();
    agent = undefined;
    const text = statusReport(dataDir, Date.now() + 60_000).text;
    expect(text).toContain(`FAIL agent is not running (it would connect to mqtt://127.0.0.1:${port})`);
  }, 60_000);
});
