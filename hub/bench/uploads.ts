/**
 * Counting an uploaded recording, against `oskartrack-agent process` on the same file with the same
 * detector, and how quickly the hub's API answers meanwhile.
 *
 *   node --import tsx hub/bench/uploads.ts [--frames 147] [--detector hog|yolox] [--write]
 *
 * The clip is the first `--frames` frames of the PETS 2009 video (7 frames per second: 147 frames are
 * the 21 s of the report). `process` runs as a user runs it (its CLI, default settings), at the
 * upload worker's priority (nice +10 over this process), so both get the same share of a busy CPU.
 * The upload goes through a whole hub (`startHub`, the embedded database in a temporary folder, real
 * HTTP) from the POST to the job's `done`, twice: the first upload starts the hub's upload worker,
 * the second finds it running. Each also reports the worker's own rate (frames per second once its
 * pipeline is open), which `process` prints too. While the hub counts, `GET /api/health` is asked
 * every 200 ms; the same is measured on the idle hub first. YOLOX uses the nano model from
 * ../shared/models. `--write` puts the table into docs/benchmarks.md between the `uploads` markers
 * (`uploads-yolox` for YOLOX).
 */
import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, getPriority, loadavg, setPriority, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { UploadJob } from '@oskartrack/protocol';
import { pino } from 'pino';
import { writeBenchTable } from '../../agent/bench/bench-doc.ts';
import { cutClip } from '../../agent/test/support/clip.ts';
import { createUser } from '../src/api/users-command.ts';
import { openDatabase } from '../src/db/database.ts';
import { createRepositories } from '../src/db/repositories/index.ts';
import { startHub } from '../src/server.ts';
import { workerNice } from '../src/uploads/worker-process.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const AGENT = join(ROOT, 'agent/bin/oskartrack-agent.js');
const args = process.argv.slice(2);
const arg = (name: string, fallback: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] ? args[i + 1]! : fallback;
};
const FRAMES = Number(arg('frames', '147'));
const DETECTOR = arg('detector', 'hog');
const PASSWORD = 'bench-password-123';
const MODEL = join(ROOT, '../shared/models/yolox_nano.onnx');

