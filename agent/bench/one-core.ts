// Speed on a small box: the whole engine (decode -> detect -> track -> analytics, as `oskartrack-agent
// eval`/`process` run it) on PETS09-S2L1, pinned to one core with `taskset -c 0` as the stand-in for a
// Raspberry Pi class CPU, and on two cores; each detector with every frame detected and with the
// automatic every-Nth (engine/pace.ts). Frames/s end to end, MOTA and IDF1 against the ground truth.
//   node --import tsx agent/bench/one-core.ts [--write] [--max-frames N] [--only yolox|hog] [--cores 1|2]
//     [--quick]
// --quick leaves out the rows with every frame detected in effect (every-Nth 1, and keeping up with
// the file's own 7 frames/s): the box motion between detections does nothing there, so only the rows
// that detect every Nth frame change with it.
// The 1-core runs happen in a copy of this script started under taskset (`--pinned`): the eval runs it
// starts inherit the CPU affinity. The load average is reported with each run: the numbers mean
// little on a machine that other programs keep busy.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeBenchTable } from './bench-doc.ts';
import { runEvalCli } from './eval-cli.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const data = join(root, '..', 'shared', 'data', 'pets09-s2l1');
const model = join(root, '..', 'shared', 'models', 'yolox_nano.onnx');
const args = process.argv.slice(2);
const arg = (name: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const maxFrames = arg('--max-frames');
const only = arg('--only')?.split(',');
const onlyCores = arg('--cores')?.split(',').map(Number);
const quick = args.includes('--quick');
/** Frame rate of a typical camera: what the automatic every-Nth is asked to keep up with. */
const CAMERA_FPS = 30;
const FILE_FPS = 7;
const HOG_TARGET_FPS = 12;

interface Config {
  detector: 'yolox' | 'hog';
  cores: 1 | 2;
  /** 'auto' keeps up with `keepUp` frames/s. */
  everyNth: number | 'auto';
  keepUp?: number;
}

interface Report {
  mota: number;
  idf1: number;
  fps: number;
  frames: number;
  detected_frames: number;
}

interface Result {
  config: Config;
  report: Report;
  /** Cores this process could use, as Node sees them (1 under taskset -c 0). */
  usable: number;
  load: [number, number];
  /** CPU seconds the eval process used (user + system). */
  cpuSeconds: number;
}

const CLOCK_TICKS = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

/**
 * CPU seconds used by the children this process has waited for (cutime + cstime of /proc/self/stat):
 * frames per CPU second is what an idle core would reach, whatever else keeps the machine busy.
 */
function childCpuSeconds(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[13]) + Number(fields[14])) / CLOCK_TICKS;
}

const CONFIGS: Config[] = [];
for (const cores of [1, 2] as const) {
  CONFIGS.push(
    { detector: 'yolox', cores, everyNth: 1 },
    { detector: 'yolox', cores, everyNth: 'auto', keepUp: FILE_FPS },
    { detector: 'yolox', cores, everyNth: 'auto', keepUp: CAMERA_FPS },
    { detector: 'hog', cores, everyNth: 1 },
    { detector: 'hog', cores, everyNth: 'auto', keepUp: CAMERA_FPS },
  );
  // The 1-core HOG target is 12 frames/s: ask for it.
  if (cores === 1) CONFIGS.push({ detector: 'hog', cores, everyNth: 'auto', keepUp: HOG_TARGET_FPS });
}
// The 2-core target is 40 frames/s: ask for it.
CONFIGS.push({ detector: 'yolox', cores: 2, everyNth: 'auto', keepUp: 40 });
const wanted = CONFIGS.filter(
  (c) =>
    (!only || only.includes(c.detector)) &&
    (!onlyCores || onlyCores.includes(c.cores)) &&
    (!quick || (c.everyNth === 'auto' && c.keepUp !== FILE_FPS)),
);

