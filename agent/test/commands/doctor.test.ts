// `oskartrack-agent doctor` against real local servers: a refused port, a name that never resolves,
// a broker that refuses the box's login, a TLS server whose certificate does not chain to the pinned
// CA, and a working hub address and broker (plain and TLS).
import { execFile } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { DeviceConfig } from '@oskartrack/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { doctor } from '../../src/commands/doctor.ts';
import { makeCa, makeServerCert, type ServerCert, type TestCa } from '../support/certs.ts';
import { type LocalServer, refusedPort, startBroker, startHttp } from '../support/servers.ts';

const cli = join(import.meta.dirname, '..', '..', 'bin', 'oskartrack-agent.js');
const video = join(import.meta.dirname, '..', '..', '..', '..', 'shared', 'data', 'pets09-s2l1', 'vtest.avi');
const dirs: string[] = [];
const servers: LocalServer[] = [];
afterAll(async () => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  await Promise.all(servers.map((s) => s.close()));
});

interface BoxSetup {
  hubUrl: string;
  mqttUrl: string;
  caPem?: string;
  cameras?: DeviceConfig['cameras'];
  mode?: number;
}

function box(setup: BoxSetup): string {
  const dir = mkdtempSync(join(tmpdir(), 'oskartrack-doctor-'));
  dirs.push(dir);
  const identity = {
    deviceId: 'box-1',
    secret: 'a-secret-of-at-least-16-chars',
    hubUrl: setup.hubUrl,
    mqttUrl: setup.mqttUrl,
    ...(setup.caPem ? { caPem: setup.caPem } : {}),
  };
  writeFileSync(join(dir, 'agent.json'), JSON.stringify(identity), { mode: 0o600 });
  chmodSync(join(dir, 'agent.json'), setup.mode ?? 0o600);
  if (setup.cameras) {
    const config: DeviceConfig = {
      v: 1,
      revision: 1,
      cameras: setup.cameras,
      detector: { kind: 'hog', scoreThreshold: 0.5, everyNth: 1, motionGate: false },
      live: { enabled: false, maxFps: 5 },
    };
    writeFileSync(join(dir, 'config.json'), JSON.stringify(config));
  }
  return dir;
}

const run = (dataDir: string) => doctor({ dataDir, timeoutMs: 5000 });

let rightCa: TestCa;
let serverCert: ServerCert;
let plainHttp: LocalServer;
let plainBroker: LocalServer;

beforeAll(async () => {
  rightCa = makeCa('right CA');
  serverCert = makeServerCert(rightCa);
  plainHttp = await startHttp();
  plainBroker = await startBroker();
  servers.push(plainHttp, plainBroker);
}, 60_000);

