// One made scene, one detector, the TUNING areas and lines only: a quick look at where MOTA and
// counting go wrong while a change is tried (scenes.ts runs everything and reports the held-out set).
//   node --import tsx agent/bench/scene-probe.ts --scene closer-3x [--detector yolox] [--max-frames 300]
//     [--tracks-out FILE] [--rows] [--every-nth N] [--no-box-motion]
//     [--zones agent/bench/pets09-scene.json,agent/bench/pets09-tuning2-scene.json,agent/bench/pets09-tuning3-scene.json,agent/bench/pets09-tuning4-scene.json]
// The variant's video, ground truth and areas are made once into /tmp/oskartrack-probe/ and reused.
// --zones: tuning scene files, comma-separated (their areas and lines are counted together).
// --rows prints every area and line, system against truth.
// --every-nth N detects every Nth frame (default 1); --no-box-motion only extrapolates boxes between them.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadSceneFile } from '../src/analytics/index.ts';
import { processRecording } from '../src/commands/process.ts';
import { compareCounts, countsFromRows, evaluate, formatMotRows, readMotFile } from '../src/eval/index.ts';
import {
  PETS09_VARIANTS,
  transformRows,
  transformScene,
  transformVideo,
} from '../src/eval/scene-variants.ts';
import { assertTunable } from './held-out.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const data = join(root, '..', 'shared', 'data', 'pets09-s2l1');
const SOURCE = { width: 768, height: 576 };
const SOURCE_FPS = 7;
const args = process.argv.slice(2);
const arg = (name: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const variant = PETS09_VARIANTS.find((v) => v.name === (arg('--scene') ?? 'closer-3x'));
if (!variant) throw new Error(`--scene must be one of ${PETS09_VARIANTS.map((v) => v.name).join(', ')}`);
const detector = (arg('--detector') ?? 'yolox') as 'hog' | 'yolox';
const maxFrames = arg('--max-frames') ? Number(arg('--max-frames')) : undefined;
const sceneFiles = (arg('--zones') ?? 'agent/bench/pets09-scene.json').split(',').map((p) => join(root, p));
for (const f of sceneFiles) assertTunable(f);

const dir = join('/tmp/oskartrack-probe', `${variant.name}-${maxFrames ?? 'all'}`);
mkdirSync(dir, { recursive: true });
const scenes = await Promise.all(
  sceneFiles.map(async (f) => transformScene(await loadSceneFile(f, SOURCE), variant, SOURCE)),
);
const tuning = { zones: scenes.flatMap((s) => s.zones), lines: scenes.flatMap((s) => s.lines) };
writeFileSync(join(dir, 'scene.json'), JSON.stringify(tuning));
const gtFile = join(dir, 'gt.txt');
writeFileSync(
  gtFile,
  formatMotRows(transformRows(await readMotFile(join(data, 'gt.txt')), variant, SOURCE, maxFrames)),
);
const identity = !variant.crop && variant.scale === 1 && variant.frameStep === 1;
const video = identity ? join(data, 'vtest.avi') : join(dir, 'video.avi');
if (!identity && !existsSync(video))
  await transformVideo(join(data, 'vtest.avi'), video, variant, SOURCE_FPS, maxFrames);

const run = await processRecording({
  video,
  detector,
  model: join(root, '..', 'shared', 'models', 'yolox_nano.onnx'),
  fps: SOURCE_FPS / variant.frameStep,
  zones: join(dir, 'scene.json'),
  everyNth: arg('--every-nth') ? Number(arg('--every-nth')) : 1,
  ...(args.includes('--no-box-motion') ? { boxMotion: false } : {}),
  ...(maxFrames && identity ? { maxFrames } : {}),
  ...(arg('--tracks-out') ? { tracksOut: arg('--tracks-out') } : {}),
});
const gt = await readMotFile(gtFile);
const m = evaluate(gt, run.rows);
const c = compareCounts(run.counts, countsFromRows(gt, run.scene, 'recording', run.fps));
const items = [...c.zones, ...c.lines];
const err = (xs: typeof items) => {
  const truth = xs.reduce((s, x) => s + x.truth, 0);
  return truth > 0 ? (100 * xs.reduce((s, x) => s + Math.abs(x.system - x.truth), 0)) / truth : 0;
};
const f = (n: number) => n.toFixed(1);
console.log(
  `${variant.name} ${detector}: MOTA ${f(m.mota)} IDF1 ${f(m.idf1)} recall ${f(m.recall)} precision ${f(m.precision)} ` +
    `FP ${m.fp} FN ${m.fn} idsw ${m.id_switches} | count error ${f(err(items.filter((x) => x.metric !== 'dwell_s')))} % ` +
    `time-spent error ${f(err(items.filter((x) => x.metric === 'dwell_s')))} % | ${f(run.stats.fps)} frames/s`,
);
if (args.includes('--rows'))
  for (const x of items) console.log(`  ${x.name} ${x.metric}: system ${f(x.system)} truth ${f(x.truth)}`);
