import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadSceneFile, type Scene } from '../src/analytics/index.ts';
import type { CountComparison } from '../src/eval/index.ts';
import { formatMotRows, readMotFile } from '../src/eval/index.ts';
import {
  PETS09_VARIANTS,
  type SceneVariant,
  transformRows,
  transformScene,
  transformVideo,
} from '../src/eval/scene-variants.ts';
import { writeBenchTable } from './bench-doc.ts';
import { runEvalCli } from './eval-cli.ts';
import { TUNING_SCENE_FILES } from './held-out.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const data = join(root, '..', 'shared', 'data', 'pets09-s2l1');
const model = join(root, '..', 'shared', 'models', 'yolox_nano.onnx');
const SOURCE = { width: 768, height: 576 };
const SOURCE_FPS = 7;
const args = process.argv.slice(2);
const arg = (name: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const maxFrames = arg('--max-frames') ? Number(arg('--max-frames')) : undefined;
const only = arg('--only')?.split(',');
const onlyDetectors = arg('--detectors')?.split(',');
const detectors: { name: string; flags: string[] }[] = [
  { name: 'hog', flags: ['--detector', 'hog'] },
  { name: 'yolox', flags: ['--detector', 'yolox', '--model', model] },
].filter((d) => !onlyDetectors || onlyDetectors.includes(d.name));
// Engine settings to compare (the table in docs/benchmarks.md is every frame, the engine's defaults):
// `--every-nth N` detects every Nth frame, `--no-box-motion` only extrapolates boxes between detections.
const everyNth = arg('--every-nth');
// 'auto' follows this machine's speed at the moment (engine/pace.ts): an accuracy number must not.
if (everyNth !== undefined && !/^[1-9][0-9]*$/.test(everyNth))
  throw new Error(`--every-nth takes a whole number here, got ${everyNth}: accuracy runs a fixed every-Nth`);
const engineFlags = [
  ...(everyNth ? ['--every-nth', everyNth] : []),
  ...(args.includes('--no-box-motion') ? ['--no-box-motion'] : []),
];
if (engineFlags.length && args.includes('--write'))
  throw new Error('--write records the engine with its defaults: leave out --every-nth and --no-box-motion');

interface Report {
  mota: number;
  idf1: number;
  recall: number;
  fps: number;
  zones: CountComparison[];
  lines: CountComparison[];
}

/** Summed |system - truth| over summed truth, so errors of opposite sign do not cancel. */
function countError(items: CountComparison[]): { err: number; truth: number } {
  return {
    err: items.reduce((s, x) => s + Math.abs(x.system - x.truth), 0),
    truth: items.reduce((s, x) => s + x.truth, 0),
  };
}
const pct = (e: { err: number; truth: number }) =>
  e.truth > 0 ? `${((100 * e.err) / e.truth).toFixed(1)} %` : 'n/a';

interface Row {
  variant: string;
  detector: string;
  r: Report;
  heldCount: { err: number; truth: number };
  heldDwell: { err: number; truth: number };
  tuneCount: { err: number; truth: number };
  tuneDwell: { err: number; truth: number };
  heldItems: number;
  held: CountComparison[];
}

async function prepare(v: SceneVariant, dir: string, gtAll: Awaited<ReturnType<typeof readMotFile>>) {
  // The tuning sets (the rules were chosen on them) and the held-out set, counted in one run.
  const tuning = await Promise.all(
    TUNING_SCENE_FILES.map(async (f) =>
      transformScene(await loadSceneFile(join(root, f), SOURCE), v, SOURCE),
    ),
  );
  const held = await loadSceneFile(join(root, 'agent/bench/pets09-heldout-scene.json'), SOURCE);
  const h = transformScene(held, v, SOURCE);
  const scene: Scene = {
    zones: [...tuning.flatMap((t) => t.zones), ...h.zones],
    lines: [...tuning.flatMap((t) => t.lines), ...h.lines],
  };
  const heldNames = new Set([...h.zones.map((z) => z.name), ...h.lines.map((l) => l.name)]);
  writeFileSync(join(dir, `${v.name}.json`), JSON.stringify(scene));
  writeFileSync(join(dir, `${v.name}.gt.txt`), formatMotRows(transformRows(gtAll, v, SOURCE, maxFrames)));
  const identity = !v.crop && v.scale === 1 && v.frameStep === 1;
  const video = identity ? join(data, 'vtest.avi') : join(dir, `${v.name}.avi`);
  if (!identity) await transformVideo(join(data, 'vtest.avi'), video, v, SOURCE_FPS, maxFrames);
  return { video, heldNames };
}

const gtAll = await readMotFile(join(data, 'gt.txt'));
const dir = mkdtempSync(join(tmpdir(), 'oskartrack-scenes-'));
const rows: Row[] = [];
try {
  for (const v of PETS09_VARIANTS.filter((x) => !only || only.includes(x.name))) {
    const { video, heldNames } = await prepare(v, dir, gtAll);
    for (const d of detectors) {
      const r = runEvalCli<Report>(root, {
        video,
        gt: join(dir, `${v.name}.gt.txt`),
        fps: SOURCE_FPS / v.frameStep,
        zones: join(dir, `${v.name}.json`),
        flags: [
          ...d.flags,
          ...engineFlags,
          // The source video is not cut: stop it at the same frame as the ground truth.
          ...(maxFrames && video.endsWith('vtest.avi') ? ['--max-frames', String(maxFrames)] : []),
        ],
      });
      const all = [...r.zones, ...r.lines];
      const held = all.filter((x) => heldNames.has(x.name));
      const tuneAll = all.filter((x) => !heldNames.has(x.name));
      const tune = tuneAll.filter((x) => x.metric !== 'dwell_s');
      rows.push({
        variant: v.name,
        detector: d.name,
        r,
        heldCount: countError(held.filter((x) => x.metric !== 'dwell_s')),
        heldDwell: countError(held.filter((x) => x.metric === 'dwell_s')),
        tuneCount: countError(tune),
        tuneDwell: countError(tuneAll.filter((x) => x.metric === 'dwell_s')),
        heldItems: heldNames.size,
        held,
      });
      console.error(
        `${v.name} ${d.name}: MOTA ${r.mota.toFixed(1)} IDF1 ${r.idf1.toFixed(1)} held-out count error ${pct(rows.at(-1)!.heldCount)}`,
      );
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

const f = (n: number) => n.toFixed(1);
const sum = (xs: { err: number; truth: number }[]) => ({
  err: xs.reduce((s, x) => s + x.err, 0),
  truth: xs.reduce((s, x) => s + x.truth, 0),
});
const overall = detectors.map((d) => {
  const mine = rows.filter((x) => x.detector === d.name);
  const mean = (k: 'mota' | 'idf1') => mine.reduce((s, x) => s + x.r[k], 0) / Math.max(1, mine.length);
  const variants = mine.filter((x) => x.variant !== 'pets09');
  const vmean = (k: 'mota' | 'idf1') =>
    variants.reduce((s, x) => s + x.r[k], 0) / Math.max(1, variants.length);
  return `| **overall** (mean over scenes; counts summed) | ${d.name} | ${f(mean('mota'))} | ${f(mean('idf1'))} | | ${pct(sum(mine.map((x) => x.heldCount)))} | ${pct(sum(mine.map((x) => x.heldDwell)))} | ${pct(sum(mine.map((x) => x.tuneCount)))} | ${pct(sum(mine.map((x) => x.tuneDwell)))} | |\n| **overall without pets09** | ${d.name} | ${f(vmean('mota'))} | ${f(vmean('idf1'))} | | ${pct(sum(variants.map((x) => x.heldCount)))} | ${pct(sum(variants.map((x) => x.heldDwell)))} | ${pct(sum(variants.map((x) => x.tuneCount)))} | ${pct(sum(variants.map((x) => x.tuneDwell)))} | |`;
});
const table = [
  `Machine: ${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, ${f(totalmem() / 2 ** 30)} GiB, Node ${process.version}, CPU only.`,
  `Command: \`node --import tsx agent/bench/scenes.ts --write${maxFrames ? ` --max-frames ${maxFrames}\` (first ${maxFrames} source frames)` : '` (all 795 source frames)'}; ground truth rows with conf 0 ignored; load average at the end ${loadavg()[0]!.toFixed(1)}.`,
  `Tuning sets: ${TUNING_SCENE_FILES.map((f) => `\`${f}\``).join(', ')}; held out: \`agent/bench/pets09-heldout-scene.json\`.`,
  '',
  `Scenes: ${PETS09_VARIANTS.map((v) => `\`${v.name}\` ${v.description}`).join('; ')}.`,
  '',
  '| scene | detector | MOTA | IDF1 | recall | held-out count error (entries, exits, crossings) | held-out time-spent error | tuning-sets count error | tuning-sets time-spent error | frames/s |',
  '|---|---|---|---|---|---|---|---|---|---|',
  ...rows.map(
    (x) =>
      `| ${x.variant} | ${x.detector} | ${f(x.r.mota)} | ${f(x.r.idf1)} | ${f(x.r.recall)} | ${pct(x.heldCount)} (${x.heldItems} areas + lines) | ${pct(x.heldDwell)} | ${pct(x.tuneCount)} | ${pct(x.tuneDwell)} | ${f(x.r.fps)} |`,
  ),
  ...overall,
  '',
  '<details><summary>Every held-out area and line, system against ground truth</summary>',
  '',
  '| scene | detector | area / line | what | system | truth |',
  '|---|---|---|---|---|---|',
  ...rows.flatMap((x) =>
    x.held.map(
      (c) => `| ${x.variant} | ${x.detector} | ${c.name} | ${c.metric} | ${f(c.system)} | ${f(c.truth)} |`,
    ),
  ),
  '',
  '</details>',
].join('\n');
console.log(table);

if (args.includes('--write')) writeBenchTable(root, 'scenes', table);