/** `oskartrack-agent process` on the clip: wall seconds and what it printed about its speed. */
async function timeProcess(clip: string): Promise<{ seconds: number; line: string; nice: number }> {
  const started = performance.now();
  let out = '';
  const model = DETECTOR === 'yolox' ? ['--model', MODEL] : [];
  const child = spawn(
    process.execPath,
    [AGENT, 'process', clip, '--detector', DETECTOR, ...model, '--fps', '7'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  // The upload worker's priority, set the same way (worker-process.ts).
  setPriority(child.pid!, workerNice());
  const nice = getPriority(child.pid!);
  child.stdout.on('data', (c: Buffer) => {
    out += c.toString();
  });
  child.stderr.on('data', (c: Buffer) => {
    out += c.toString();
  });
  const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
  if (code !== 0) throw new Error(`oskartrack-agent process failed (${code}): ${out.slice(-500)}`);
  const line = out.split('\n').find((l) => l.startsWith('Processed ')) ?? '';
  return { seconds: (performance.now() - started) / 1000, line, nice };
}

/** Asks `GET /api/health` every 200 ms until `stop`; returns each answer's time in ms. */
function probeApi(url: string, stop: { done: boolean }): Promise<number[]> {
  return (async () => {
    const times: number[] = [];
    while (!stop.done) {
      const t = performance.now();
      const r = await fetch(`${url}/api/health`);
      await r.arrayBuffer();
      if (r.status !== 200) throw new Error(`health answered ${r.status}`);
      times.push(performance.now() - t);
      await new Promise((res) => setTimeout(res, 200));
    }
    return times;
  })();
}

function quantile(xs: number[], q: number): number {
  if (xs.length === 0) return 0;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
}

interface Uploaded {
  seconds: number;
  job: UploadJob;
  /** The hub's upload worker process: the same for both uploads unless it was restarted. */
  pid: number | undefined;
}

async function uploadThroughHub(clip: string) {
  const dataDir = mkdtempSync(join(tmpdir(), 'oskartrack-bench-uploads-'));
  if (DETECTOR === 'yolox') {
    mkdirSync(join(dataDir, 'models'));
    copyFileSync(MODEL, join(dataDir, 'models', 'yolox_nano.onnx'));
  }
  const handle = await openDatabase({ databaseUrl: undefined, dataDir });
  await handle.migrate();
  const repos = createRepositories(handle.db);
  await createUser(repos, { name: 'bench', password: PASSWORD, role: 'admin' });
  const store = await repos.stores.create({ id: 'bench-store', name: 'Bench store' });
  // One camera per upload: the same file twice on one camera is refused as counted already.
  const cameras = await Promise.all(
    ['Door', 'Till'].map((name) =>
      repos.cameras.create({ storeId: store.id, name, source: 'rtsp://10.0.0.9/stream' }),
    ),
  );
  const hub = await startHub({
    settings: {
      databaseUrl: undefined,
      databaseSchema: undefined,
      dataDir,
      jwtSecret: `bench-${Date.now()}-secret-secret`,
    },
    log: pino({ level: 'silent' }),
    port: 0,
    host: '127.0.0.1',
    mqttPort: 0,
    insecure: true,
    db: handle,
  });
  try {
    const login = await fetch(`${hub.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'bench', password: PASSWORD }),
    });
    const token = ((await login.json()) as { accessToken: string }).accessToken;
    const idleStop = { done: false };
    const idle = probeApi(hub.url, idleStop);
    await new Promise((res) => setTimeout(res, 4000));
    idleStop.done = true;
    const idleTimes = await idle;

    const auth = { authorization: `Bearer ${token}` };
    const upload = async (cameraId: string): Promise<Uploaded> => {
      const form = new FormData();
      form.append('cameraId', cameraId);
      form.append('detector', DETECTOR);
      form.append('fps', '7');
      form.append('file', new Blob([new Uint8Array(readFileSync(clip))]), 'clip.avi');
      const started = performance.now();
      const r = await fetch(`${hub.url}/api/uploads`, { method: 'POST', body: form, headers: auth });
      if (r.status !== 202) throw new Error(`upload answered ${r.status}: ${await r.text()}`);
      const id = ((await r.json()) as UploadJob).id;
      for (;;) {
        const g = await fetch(`${hub.url}/api/uploads/${id}`, { headers: auth });
        const job = (await g.json()) as UploadJob;
        if (job.state === 'failed') throw new Error(`the upload failed: ${job.error}`);
        if (job.state === 'done')
          return { seconds: (performance.now() - started) / 1000, job, pid: hub.uploads.workerPid() };
        await new Promise((res) => setTimeout(res, 100));
      }
    };
    const busyStop = { done: false };
    const busy = probeApi(hub.url, busyStop);
    try {
      const cold = await upload(cameras[0]!.id);
      const warm = await upload(cameras[1]!.id);
      busyStop.done = true;
      return { cold, warm, idleTimes, busyTimes: await busy };
    } finally {
      busyStop.done = true;
    }
  } finally {
    await hub.stop();
    await handle.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** The command, the date and the machine, with how busy it was when the run started. */
function runLine(): string {
  const when = new Date().toISOString().slice(0, 16).replace('T', ' ');
  const machine = `${cpus().length} cores, ${cpus()[0]?.model ?? 'unknown CPU'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
  return `Latest run of \`node --import tsx hub/bench/uploads.ts ${args.join(' ')}\` (${when} UTC; ${machine}; load average ${loadavg()[0]!.toFixed(1)} at the start).`;
}

const started = runLine();
const dir = mkdtempSync(join(tmpdir(), 'oskartrack-bench-clip-'));
try {
  const clip = join(dir, 'clip.avi');
  await cutClip(clip, FRAMES);
  const video = FRAMES / 7;
  const proc = await timeProcess(clip);
  const up = await uploadThroughHub(clip);
  const ms = (x: number) => `${x.toFixed(1)} ms`;
  const rate = (video / proc.seconds).toFixed(2);
  const counting = /: ([\d.]+) frames\/s/.exec(proc.line)?.[1] ?? '?';
  const row = (name: string, u: Uploaded) =>
    `| ${name} | ${u.seconds.toFixed(1)} s | ${(video / u.seconds).toFixed(2)} | ${u.job.fps?.toFixed(1)} | ${u.job.summary?.visits ?? 0} visits stored |`;
  const table = [
    started,
    '',
    `Clip: the first ${FRAMES} frames of PETS 2009 S2.L1 (${video.toFixed(1)} s at 7 frames/s), detector ${DETECTOR}. \`process\` at nice ${proc.nice}, as the upload worker; both uploads counted by the same worker process: ${up.cold.pid === up.warm.pid ? 'yes' : 'no'}.`,
    '',
    '| path | wall time | video seconds per second | counting alone, frames/s | notes |',
    '|---|---|---|---|---|',
    `| \`oskartrack-agent process\` | ${proc.seconds.toFixed(1)} s | ${rate} | ${counting} | ${proc.line} |`,
    row('upload API, first upload (POST to done; starts the worker)', up.cold),
    row('upload API, next upload (POST to done; worker running)', up.warm),
    '',
    '| `GET /api/health` | answers | median | 95th percentile |',
    '|---|---|---|---|',
    `| hub idle | ${up.idleTimes.length} | ${ms(quantile(up.idleTimes, 0.5))} | ${ms(quantile(up.idleTimes, 0.95))} |`,
    `| while the uploads are counted | ${up.busyTimes.length} | ${ms(quantile(up.busyTimes, 0.5))} | ${ms(quantile(up.busyTimes, 0.95))} |`,
    '',
    `Load average at the end: ${loadavg()[0]!.toFixed(1)}.`,
  ].join('\n');
  console.log(table);
  if (args.includes('--write'))
    writeBenchTable(ROOT, DETECTOR === 'yolox' ? 'uploads-yolox' : 'uploads', table);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
