import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadSceneFile } from '../src/analytics/index.ts';
import { Engine } from '../src/engine/engine.ts';
import { runSource } from '../src/engine/run.ts';
import { evaluate, type MotRows, MotRowsBuilder, readMotFile, rowsOfFrames } from '../src/eval/index.ts';
import { openSource } from '../src/source/index.ts';
import { cachedDetector, detectEveryFrame } from './cached-detections.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const data = join(root, '..', 'shared', 'data', 'pets09-s2l1');
const args = process.argv.slice(2);
const arg = (name: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const kind = (args[0]?.startsWith('--') ? 'yolox' : (args[0] ?? 'yolox')) as 'hog' | 'yolox';
const nths = (arg('--nth') ?? '1,2,3,4').split(',').map(Number);
const boxMotion = !args.includes('--no-box-motion');
const FPS = 7;
const video = join(data, 'vtest.avi');
const cache = `/tmp/oskartrack-nth-${kind}.json`;

/** The rows of `rows` whose frame is (or is not) in `frames`. */
function only(rows: MotRows, frames: Set<number>, inside: boolean): MotRows {
  return rowsOfFrames(rows, (frame) => frames.has(frame) === inside);
}

const frames = await detectEveryFrame(video, FPS, kind, cache);
const gt = await readMotFile(join(data, 'gt.txt'));
console.log('every-Nth\tMOTA\tIDF1\tid sw\tFP det\tFN det\tFP pred\tFN pred\tframes det/pred');
for (const nth of nths) {
  const source = await openSource(video, { fps: FPS, startTime: 0 });
  const scene = await loadSceneFile(join(root, 'agent/bench/pets09-scene.json'), source.info);
  const engine = new Engine({
    cameraId: 'diagnose',
    detector: cachedDetector(kind, frames, FPS),
    scene,
    fps: FPS,
    everyNth: nth,
    boxMotion,
  });
  const rows = new MotRowsBuilder();
  const detected = new Set<number>();
  await runSource(source, engine, {
    onStep: (f, r) => {
      rows.pushTracks(r.tracks);
      if (r.detected) detected.add(f.index + 1);
    },
  });
  await source.close();
  const pred = rows.rows();
  const m = evaluate(gt, pred, { hota: false });
  const d = evaluate(only(gt, detected, true), only(pred, detected, true), { hota: false });
  const p = evaluate(only(gt, detected, false), only(pred, detected, false), { hota: false });
  console.log(
    [
      nth,
      m.mota.toFixed(1),
      m.idf1.toFixed(1),
      m.id_switches,
      d.fp,
      d.fn,
      p.fp,
      p.fn,
      `${detected.size}/${engine.frames - detected.size}`,
    ].join('\t'),
  );
}