describe('oskartrack-agent doctor', () => {
  it('passes every line with a hub address and a broker that answer and accept the box', async () => {
    const dir = box({
      hubUrl: `http://127.0.0.1:${plainHttp.port}`,
      mqttUrl: `mqtt://127.0.0.1:${plainBroker.port}`,
    });
    const r = await run(dir);
    expect(r.text).not.toContain('FAIL');
    expect(r.text).toContain(`hub web address: http://127.0.0.1:${plainHttp.port} answers (HTTP 200)`);
    expect(r.text).toContain('MQTT login as box-1 accepted');
    expect(r.text).toContain('is writable');
    expect(r.text).toMatch(/GiB free/);
    expect(r.ok).toBe(true);
  });

  it('names a refused port and says to check the hub is running', async () => {
    const port = await refusedPort();
    const r = await run(box({ hubUrl: `http://127.0.0.1:${port}`, mqttUrl: `mqtt://127.0.0.1:${port}` }));
    expect(r.ok).toBe(false);
    expect(r.text).toContain(`MQTT address: 127.0.0.1:${port} refused the connection`);
    expect(r.text).toMatch(/next: 127\.0\.0\.1 is this box itself/);
  }, 30_000);

  it('says a name that never resolves cannot be found (DNS)', async () => {
    const r = await run(
      box({ hubUrl: 'https://hub.oskartrack.invalid:8443', mqttUrl: 'mqtts://hub.oskartrack.invalid:8883' }),
    );
    expect(r.ok).toBe(false);
    expect(r.text).toContain('FAIL hub web address: the name hub.oskartrack.invalid cannot be found (DNS)');
    expect(r.text).toContain('FAIL MQTT address: the name hub.oskartrack.invalid cannot be found (DNS)');
  }, 30_000);

  it('says a refused login means the box was revoked or deleted, and to enroll again', async () => {
    const refusing = await startBroker({ refuse: true });
    servers.push(refusing);
    const r = await run(
      box({ hubUrl: `http://127.0.0.1:${plainHttp.port}`, mqttUrl: `mqtt://127.0.0.1:${refusing.port}` }),
    );
    expect(r.ok).toBe(false);
    expect(r.text).toContain(`OK   MQTT address: 127.0.0.1:${refusing.port} accepts connections`);
    expect(r.text).toContain(
      "FAIL MQTT login: the hub refused this box's credentials (Connection refused: Not authorized)",
    );
    expect(r.text).toMatch(/next: the box was revoked or deleted on the hub: make a new enrollment code/);
  }, 30_000);

  it('refuses a TLS server whose certificate does not chain to the pinned CA, and accepts the right one', async () => {
    const tlsHttp = await startHttp(serverCert);
    const tlsBroker = await startBroker({ tls: serverCert });
    servers.push(tlsHttp, tlsBroker);
    const urls = {
      hubUrl: `https://127.0.0.1:${tlsHttp.port}`,
      mqttUrl: `mqtts://127.0.0.1:${tlsBroker.port}`,
    };
    const wrong = await run(box({ ...urls, caPem: makeCa('another CA').certPem }));
    expect(wrong.ok).toBe(false);
    expect(wrong.text).toContain(
      `FAIL MQTT address TLS: the certificate at 127.0.0.1:${tlsBroker.port} was not issued by the hub this box enrolled with (pinned CA mismatch)`,
    );
    expect(wrong.text).toContain('FAIL hub web address TLS: the certificate at');
    const right = await run(box({ ...urls, caPem: rightCa.certPem }));
    expect(right.text).toContain('TLS certificate of 127.0.0.1');
    expect(right.text).toContain('MQTT login as box-1 accepted');
    expect(right.text).not.toContain('FAIL');
  }, 60_000);

  it('says when the certificate is made out to another name', async () => {
    const otherName = makeServerCert(rightCa, ['DNS:elsewhere.example']);
    const tlsBroker = await startBroker({ tls: otherName });
    servers.push(tlsBroker);
    const r = await run(
      box({
        hubUrl: `http://127.0.0.1:${plainHttp.port}`,
        mqttUrl: `mqtts://127.0.0.1:${tlsBroker.port}`,
        caPem: rightCa.certPem,
      }),
    );
    expect(r.text).toContain(
      `FAIL MQTT address TLS: the certificate at 127.0.0.1:${tlsBroker.port} is made out to another name`,
    );
  }, 30_000);

  it('fails an identity file other users can read, and a camera file missing on the box', async () => {
    const dir = box({
      hubUrl: `http://127.0.0.1:${plainHttp.port}`,
      mqttUrl: `mqtt://127.0.0.1:${plainBroker.port}`,
      mode: 0o644,
      cameras: [{ id: 'cam-1', name: 'Door', source: '/nonexistent/door.mp4', zones: [], lines: [] }],
    });
    const r = await run(dir);
    expect(r.ok).toBe(false);
    expect(r.text).toContain('can be read by other users (mode 644)');
    expect(r.text).toContain(`next: chmod 600 ${dir}/agent.json`);
    expect(r.text).toMatch(/FAIL camera Door: .*\/nonexistent\/door\.mp4.*does not exist/);
  }, 60_000);

  it('opens a camera file that is a real video, and fails one that is not', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'oskartrack-doctor-'));
    dirs.push(folder);
    writeFileSync(join(folder, 'till.mp4'), 'not a video at all');
    const dir = box({
      hubUrl: `http://127.0.0.1:${plainHttp.port}`,
      mqttUrl: `mqtt://127.0.0.1:${plainBroker.port}`,
      cameras: [
        { id: 'cam-1', name: 'Door', source: video, zones: [], lines: [] },
        { id: 'cam-2', name: 'Till', source: join(folder, 'till.mp4'), zones: [], lines: [] },
      ],
    });
    const r = await run(dir);
    expect(r.text).toMatch(/OK {3}camera Door: .*vtest\.avi opens as a 768x576 video/);
    expect(r.text).toMatch(/FAIL camera Till: /);
  }, 60_000);

  it('exits with code 1 from the command line when something failed', async () => {
    const port = await refusedPort();
    const dir = box({ hubUrl: `http://127.0.0.1:${port}`, mqttUrl: `mqtt://127.0.0.1:${port}` });
    const exec = promisify(execFile);
    const r = await exec(process.execPath, [cli, 'doctor', '--data-dir', dir, '--timeout', '5']).then(
      (ok) => ({ code: 0, stdout: ok.stdout }),
      (err: { code: number; stdout: string }) => ({ code: err.code, stdout: err.stdout }),
    );
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`FAIL hub web address: 127.0.0.1:${port} refused the connection`);
  }, 60_000);
});
