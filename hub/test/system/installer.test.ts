/**
 * The installer's flow, end to end with real processes: an admin prepares a store on the hub (store,
 * camera on the PETS 2009 clip, area, line, enrollment code) through the HTTP API; the box is enrolled
 * with `oskartrack-agent enroll`, runs with `oskartrack-agent run` (the real agent: HOG detector,
 * tracker, zones, outbox, MQTT), and `oskartrack-agent status` tells the installer all is well. An area
 * redrawn on the hub reaches the running agent without a restart; a used or expired code is refused in
 * plain words; and every event the agent appended is stored exactly once. The hub runs as installed:
 * HTTPS and MQTT over TLS with its own certificate authority, which the box pins through the code.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { hubRequest } from '@oskartrack/agent/runtime/hub-request';
import type { DeviceConfig } from '@oskartrack/protocol';
import { sql } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import {
  AGENT_BIN,
  Api,
  hourlyEntries,
  outboxOnDisk,
  postgresSettings,
  Resources,
  range,
  runNode,
  spawnNode,
  startTestHub,
  storedCrossingsIn,
  storedSeqs,
  tempDir,
  VIDEO,
  waitFor,
} from './helpers.ts';

const resources = new Resources();
afterEach(() => resources.release());

interface StatusFile {
  at: number;
  pid: number;
  configRevision: number;
  detector: string | null;
  link: { connected: boolean; hub: string };
  cameras: { cameraId: string; state: string; fps: number }[];
}

function readJson<T>(path: string): T | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T;
  } catch {
    return undefined; // not written yet
  }
}

const CENTRE = [
  [330, 215],
  [520, 200],
  [560, 330],
  [350, 345],
];
const CENTRE_MOVED = [
  [300, 200],
  [540, 190],
  [580, 350],
  [320, 360],
];

describe('installer flow', () => {
  it('enrolls a box with a one-time code, counts on a real camera, applies a redrawn area live, loses nothing', async () => {
    const started = Date.now();
    const hubDir = tempDir(resources, 'hub');
    const hub = await startTestHub(resources, postgresSettings(resources, hubDir), { tls: true });
    expect(hub.admin).toBeDefined();
    expect(hub.url).toMatch(/^https:/);
    const ca = hub.tls!.caPem;
    const api = await Api.login(hub.url, hub.admin!.name, hub.admin!.password, ca);
    // The dashboard (or, not built, a line saying so) at the hub's address, deep links included.
    const built = existsSync(fileURLToPath(new URL('../../../dashboard/dist/index.html', import.meta.url)));
    const page = await hubRequest(new URL(built ? '/stores/some-store' : '/', hub.url), {
      method: 'GET',
      ca,
    });
    expect(page.status).toBe(200);
    expect(page.contentType).toMatch(built ? /^text\/html/ : /^text\/plain/);
    expect((await api.call('GET', '/api/no-such-thing')).status).toBe(404);

    // The admin prepares the store.
    const store = await api.ok<{ id: string }>('POST', '/api/stores', {
      name: 'Corner shop',
      timezone: 'Europe/Berlin',
    });
    const camera = await api.ok<{ id: string; source: string }>('POST', '/api/cameras', {
      storeId: store.id,
      name: 'Entrance',
      source: VIDEO,
      fps: 7,
      frameWidth: 768,
      frameHeight: 576,
    });
    const zone = await api.ok<{ id: string }>('POST', `/api/cameras/${camera.id}/zones`, {
      name: 'Centre',
      polygon: CENTRE,
    });
    await api.ok('POST', `/api/cameras/${camera.id}/lines`, {
      name: 'West line',
      start: [250, 330],
      end: [250, 180],
      inSide: 'left',
    });
    const code = await api.ok<{ id: string; code: string; command: string }>(
      'POST',
      `/api/stores/${store.id}/enrollment-codes`,
      { ttlMinutes: 30 },
    );

    // On the box: enroll, then run.
    const agentDir = tempDir(resources, 'box');
    const enrolled = await runNode(resources, AGENT_BIN, [
      'enroll',
      '--hub',
      hub.url,
      '--code',
      code.code,
      '--name',
      'Till box',
      '--data-dir',
      agentDir,
    ]);
    expect(code.command).toBe(`npx --no oskartrack-agent enroll --hub ${hub.url} --code ${code.code}`);
    expect(enrolled.stderr).toBe('');
    expect(enrolled.code).toBe(0);
    const deviceId = /Enrolled as (\S+)\./.exec(enrolled.stdout)?.[1];
    expect(deviceId).toBeDefined();
    const identity = readJson<{ deviceId: string; mqttUrl: string }>(join(agentDir, 'agent.json'));
    expect(hub.mqttUrl).toMatch(/^mqtts:/);
    expect(identity).toMatchObject({ deviceId, mqttUrl: hub.mqttUrl, hubUrl: hub.url, caPem: ca });
    const device = await api.ok<{ name: string; storeId: string }>('GET', `/api/devices/${deviceId}`);
    expect(device).toMatchObject({ name: 'Till box', storeId: store.id });
    await api.ok('PATCH', `/api/cameras/${camera.id}`, { deviceId });

    const agent = spawnNode(resources, AGENT_BIN, ['run', '--data-dir', agentDir]);
    const why = () => `agent output:\n${agent.stdout().slice(-4000)}\n${agent.stderr().slice(-4000)}`;
    const statusPath = join(agentDir, 'status.json');
    const status = () => readJson<StatusFile>(statusPath);

    await waitFor(
      'the box online on the hub',
      async () => (await api.ok<{ online: boolean }>('GET', `/api/devices/${deviceId}`)).online,
      30_000,
      200,
    ).catch((err: Error) => {
      throw new Error(`${err.message}\n${why()}`);
    });
    await waitFor(
      'the retained config applied: the camera running',
      () => {
        const s = status();
        return s !== undefined && s.configRevision >= 1 && s.cameras[0]?.state === 'running';
      },
      30_000,
      100,
    ).catch((err: Error) => {
      throw new Error(`${err.message}\n${why()}`);
    });
    const config = readJson<DeviceConfig>(join(agentDir, 'config.json'));
    expect(config?.cameras.map((c) => c.id)).toEqual([camera.id]);
    expect(config?.cameras[0]?.source).toBe(camera.source);
    expect(status()?.pid).toBe(agent.proc.pid);

    // The real engine's events reach the database.
    await waitFor(
      'events stored',
      async () => (await storedSeqs(hub.db.db, deviceId!)).length >= 2,
      60_000,
      250,
    ).catch((err: Error) => {
      throw new Error(`${err.message}\n${why()}`);
    });

    // What the installer sees on the box.
    await waitFor('a fresh status file with the hub online', () => status()?.link.hub === 'online', 10_000);
    const report = await runNode(resources, AGENT_BIN, ['status', '--data-dir', agentDir]);
    expect(report.stdout).toMatch(new RegExp(`^OK +enrolled as ${deviceId} with hub ${hub.url}$`, 'm'));
    expect(report.stdout).toMatch(new RegExp(`^OK +agent running \\(pid ${agent.proc.pid}\\)$`, 'm'));
    expect(report.stdout).toMatch(/^OK +camera Entrance: running/m);
    expect(report.stdout).toMatch(/^OK +detector: hog$/m);
    expect(report.stdout).toMatch(new RegExp(`^OK +hub link: connected to ${hub.mqttUrl}, hub online$`, 'm'));
    expect(report.stdout).toMatch(/^OK +outbox: \d+ events waiting/m);
    expect(report.stdout).not.toMatch(/^FAIL/m);
    expect(report.code).toBe(0);

    // The admin redraws the area: the running agent takes the new revision, same process.
    const before = status()!.configRevision;
    await api.ok('PATCH', `/api/zones/${zone.id}`, { polygon: CENTRE_MOVED });
    await waitFor('the new revision applied', () => (status()?.configRevision ?? 0) > before, 20_000, 100);
    expect(status()?.pid).toBe(agent.proc.pid);
    expect(agent.alive()).toBe(true);
    const applied = readJson<DeviceConfig>(join(agentDir, 'config.json'));
    expect(applied?.revision).toBeGreaterThan(before);
    expect(applied?.cameras[0]?.zones[0]?.polygon).toEqual(CENTRE_MOVED);
    expect(status()?.cameras[0]?.state).toBe('running'); // the camera was not restarted
    await waitFor(
      'the hub sees the revision the box runs',
      async () =>
        (await api.ok<{ configRevision: number }>('GET', `/api/devices/${deviceId}`)).configRevision ===
        applied?.revision,
      10_000,
      200,
    );

    // A code works once, and not after it expired.
    const again = await runNode(resources, AGENT_BIN, [
      'enroll',
      '--hub',
      hub.url,
      '--code',
      code.code,
      '--data-dir',
      tempDir(resources, 'box2'),
    ]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(
      'the hub refused the code (400): this enrollment code was already used; create a new one in the dashboard',
    );
    const old = await api.ok<{ id: string; code: string }>(
      'POST',
      `/api/stores/${store.id}/enrollment-codes`,
      {
        ttlMinutes: 5,
      },
    );
    await hub.db.db.execute(
      sql`UPDATE enrollment_codes SET expires_at = now() - interval '1 second' WHERE id = ${old.id}`,
    );
    const late = await runNode(resources, AGENT_BIN, [
      'enroll',
      '--hub',
      hub.url,
      '--code',
      old.code,
      '--data-dir',
      tempDir(resources, 'box3'),
    ]);
    expect(late.code).toBe(1);
    expect(late.stderr).toContain('this enrollment code has expired; create a new one in the dashboard');
    expect((await api.ok<unknown[]>('GET', `/api/devices?storeId=${store.id}`)).length).toBe(1);

    // The camera is switched off: everything the agent appended is stored exactly once.
    await api.ok('PATCH', `/api/cameras/${camera.id}`, { enabled: false });
    await waitFor('the camera stopped', () => status()?.cameras.length === 0, 20_000, 100);
    const outbox = join(agentDir, 'outbox.sqlite');
    let stored: number[] = [];
    await waitFor(
      'the outbox drained',
      async () => {
        const o = outboxOnDisk(outbox);
        stored = await storedSeqs(hub.db.db, deviceId!);
        return o.depth === 0 && stored.length === o.lastSeq;
      },
      20_000,
      200,
    );
    const { lastSeq } = outboxOnDisk(outbox);
    expect(lastSeq).toBeGreaterThanOrEqual(2);
    expect(stored).toEqual(range(1, lastSeq));
    expect(await hourlyEntries(hub.db.db, store.id)).toBe(await storedCrossingsIn(hub.db.db, deviceId!));

    // Stopped on the box: the hub shows it offline.
    await agent.stop();
    expect((await agent.exited).code).toBe(0);
    await waitFor(
      'the box offline on the hub',
      async () => !(await api.ok<{ online: boolean }>('GET', `/api/devices/${deviceId}`)).online,
      10_000,
      100,
    );
    console.info(
      `installer flow: ${lastSeq} events from the real agent stored exactly once in ${Date.now() - started} ms`,
    );
  }, 150_000);
});
