// `serve --demo`: one demo store whose box plays the PETS 2009 clip in a loop as if it were a live
// camera, with areas and counting lines, so a new user sees tracking and numbers within a minute.
// The box is the real agent (`oskartrack-agent run`) in a child process, talking MQTT to this hub.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import { generateSecret, hashSecret } from './broker/credentials.ts';
import type { Repositories } from './db/repositories/index.ts';

export const DEMO_STORE_ID = 'demo-store';
export const DEMO_DEVICE_ID = 'demo-box';
export const DEMO_CAMERA_ID = 'demo-camera';
/** Debian's opencv-doc package ships the clip here; scripts/setup.sh installs it. */
export const DEMO_VIDEO = '/usr/share/doc/opencv-doc/examples/data/vtest.avi';

/** Areas and lines drawn for the PETS09 scene (768x576), as in agent/bench/pets09-scene.json. */
const AREAS = [
  {
    id: 'centre',
    name: 'Centre',
    polygon: [
      [330, 215],
      [520, 200],
      [560, 330],
      [350, 345],
    ],
  },
  {
    id: 'by-the-van',
    name: 'By the van',
    polygon: [
      [560, 145],
      [768, 135],
      [768, 215],
      [590, 235],
    ],
  },
  {
    id: 'east-path',
    name: 'East path',
    polygon: [
      [660, 270],
      [768, 270],
      [768, 470],
      [680, 460],
    ],
  },
] as const;
const LINES = [
  { id: 'west-line', name: 'West line', start: [250, 330], end: [250, 180], inSide: 'left' },
  { id: 'east-line', name: 'East line', start: [640, 240], end: [640, 460], inSide: 'right' },
] as const;

/** Creates the demo store, box, camera, areas and lines when missing; returns the box's new secret. */
export async function prepareDemo(repos: Repositories, video = DEMO_VIDEO): Promise<string> {
  if (!existsSync(video)) {
    throw new Error(
      `the demo clip ${video} is missing: install Debian's opencv-doc package (bash scripts/setup.sh)`,
    );
  }
  if (!(await repos.stores.find(DEMO_STORE_ID)))
    await repos.stores.create({ id: DEMO_STORE_ID, name: 'Demo store' });
  const secret = generateSecret();
  const hash = await hashSecret(secret);
  if (await repos.devices.find(DEMO_DEVICE_ID)) await repos.devices.setCredential(DEMO_DEVICE_ID, hash);
  else
    await repos.devices.create({
      id: DEMO_DEVICE_ID,
      storeId: DEMO_STORE_ID,
      name: 'Demo camera unit',
      credentialHash: hash,
    });
  if (!(await repos.cameras.find(DEMO_CAMERA_ID))) {
    await repos.cameras.create({
      id: DEMO_CAMERA_ID,
      storeId: DEMO_STORE_ID,
      deviceId: DEMO_DEVICE_ID,
      name: 'Demo camera (PETS 2009)',
      source: video,
      fps: 7,
      frameWidth: 768,
      frameHeight: 576,
    });
    for (const a of AREAS) {
      await repos.zones.createZone({
        ...a,
        cameraId: DEMO_CAMERA_ID,
        polygon: a.polygon.map(([x, y]) => [x, y]),
      });
    }
    for (const l of LINES) {
      await repos.zones.createLine({ ...l, cameraId: DEMO_CAMERA_ID, start: [...l.start], end: [...l.end] });
    }
  }
  return secret;
}

/** Starts the demo box as a child process; it is stopped with the returned function. */
export async function startDemoAgent(opts: {
  dataDir: string;
  secret: string;
  hubUrl: string;
  mqttUrl: string;
  /** The hub's public signing key (base64 SPKI): the box checks every hub message with it. */
  signingKey: string;
  /** The hub's CA (PEM) when it serves TLS: the demo box trusts only it. */
  caPem?: string;
  /** An external broker's own CA (`--mqtt-ca`): the demo box trusts it for MQTT. */
  mqttCaPem?: string;
  log: Logger;
}): Promise<() => Promise<void>> {
  const agentDir = join(opts.dataDir, 'demo-agent');
  await mkdir(agentDir, { recursive: true, mode: 0o700 });
  const identity = {
    deviceId: DEMO_DEVICE_ID,
    secret: opts.secret,
    hubUrl: opts.hubUrl,
    mqttUrl: opts.mqttUrl,
    signingKey: opts.signingKey,
    ...(opts.caPem ? { caPem: opts.caPem } : {}),
    ...(opts.mqttCaPem ? { mqttCaPem: opts.mqttCaPem } : {}),
  };
  await writeFile(join(agentDir, 'agent.json'), JSON.stringify(identity, null, 2), { mode: 0o600 });
  const bin = fileURLToPath(import.meta.resolve('@oskartrack/agent/bin/oskartrack-agent.js'));
  let child: ChildProcess | undefined;
  let stopping = false;
  const launch = () => {
    child = spawn(process.execPath, [bin, 'run', '--data-dir', agentDir], {
      stdio: ['ignore', 'inherit', 'inherit'],
      env: { ...process.env, OSKARTRACK_DATA_DIR: agentDir },
    });
    child.on('exit', (code, signal) => {
      if (stopping) return;
      opts.log.error({ code, signal }, 'the demo box stopped; starting it again in 5 s');
      setTimeout(launch, 5000).unref();
    });
  };
  launch();
  opts.log.info(
    { deviceId: DEMO_DEVICE_ID },
    'demo box started: it plays the PETS 2009 clip as a live camera',
  );
  return async () => {
    stopping = true;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((r) => child!.once('exit', r));
    child.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
    if (child.exitCode === null) child.kill('SIGKILL');
  };
}
