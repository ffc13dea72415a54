// Sweeps tracker settings on cached detections of PETS09-S2L1, so tuning takes seconds, not a
// detector pass per setting. The first run caches the detections in /tmp.
//   node --import tsx agent/bench/tune-tracker.ts [hog|yolox] [--counts] [--scene FILE]
// The held-out areas and lines (agent/bench/pets09-heldout-scene.json, see held-out.ts) are refused.
// --counts keeps the detector's preset (re-linking off) and sweeps the areas' border band instead, printing the
// counting error on the PETS09 areas and lines (agent/bench/pets09-scene.json); the ground truth is
// counted with the same band.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadSceneFile } from '../src/analytics/index.ts';
import { loadOpenCV } from '../src/cv.ts';
import { createDetector } from '../src/detect/index.ts';
import { TRACKER_PRESETS } from '../src/engine/engine.ts';
import { compareCounts, countsFromRows, evaluate, MotRowsBuilder, readMotFile } from '../src/eval/index.ts';
import { openSource } from '../src/source/index.ts';
import { Tracker, type TrackerOptions } from '../src/track/index.ts';
import type { Detections } from '../src/types.ts';
import { assertTunable } from './held-out.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const data = join(root, '..', 'shared', 'data', 'pets09-s2l1');
const kind = (process.argv[2] ?? 'yolox') as 'hog' | 'yolox';
const cache = `/tmp/oskartrack-pets09-${kind}.json`;

type Cached = { boxes: number[]; scores: number[] }[];
async function detectAll(): Promise<Cached> {
  if (existsSync(cache)) return JSON.parse(readFileSync(cache, 'utf8')) as Cached;
  await loadOpenCV();
  const detector = await createDetector({
    kind,
    model: join(root, '..', 'shared', 'models', 'yolox_nano.onnx'),
    scoreThreshold: 0.05,
  });
  const source = await openSource(join(data, 'vtest.avi'), { fps: 7, startTime: 0 });
  const out: Cached = [];
  for (let f = await source.read(); f; f = await source.read()) {
    const d = await detector.detect(f.mat);
    out.push({
      boxes: Array.from(d.boxes.subarray(0, d.count * 4)),
      scores: Array.from(d.scores.subarray(0, d.count)),
    });
  }
  writeFileSync(cache, JSON.stringify(out));
  return out;
}

const frames = await detectAll();
const gt = await readMotFile(join(data, 'gt.txt'));

function track(opts: Partial<TrackerOptions>, minScore: number) {
  const tracker = new Tracker({ trackBuffer: 28, ...opts });
  const rows = new MotRowsBuilder();
  frames.forEach((fr, i) => {
    const keep = fr.scores.map((s, k) => [s, k] as const).filter(([s]) => s >= minScore);
    const det: Detections = {
      count: keep.length,
      boxes: Float32Array.from(keep.flatMap(([, k]) => fr.boxes.slice(k * 4, k * 4 + 4))),
      scores: Float32Array.from(keep.map(([s]) => s)),
    };
    rows.pushTracks(tracker.update(det, i, (i * 1000) / 7));
  });
  return rows.rows();
}

function score(opts: Partial<TrackerOptions>, minScore: number) {
  return evaluate(gt, track(opts, minScore), { hota: false });
}

if (process.argv.includes('--counts')) {
  const sceneArg = process.argv.indexOf('--scene');
  const sceneFile = sceneArg > 0 ? process.argv[sceneArg + 1]! : join(root, 'agent/bench/pets09-scene.json');
  assertTunable(sceneFile);
  const scene = await loadSceneFile(sceneFile, { width: 768, height: 576 });
  // Without re-linking: it needs the frames (appearance), which this script does not decode.
  const rows = track({ ...TRACKER_PRESETS[kind], relinkSpeed: 0 }, 0.1);
  const m = evaluate(gt, rows, { hota: false });
  console.log(
    `${kind} preset: MOTA ${m.mota.toFixed(1)}, IDF1 ${m.idf1.toFixed(1)}, id switches ${m.id_switches}`,
  );
  console.log('border band\tcount error (areas + lines)\tentries per area (system / truth)');
  for (const zoneBorderBand of [0, 0.1, 0.2, 0.3]) {
    const c = compareCounts(
      countsFromRows(rows, scene, 'cam', 7, 0, { zoneBorderBand }),
      countsFromRows(gt, scene, 'cam', 7, 0, { zoneBorderBand }),
    );
    const counted = [...c.zones.filter((z) => z.metric !== 'dwell_s'), ...c.lines];
    const sys = counted.reduce((a, x) => a + x.system, 0);
    const all = counted.reduce((a, x) => a + x.truth, 0);
    const entries = c.zones
      .filter((z) => z.metric === 'entries')
      .map((z) => `${z.name} ${z.system}/${z.truth}`);
    console.log(
      `${zoneBorderBand}\t${((Math.abs(sys - all) / all) * 100).toFixed(1)} %\t${entries.join(', ')}`,
    );
  }
  process.exit(0);
}

const results: string[] = [];
for (const highThresh of [0.5, 0.6, 0.7]) {
  for (const newTrackThresh of [highThresh + 0.1, highThresh + 0.2]) {
    for (const trackBuffer of [28, 56]) {
      for (const coastFrames of [0, 2]) {
        for (const matchThresh of [0.9, 0.95]) {
          const m = score(
            { highThresh, newTrackThresh, minHits: 3, coastFrames, matchThresh, trackBuffer },
            0.1,
          );
          results.push(
            `${m.mota.toFixed(1)}\t${m.idf1.toFixed(1)}\thigh=${highThresh} new=${newTrackThresh.toFixed(1)} buffer=${trackBuffer} coast=${coastFrames} match=${matchThresh} ids=${m.id_switches}`,
          );
        }
      }
    }
  }
}
results.sort((a, b) => Number.parseFloat(b) - Number.parseFloat(a));
console.log('MOTA\tIDF1\tsettings');
console.log(results.slice(0, 15).join('\n'));
console.log(
  'default:',
  (() => {
    const m = score({}, 0.1);
    return `${m.mota.toFixed(1)} ${m.idf1.toFixed(1)}`;
  })(),
);
