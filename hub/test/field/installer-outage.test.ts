/**
 * The installer's flow on two machines: the hub (`oskartrack-hub serve`, bound to all interfaces as an
 * installer starts it) in one network namespace, the box in another, joined by a veth link. The box is
 * enrolled with nothing but the hub's address and the code, runs the real agent on a camera (the PETS
 * 2009 clip as a file on the box) next to a fast synthetic box, and the cable is pulled for 2 minutes:
 * both boxes keep counting, notice the hub is gone, and after the link comes back (and a SIGKILL of the
 * agent) every seq is stored exactly once.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { outboxOnDisk, sleep, VIDEO } from '../system/helpers.ts';
import {
  AGENT_BIN,
  agentCommand,
  boxState,
  enrolledBox,
  exactlyOnce,
  FieldHub,
  startFieldBox,
  waitFor,
} from './field.ts';
import { FieldNet } from './netns.ts';

const OUTAGE_MS = 120_000;

let net: FieldNet;
let work: string;

beforeAll(async () => {
  net = await FieldNet.create();
  work = mkdtempSync(join(tmpdir(), 'oskartrack-field-'));
});

afterAll(async () => {
  await net?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

interface StatusFile {
  pid: number;
  link: { connected: boolean; hub: string };
  cameras: { cameraId: string; state: string }[];
}

function readJson<T>(path: string): T | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T;
  } catch {
    return undefined; // not written yet, or being replaced
  }
}

const isLoopback = (url: string) => /^(127\.|localhost$|\[?::1\]?$)/.test(new URL(url).hostname);

describe('a box in another network', () => {
  it('enrolls with the hub address and a code, survives a 2-minute pulled cable and a SIGKILL, stores every seq once', async () => {
    const hub = new FieldHub(net, join(work, 'hub'), { host: '0.0.0.0' });
    await hub.start();
    const why = () => hub.output();

    // The admin prepares two boxes' worth of store: a real camera and a synthetic one.
    const real = await hub.store('Corner shop', VIDEO);
    await hub.api.ok('POST', `/api/cameras/${real.cameraId}/zones`, {
      name: 'Centre',
      polygon: [
        [330, 215],
        [520, 200],
        [560, 330],
        [350, 345],
      ],
    });

    // On the box: the hub's address and the code, nothing else. The code carries the fingerprint of
    // the hub's CA; with one changed character the box refuses the hub (before handing it the code).
    const agentDir = join(work, 'agent');
    const code = await hub.enrollmentCode(real.storeId);
    const cut = code.lastIndexOf('-');
    expect(cut, `no fingerprint in the code ${code}`).toBeGreaterThan(0);
    const last = code.at(-1);
    const forged = await agentCommand(net, [
      'enroll',
      '--hub',
      hub.url,
      '--code',
      `${code.slice(0, -1)}${last === '0' ? '1' : '0'}`,
      '--data-dir',
      agentDir,
    ]);
    expect(forged.code, forged.stdout).toBe(1);
    expect(forged.stderr).toMatch(/fingerprint|certificate/i);
    expect(existsSync(join(agentDir, 'agent.json'))).toBe(false);
    const enrolled = await agentCommand(net, [
      'enroll',
      '--hub',
      hub.url,
      '--code',
      code,
      '--data-dir',
      agentDir,
    ]);
    expect(enrolled.stderr, enrolled.stdout).toBe('');
    expect(enrolled.code).toBe(0);
    const identity = readJson<{ deviceId: string; mqttUrl: string; hubUrl: string; caPem?: string }>(
      join(agentDir, 'agent.json'),
    );
    expect(identity).toBeDefined();
    const deviceId = identity!.deviceId;
    // What the hub handed over works from the box's side: its address on the link, never loopback.
    expect(isLoopback(identity!.mqttUrl), identity!.mqttUrl).toBe(false);
    expect(new URL(identity!.mqttUrl).hostname).toBe(net.hubAddr);
    expect(new URL(identity!.mqttUrl).protocol).toBe('mqtts:');
    expect(identity!.caPem).toMatch(/BEGIN CERTIFICATE/);
    await hub.api.ok('PATCH', `/api/cameras/${real.cameraId}`, { deviceId });

    // A second box beside it, without a camera: the agent's outbox and link fed 20 events a second.
    const synthetic = await enrolledBox(net, hub, 'Back shop', work);
    const boxId = synthetic.deviceId;

    let agent = net.spawnNode(net.boxNs, AGENT_BIN, ['run', '--data-dir', agentDir]);
    const agentWhy = () => `agent:\n${agent.stdout().slice(-3000)}\n${agent.stderr().slice(-3000)}\n${why()}`;
    const box = startFieldBox(net, synthetic.dir, synthetic, { rate: 20 });
    const status = () => readJson<StatusFile>(join(agentDir, 'status.json'));
    const online = async (id: string) =>
      (await hub.api.ok<{ online: boolean }>('GET', `/api/devices/${id}`)).online;

    await waitFor(
      'the camera running on the box',
      () => status()?.cameras[0]?.state === 'running',
      90_000,
      250,
    ).catch((err: Error) => {
      throw new Error(`${err.message}\n${agentWhy()}`);
    });
    await waitFor(
      'real events stored',
      async () => (await hub.storedSeqs(real.cameraId, deviceId)).length >= 1,
      120_000,
      500,
    ).catch((err: Error) => {
      throw new Error(`${err.message}\n${agentWhy()}`);
    });
    await waitFor('the synthetic box delivering', () => (boxState(box)?.ackedUpTo ?? 0) >= 40, 60_000, 200);

    // The cable is pulled for 2 minutes.
    await net.linkDown();
    const down = Date.now();
    const beforeAgent = outboxOnDisk(join(agentDir, 'outbox.sqlite')).lastSeq;
    const beforeBox = boxState(box)!.lastSeq;
    // Both sides notice on their own (keepalive), well within the outage.
    await waitFor('the box sees the link down', () => boxState(box)?.connected === false, OUTAGE_MS, 500);
    await waitFor('the agent sees the link down', () => status()?.link.connected === false, OUTAGE_MS, 500);
    // What the installer sees on the box meanwhile: the address it tries, and that it fails.
    const report = await agentCommand(net, ['status', '--data-dir', agentDir]);
    expect(report.code, report.stdout).toBe(1);
    expect(report.stdout).toContain(`${net.hubAddr}:8883`);
    expect(report.stdout).not.toMatch(/127\.0\.0\.1|localhost/);
    await waitFor(
      'the hub shows both boxes offline',
      async () => !(await online(deviceId)) && !(await online(boxId)),
      OUTAGE_MS,
      1000,
    );
    await sleep(Math.max(0, OUTAGE_MS - (Date.now() - down)));
    expect(agent.alive()).toBe(true);
    expect(boxState(box)!.lastSeq).toBeGreaterThan(beforeBox + 1000); // kept counting meanwhile
    await net.linkUp();

    await waitFor(
      'both boxes online again',
      async () => (await online(deviceId)) && (await online(boxId)),
      120_000,
      1000,
    );

    // The agent is killed outright, and started again.
    agent.signal('SIGKILL');
    await agent.exited;
    agent = net.spawnNode(net.boxNs, AGENT_BIN, ['run', '--data-dir', agentDir]);
    await waitFor(
      'the agent back online',
      async () => status()?.pid === agent.pid && (await online(deviceId)),
      90_000,
      500,
    );

    // Stop counting; everything drains, once.
    box.signal('SIGUSR1');
    await hub.api.ok('PATCH', `/api/cameras/${real.cameraId}`, { enabled: false });
    await waitFor('the camera stopped', () => status()?.cameras.length === 0, 60_000, 250);
    const outbox = join(agentDir, 'outbox.sqlite');
    await waitFor('the agent drained', () => outboxOnDisk(outbox).depth === 0, 120_000, 500);
    await waitFor(
      'the box drained',
      () => {
        const s = boxState(box);
        return s !== undefined && !s.appending && s.depth === 0;
      },
      120_000,
      250,
    );

    const agentSeq = outboxOnDisk(outbox).lastSeq;
    const boxSeq = boxState(box)!.lastSeq;
    const agentStored = await hub.storedSeqs(real.cameraId, deviceId);
    const boxStored = await hub.storedSeqs(synthetic.cameraId, boxId);
    expect(exactlyOnce(agentStored, agentSeq)).toEqual({ gaps: 0, duplicates: 0 });
    expect(agentStored.length).toBe(agentSeq);
    expect(exactlyOnce(boxStored, boxSeq)).toEqual({ gaps: 0, duplicates: 0 });
    expect(boxStored.length).toBe(boxSeq);
    expect(agentSeq).toBeGreaterThanOrEqual(beforeAgent);
    console.info(
      `field outage: real agent ${agentSeq} events, synthetic box ${boxSeq} events stored exactly once across a ${Math.round((Date.now() - down) / 1000)} s pulled cable and a SIGKILL`,
    );
  }, 600_000);
});
