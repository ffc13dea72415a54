import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeBenchTable } from './bench-doc.ts';
import { runEvalCli } from './eval-cli.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const data = join(root, '..', 'shared', 'data', 'pets09-s2l1');
const model = join(root, '..', 'shared', 'models', 'yolox_nano.onnx');
const args = process.argv.slice(2);
const maxFrames = args.includes('--max-frames') ? args[args.indexOf('--max-frames') + 1] : undefined;

const configs: { name: string; flags: string[] }[] = [
  { name: 'yolox (nano, 416x320 input, 2 lanes)', flags: ['--detector', 'yolox', '--model', model] },
  {
    name: 'yolox, 1 lane (no overlap)',
    flags: ['--detector', 'yolox', '--model', model, '--lanes', '1'],
  },
  { name: 'yolox + motion gate', flags: ['--detector', 'yolox', '--model', model, '--motion-gate'] },
  {
    name: 'yolox, detect every 2nd frame',
    flags: ['--detector', 'yolox', '--model', model, '--every-nth', '2'],
  },
  { name: 'hog', flags: ['--detector', 'hog'] },
  { name: 'hog + motion gate', flags: ['--detector', 'hog', '--motion-gate'] },
  { name: 'hog, detect every 2nd frame', flags: ['--detector', 'hog', '--every-nth', '2'] },
];

interface Count {
  name: string;
  metric: string;
  system: number;
  truth: number;
  errorPct: number;
}
interface Report {
  mota: number;
  idf1: number;
  hota: number;
  precision: number;
  recall: number;
  id_switches: number;
  frames: number;
  fps: number;
  stage_fps: Record<string, number>;
  peak_rss_mb: number;
  detected_frames: number;
  zones: Count[];
  lines: Count[];
}

const f = (n: number, d = 1) => n.toFixed(d);
const rows: string[] = [];
const countRows: string[] = [];
for (const c of configs) {
  const r = runEvalCli<Report>(root, {
    video: join(data, 'vtest.avi'),
    gt: join(data, 'gt.txt'),
    fps: 7,
    zones: join(root, 'agent/bench/pets09-scene.json'),
    flags: [...c.flags, ...(maxFrames ? ['--max-frames', maxFrames] : [])],
  });
  // Counting error over everything counted: entries, exits per area and in/out per line.
  const counted = [...r.zones.filter((z) => z.metric !== 'dwell_s'), ...r.lines];
  const sys = counted.reduce((s, x) => s + x.system, 0);
  const truth = counted.reduce((s, x) => s + x.truth, 0);
  const lineErr =
    r.lines.reduce((s, x) => s + Math.abs(x.system - x.truth), 0) /
    Math.max(
      1,
      r.lines.reduce((s, x) => s + x.truth, 0),
    );
  const dwell = r.zones.filter((z) => z.metric === 'dwell_s');
  const dwellErr =
    dwell.reduce((s, x) => s + Math.abs(x.system - x.truth), 0) /
    Math.max(
      1,
      dwell.reduce((s, x) => s + x.truth, 0),
    );
  const sf = r.stage_fps;
  rows.push(
    `| ${c.name} | ${f(r.mota)} | ${f(r.idf1)} | ${f(r.hota)} | ${f(r.precision)} | ${f(r.recall)} | ${r.id_switches} | ${f(100 * lineErr)} % | ${f((100 * Math.abs(sys - truth)) / Math.max(1, truth))} % | ${f(100 * dwellErr)} % | ${f(sf.decode!, 0)} / ${f(sf.detect!)} / ${f(sf.track!, 0)} / ${f(sf.analytics!, 0)} | **${f(r.fps)}** | ${f(r.peak_rss_mb, 0)} | ${r.detected_frames} / ${r.frames} |`,
  );
  for (const x of [...r.zones, ...r.lines]) {
    countRows.push(
      `| ${c.name} | ${x.name} | ${x.metric} | ${f(x.system)} | ${f(x.truth)} | ${f(x.errorPct)} % |`,
    );
  }
  console.error(`${c.name}: MOTA ${f(r.mota)} IDF1 ${f(r.idf1)} ${f(r.fps)} frames/s`);
}

const table = [
  `Machine: ${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, ${f(totalmem() / 2 ** 30, 0)} GiB, Node ${process.version}, OpenCV 4.6 (Debian), CPU only.`,
  `Command: \`node --import tsx agent/bench/pets09.ts --write\`${maxFrames ? ` (first ${maxFrames} frames)` : ' (all 795 frames)'}; ground truth rows with conf 0 ignored; 7 fps.`,
  '',
  '| configuration | MOTA | IDF1 | HOTA | precision | recall | id switches | line count error | count error (areas + lines) | time-spent error | stage frames/s (decode / detect / track / analytics) | end to end frames/s | peak memory MB | frames detected |',
  '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|',
  ...rows,
  '',
  '<details><summary>Every area and line, system against ground truth</summary>',
  '',
  '| configuration | area / line | what | system | truth | error |',
  '|---|---|---|---|---|---|',
  ...countRows,
  '',
  '</details>',
].join('\n');
console.log(table);

if (args.includes('--write')) writeBenchTable(root, 'pets09', table);
