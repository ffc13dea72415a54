// Where the CPU of one frame goes: the engine as `oskartrack-agent eval` runs it on PETS09-S2L1
// (YOLOX or HOG, the areas and lines of agent/bench/pets09-scene.json), with the CPU time of each stage
// measured around it with process.cpuUsage() and split between frames the detector ran on and frames
// it did not: decode; the detector's resize, blob and network forward pass and the rest of its call
// (letterbox copy, output decoding, NMS); box motion's small grey copy (`setFrame`) and its search
// (`follow`); appearance; the tracker; the analytics; the rest (run loop, pace, result rows). CPU time,
// not wall-clock: less sensitive to other programs. Run it pinned to one core, where nothing overlaps:
//   taskset -c 0 node --import tsx agent/bench/frame-cost.ts [--detector yolox|hog] [--every-nth N|auto]
//     [--keep-up FPS] [--max-frames N] [--no-box-motion]
// Decoding ahead (the file source's prefetch) is off so that each decode is measured by itself; one
// detector lane. With a fixed every-Nth the tracks do not depend on timing: the printed hash of the
// track rows compares two versions of the code frame by frame.
import { createHash } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadSceneFile } from '../src/analytics/index.ts';
import { loadOpenCV } from '../src/cv.ts';
import { openPipeline } from '../src/engine/pipeline.ts';
import { runSource } from '../src/engine/run.ts';
import { evaluate, MotRowsBuilder, readMotFile, rowsOfFrames } from '../src/eval/index.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const data = join(root, '..', 'shared', 'data', 'pets09-s2l1');
const args = process.argv.slice(2);
const arg = (name: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const detector = (arg('--detector') ?? 'yolox') as 'yolox' | 'hog';
const nthArg = arg('--every-nth') ?? '4';
const everyNth = nthArg === 'auto' ? 'auto' : Number(nthArg);
const keepUp = Number(arg('--keep-up') ?? 30);
const maxFrames = arg('--max-frames') ? Number(arg('--max-frames')) : undefined;
const FPS = 7;

const STAGES = [
  'decode',
  'resize',
  'blob',
  'forward',
  'detect',
  'greyCopy',
  'follow',
  'appearance',
  'track',
  'analytics',
  'other',
] as const;
type Stage = (typeof STAGES)[number];

/** CPU microseconds (user + system) of the whole process. */
function cpuNow(): number {
  const u = process.cpuUsage();
  return u.user + u.system;
}

/** Self CPU time per stage of the current frame: nested measured calls are taken out of their callers. */
class StageClock {
  readonly frame = new Map<Stage, number>();
  private readonly childTime: number[] = [];

  /** Wraps `obj[key]` (a method) so that its self time counts towards `stage`. */
  wrap<T extends object, K extends keyof T>(obj: T, key: K, stage: Stage): void {
    const original = obj[key] as unknown as (...a: unknown[]) => unknown;
    const clock = this;
    const wrapped = function (this: unknown, ...a: unknown[]): unknown {
      const start = clock.enter();
      const result = original.apply(this, a);
      if (result instanceof Promise) return result.finally(() => clock.leave(stage, start));
      clock.leave(stage, start);
      return result;
    };
    (obj as Record<K, unknown>)[key] = wrapped;
  }

  private enter(): number {
    this.childTime.push(0);
    return cpuNow();
  }

  private leave(stage: Stage, start: number): void {
    const spent = cpuNow() - start;
    const children = this.childTime.pop() ?? 0;
    this.frame.set(stage, (this.frame.get(stage) ?? 0) + spent - children);
    const n = this.childTime.length;
    if (n > 0) this.childTime[n - 1] = this.childTime[n - 1]! + spent;
  }
}

interface Totals {
  frames: number;
  us: Record<Stage, number>;
}

const zero = (): Totals => ({
  frames: 0,
  us: Object.fromEntries(STAGES.map((s) => [s, 0])) as Record<Stage, number>,
});

async function main(): Promise<void> {
  const video = join(data, 'vtest.avi');
  const cpuStart = cpuNow();
  const { source, engine, scene, close } = await openPipeline({
    cameraId: 'recording',
    source: video,
    sourceOptions: { fps: FPS, startTime: 0, prefetch: false },
    detector: {
      kind: detector,
      ...(detector === 'yolox' ? { model: join(root, '..', 'shared', 'models', 'yolox_nano.onnx') } : {}),
      everyNth,
      lanes: 1,
    },
    dataDir: join(root, '..', 'shared'),
    scene: (info) => loadSceneFile(join(root, 'agent/bench/pets09-scene.json'), info),
    keepUpFps: keepUp,
    ...(args.includes('--no-box-motion') ? { boxMotion: false } : {}),
  });
  void scene;
  const clock = new StageClock();
  clock.wrap(source, 'read', 'decode');
  clock.wrap(engine, 'detect', 'detect');
  clock.wrap(engine.tracker, 'update', 'track');
  clock.wrap(engine.analytics, 'update', 'analytics');
  // The detector's native steps, by their OpenCV calls (YOLOX: resizeAsync, blobFromImageAsync, forwardAsync).
  const cv = await loadOpenCV();
  clock.wrap(cv.Mat.prototype, 'resizeAsync', 'resize');
  clock.wrap(cv, 'blobFromImageAsync', 'blob');
  clock.wrap(cv.Net.prototype, 'forwardAsync', 'forward');
  if (engine.motion) {
    clock.wrap(engine.motion, 'setFrame', 'greyCopy');
    clock.wrap(engine.motion, 'follow', 'follow');
  }
  if (engine.appearance) {
    clock.wrap(engine.appearance, 'observe', 'appearance');
    clock.wrap(engine.appearance, 'similarity', 'appearance');
  }
  const rows = new MotRowsBuilder();
  const byKind = { detected: zero(), predicted: zero() };
  const cpuRun = cpuNow();
  let frameStart = cpuRun;
  const stats = await runSource(source, engine, {
    ...(maxFrames ? { maxFrames } : {}),
    onStep: (_f, result) => {
      rows.pushTracks(result.tracks);
      const now = cpuNow();
      const t = result.detected ? byKind.detected : byKind.predicted;
      t.frames++;
      let measured = 0;
      for (const s of STAGES) {
        const us = clock.frame.get(s) ?? 0;
        t.us[s] += us;
        measured += us;
      }
      t.us.other += now - frameStart - measured;
      clock.frame.clear();
      frameStart = now;
    },
  });
  const cpuEnd = cpuNow();
  await close();
  let gt = await readMotFile(join(data, 'gt.txt'));
  if (maxFrames) gt = rowsOfFrames(gt, (frame) => frame <= maxFrames);
  const run = rows.rows();
  const m = evaluate(gt, run);
  const hash = createHash('sha256').update(JSON.stringify(run)).digest('hex').slice(0, 16);
  const ms = (us: number, n: number) => (n > 0 ? us / 1000 / n : 0).toFixed(2);
  console.log(
    `${detector}, every-Nth ${nthArg}${everyNth === 'auto' ? ` (keeping up with ${keepUp} frames/s)` : ''}, ${stats.frames} frames, ${stats.detectedFrames} detected`,
  );
  console.log(`| frames | n | ${STAGES.join(' | ')} | total |`);
  console.log(`|---|---|${STAGES.map(() => '---|').join('')}---|`);
  for (const [name, t] of Object.entries(byKind)) {
    const total = STAGES.reduce((a, s) => a + t.us[s], 0);
    console.log(
      `| ${name} | ${t.frames} | ${STAGES.map((s) => ms(t.us[s], t.frames)).join(' | ')} | ${ms(total, t.frames)} |`,
    );
  }
  const runUs = cpuEnd - cpuRun;
  console.log(
    `CPU ms per frame over the run: ${ms(runUs, stats.frames)} (${(stats.frames / (runUs / 1e6)).toFixed(1)} frames per CPU second); start-up ${((cpuRun - cpuStart) / 1000).toFixed(0)} ms; wall ${stats.fps.toFixed(1)} frames/s`,
  );
  console.log(`MOTA ${m.mota.toFixed(1)}  IDF1 ${m.idf1.toFixed(1)}  rows ${run.count}  hash ${hash}`);
}

await main();
