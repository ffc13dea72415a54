// The area rules against saved tracks, without running the detector again: replays a system's tracks
// (`scene-probe.ts --tracks-out`, MOTChallenge rows; a score of 0 is a coasted box, not a sighting) and
// the ground truth through the scene analytics for each border band and inertia, and prints the count
// and time-spent errors summed over the runs given, plus the share of the truth's frames inside an
// area in which the system had no box on that person (what no rule can win back).
//   node --import tsx agent/bench/rule-sweep.ts TRACKS:GT:SCENE:FPS [...]
// SCENE is the (already transformed) scene JSON of the run, e.g. /tmp/oskartrack-probe/closer-2x-all/scene.json.
// Held-out scene files are refused (held-out.ts).
import { readFileSync } from 'node:fs';
import { packPolygon, pointInPolygon } from '../src/analytics/geometry.ts';
import { type AnalyticsOptions, parseScene, type Scene, SceneAnalytics } from '../src/analytics/index.ts';
import { compareCounts, countsFromRows, type MotRows, readMotFile } from '../src/eval/index.ts';
import type { Tracks } from '../src/types.ts';
import { assertTunable } from './held-out.ts';

interface Run {
  name: string;
  sys: MotRows;
  gt: MotRows;
  scene: Scene;
  fps: number;
}

const runs: Run[] = [];
for (const spec of process.argv.slice(2)) {
  const [tracks, gt, sceneFile, fps] = spec.split(':');
  if (!tracks || !gt || !sceneFile || !fps) throw new Error(`expected TRACKS:GT:SCENE:FPS, got ${spec}`);
  assertTunable(sceneFile);
  runs.push({
    name: tracks,
    sys: await readMotFile(tracks),
    gt: await readMotFile(gt),
    scene: parseScene(JSON.parse(readFileSync(sceneFile, 'utf8')), sceneFile),
    fps: Number(fps),
  });
}
if (runs.length === 0) throw new Error('give at least one TRACKS:GT:SCENE:FPS');

/** Feeds the rows frame by frame with their scores; a track ends after its last row. */
function replay(rows: MotRows, run: Run, options: Partial<AnalyticsOptions>) {
  const analytics = new SceneAnalytics('sweep', run.scene, { fps: run.fps, ...options });
  const byFrame = new Map<number, number[]>();
  const last = new Map<number, number>();
  let maxFrame = 0;
  for (let i = 0; i < rows.count; i++) {
    const f = rows.frame[i]!;
    const list = byFrame.get(f) ?? [];
    list.push(i);
    byFrame.set(f, list);
    maxFrame = Math.max(maxFrame, f);
    last.set(rows.id[i]!, Math.max(last.get(rows.id[i]!) ?? 0, f));
  }
  for (let f = 1; f <= maxFrame + 1; f++) {
    const list = byFrame.get(f) ?? [];
    const tracks: Tracks = {
      frameIndex: f - 1,
      at: ((f - 1) * 1000) / run.fps,
      count: list.length,
      ids: Uint32Array.from(list.map((i) => rows.id[i]!)),
      boxes: Float32Array.from(
        list.flatMap((i) => [
          rows.left[i]!,
          rows.top[i]!,
          rows.left[i]! + rows.width[i]!,
          rows.top[i]! + rows.height[i]!,
        ]),
      ),
      scores: Float32Array.from(list.map((i) => rows.conf[i]!)),
    };
    const ended = [...last].filter(([, l]) => l === f - 1).map(([id]) => id);
    analytics.update(tracks, ended);
  }
  analytics.finish();
  return analytics.counts();
}

const pct = (err: number, truth: number) => (truth > 0 ? `${((100 * err) / truth).toFixed(1)} %` : 'n/a');

for (const band of [0, 0.05, 0.1, 0.2]) {
  for (const sevenths of [1, 2, 3, 5]) {
    const options = { zoneBorderBand: band, zoneInertiaSeconds: sevenths / 7 };
    let ce = 0;
    let ct = 0;
    let de = 0;
    let dt = 0;
    for (const run of runs) {
      const c = compareCounts(
        replay(run.sys, run, options),
        countsFromRows(run.gt, run.scene, 'sweep', run.fps, 0, options),
      );
      for (const x of [...c.zones, ...c.lines]) {
        if (x.metric === 'dwell_s') {
          de += Math.abs(x.system - x.truth);
          dt += x.truth;
        } else {
          ce += Math.abs(x.system - x.truth);
          ct += x.truth;
        }
      }
    }
    console.log(
      `band ${band}, inertia ${sevenths}/7 s: count error ${pct(ce, ct)}, time spent ${pct(de, dt)}`,
    );
  }
}

/** Truth frames with the foot point in an area, and of them those with no system box at IoU >= 0.5. */
function missed(run: Run): { inside: number; noBox: number } {
  const boxes = (rows: MotRows, sightingsOnly: boolean) => {
    const m = new Map<number, [number, number, number, number][]>();
    for (let i = 0; i < rows.count; i++) {
      if (sightingsOnly && !(rows.conf[i]! > 0)) continue;
      const list = m.get(rows.frame[i]!) ?? [];
      list.push([
        rows.left[i]!,
        rows.top[i]!,
        rows.left[i]! + rows.width[i]!,
        rows.top[i]! + rows.height[i]!,
      ]);
      m.set(rows.frame[i]!, list);
    }
    return m;
  };
  const iou = (a: number[], b: number[]) => {
    const w = Math.min(a[2]!, b[2]!) - Math.max(a[0]!, b[0]!);
    const h = Math.min(a[3]!, b[3]!) - Math.max(a[1]!, b[1]!);
    if (w <= 0 || h <= 0) return 0;
    const i = w * h;
    return i / ((a[2]! - a[0]!) * (a[3]! - a[1]!) + (b[2]! - b[0]!) * (b[3]! - b[1]!) - i);
  };
  const sys = boxes(run.sys, true);
  let inside = 0;
  let noBox = 0;
  for (const zone of run.scene.zones) {
    const poly = packPolygon(zone.polygon);
    for (const [f, list] of boxes(run.gt, false)) {
      for (const g of list) {
        if (!pointInPolygon(poly, (g[0] + g[2]) / 2, g[3])) continue;
        inside++;
        if (!(sys.get(f) ?? []).some((s) => iou(s, g) >= 0.5)) noBox++;
      }
    }
  }
  return { inside, noBox };
}

for (const run of runs) {
  const m = missed(run);
  console.log(
    `${run.name}: ${m.noBox} of ${m.inside} truth frames inside an area (${pct(m.noBox, m.inside)}) have no system box on that person`,
  );
}
