// Where MOTA goes between detections with every-Nth: the whole engine on PETS09-S2L1 (tracker,
// re-linking by appearance, box motion between detections) with the detector replaced by detections
// cached from one every-frame pass, every-Nth fixed at 1..4, errors split into frames the detector
// ran on and frames the tracker only predicted. Deterministic and fast: no detector runs after the first.
//   node --import tsx agent/bench/every-nth-diagnose.ts [yolox|hog] [--nth 1,2,3,4] [--no-box-motion]
// The tuning scene only (agent/bench/pets09-scene.json); the held-out areas stay out (held-out.ts).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadSceneFile } from '../src/analytics/index.ts';
import { loadOpenCV, type Mat } from '../src/cv.ts';
import { createDetector, type Detector } from '../src/detect/index.ts';
import { Engine } from '../src/engine/engine.ts';
import { runSource } from '../src/engine/run.ts';
import { evaluate, type MotRows, MotRowsBuilder, readMotFile, rowsOfFrames } from '../src/eval/index.ts';
import { openSource } from '../src/source/index.ts';
import type { Detections } from '../src/types.ts';

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

type Cached = { boxes: number[]; scores: number[] }[];

/** The detector with its own settings on every frame, once; later runs read the cache. */
async function detectAll(): Promise<Cached> {
  if (existsSync(cache)) return JSON.parse(readFileSync(cache, 'utf8')) as Cached;
  await loadOpenCV();
  const detector = await createDetector({
    kind,
    model: join(root, '..', 'shared', 'models', 'yolox_nano.onnx'),
  });
  const source = await openSource(video, { fps: FPS, startTime: 0 });
  const out: Cached = [];
  for (let f = await source.read(); f; f = await source.read()) {
    const d = await detector.detect(f.mat, f.at);
    out.push({
      boxes: Array.from(d.boxes.subarray(0, d.count * 4)),
      scores: Array.from(d.scores.subarray(0, d.count)),
    });
  }
  detector.close();
  await source.close();
  writeFileSync(cache, JSON.stringify(out));
  return out;
}

/** Answers with the cached detections of the frame at `at`. */
function cachedDetector(frames: Cached): Detector {
  return {
    name: kind,
    lanes: 1,
    detect(_frame: Mat, at = 0): Promise<Detections> {
      const fr = frames[Math.round((at * FPS) / 1000)] ?? { boxes: [], scores: [] };
      return Promise.resolve({
        count: fr.scores.length,
        boxes: Float32Array.from(fr.boxes),
        scores: Float32Array.from(fr.scores),
      });
    },
    close() {},
  };
}

/** The rows of `rows` whose frame is (or is not) in `frames`. */
function only(rows: MotRows, frames: Set<number>, inside: boolean): MotRows {
  return rowsOfFrames(rows, (frame) => frames.has(frame) === inside);
}

const frames = await detectAll();
const gt = await readMotFile(join(data, 'gt.txt'));
console.log('every-Nth\tMOTA\tIDF1\tid sw\tFP det\tFN det\tFP pred\tFN pred\tframes det/pred');
for (const nth of nths) {
  const source = await openSource(video, { fps: FPS, startTime: 0 });
  const scene = await loadSceneFile(join(root, 'agent/bench/pets09-scene.json'), source.info);
  const engine = new Engine({
    cameraId: 'diagnose',
    detector: cachedDetector(frames),
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