function runOne(c: Config): Result {
  const load0 = loadavg()[0]!;
  const cpu0 = childCpuSeconds();
  const flags = ['--detector', c.detector, ...(c.detector === 'yolox' ? ['--model', model] : [])];
  flags.push('--every-nth', String(c.everyNth), ...(c.keepUp ? ['--keep-up', String(c.keepUp)] : []));
  if (maxFrames) flags.push('--max-frames', maxFrames);
  const report = runEvalCli<Report>(root, {
    video: join(data, 'vtest.avi'),
    gt: join(data, 'gt.txt'),
    fps: FILE_FPS,
    zones: join(root, 'agent/bench/pets09-scene.json'),
    flags,
  });
  const r: Result = {
    config: c,
    report,
    usable: availableParallelism(),
    load: [load0, loadavg()[0]!],
    cpuSeconds: childCpuSeconds() - cpu0,
  };
  console.error(
    `${label(c)}, ${c.cores} core(s): ${report.fps.toFixed(1)} frames/s, MOTA ${report.mota.toFixed(1)}`,
  );
  return r;
}

function label(c: Config): string {
  if (c.everyNth !== 'auto') return `${c.detector}, every frame`;
  return `${c.detector}, auto every-Nth keeping up with ${c.keepUp} frames/s`;
}

/** The 1-core runs, in a copy of this script pinned to core 0. */
function pinnedRuns(): Result[] {
  const self = fileURLToPath(import.meta.url);
  const out = execFileSync(
    'taskset',
    [
      '-c',
      '0',
      process.execPath,
      '--import',
      'tsx',
      self,
      '--pinned',
      ...args.filter((a) => a !== '--write'),
    ],
    { encoding: 'utf8', maxBuffer: 64 * 2 ** 20, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  return JSON.parse(out.trim().split('\n').at(-1)!) as Result[];
}

const f = (n: number, d = 1) => n.toFixed(d);

function table(results: Result[]): string {
  const now = new Date().toISOString().slice(0, 16).replace('T', ' ');
  const rows = results.map(({ config: c, report: r, usable, load, cpuSeconds }) => {
    const nth =
      c.everyNth === 'auto' ? `auto (${f(r.frames / Math.max(1, r.detected_frames))} on average)` : '1';
    return `| ${c.detector} | ${c.cores === 1 ? '1 (taskset -c 0)' : '2'} | ${usable} | ${nth} | ${c.keepUp ? `${c.keepUp} frames/s` : '-'} | **${f(r.fps)}** | ${f(r.frames / Math.max(1e-9, cpuSeconds))} | ${f(r.mota)} | ${f(r.idf1)} | ${r.detected_frames} / ${r.frames} | ${f(load[0], 2)} / ${f(load[1], 2)} |`;
  });
  return [
    `Machine: ${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, ${f(totalmem() / 2 ** 30, 0)} GiB, Node ${process.version}, OpenCV 4.6 (Debian), CPU only.`,
    `Command: \`node --import tsx agent/bench/one-core.ts ${args.join(' ')}\`${maxFrames ? ` (first ${maxFrames} frames)` : ' (all 795 frames)'}, run ${now} UTC; PETS09-S2L1 at its 7 frames/s, YOLOX-nano; lanes as the agent chooses them (1 on one core, 2 on two).`,
    '',
    '| detector | cores | cores the process saw | every-Nth (frames per detection) | keeping up with | end to end frames/s | frames per CPU second | MOTA | IDF1 | frames detected | load average (1 min) before / after |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
    ...rows,
  ].join('\n');
}

if (args.includes('--pinned')) {
  const results = wanted.filter((c) => c.cores === 1).map(runOne);
  console.log(JSON.stringify(results));
} else {
  const results = [...pinnedRuns(), ...wanted.filter((c) => c.cores === 2).map(runOne)];
  const text = table(results);
  console.log(text);
  if (args.includes('--write')) writeBenchTable(root, 'one-core', text);
}
