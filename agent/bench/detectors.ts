// Detector benchmark on PETS09-S2L1 (vtest.avi): decode, HOG, YOLOX (nano) and motion gate.
// Run from the project root:  node --import tsx agent/bench/detectors.ts [--frames 150] [--model PATH]
import { cpus, loadavg, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadOpenCV, type Mat } from '../src/cv.ts';
import { createDetector, type Detector, iou, MotionGate } from '../src/detect/index.ts';
import { FileSource } from '../src/source/file.ts';
import type { Detections } from '../src/types.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const { values } = parseArgs({
  options: {
    frames: { type: 'string', default: '150' },
    video: { type: 'string', default: `${root}../shared/data/pets09-s2l1/vtest.avi` },
    gt: { type: 'string', default: `${root}../shared/data/pets09-s2l1/gt.txt` },
    model: { type: 'string', default: `${root}../shared/models/yolox_nano.onnx` },
  },
});
const frameCount = Number(values.frames);
const { readFileSync } = await import('node:fs');

/** gt.txt rows by 0-based frame index: packed boxes and the conf column. */
const gt = new Map<number, { boxes: number[]; conf: number[] }>();
for (const line of readFileSync(values.gt, 'utf8').trim().split('\n')) {
  const r = line.split(',').map(Number);
  const f = r[0]! - 1;
  const e = gt.get(f) ?? { boxes: [], conf: [] };
  e.boxes.push(r[2]!, r[3]!, r[2]! + r[4]!, r[3]! + r[5]!);
  e.conf.push(r[6]!);
  gt.set(f, e);
}

function score(det: Detections, index: number, acc: { tp: number; fp: number; gt: number }): void {
  const g = gt.get(index) ?? { boxes: [], conf: [] };
  const used = new Uint8Array(g.conf.length);
  for (let d = 0; d < det.count; d++) {
    if (det.scores[d]! < 0.5) continue;
    let best = -1;
    let bestIou = 0.5;
    for (let k = 0; k < g.conf.length; k++) {
      const v = used[k] ? 0 : iou(det.boxes, d, g.boxes, k);
      if (v >= bestIou) {
        bestIou = v;
        best = k;
      }
    }
    if (best >= 0) {
      used[best] = 1;
      if (g.conf[best] === 1) acc.tp++;
    } else acc.fp++;
  }
  for (const c of g.conf) acc.gt += c;
}

function cpuMsSince(start: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(start);
  return (d.user + d.system) / 1000;
}

const cv = await loadOpenCV();

// 1. Decode: the source alone, prefetching as in production.
const source = await FileSource.open(cv, values.video, { fps: 7, keepFrames: true });
const frames: Mat[] = [];
let t0 = performance.now();
let c0 = process.cpuUsage();
for (let i = 0; i < frameCount; i++) {
  const f = await source.read();
  if (!f) break;
  frames.push(f.mat);
}
const decodeMs = performance.now() - t0;
const decodeCpu = cpuMsSince(c0);
await source.close();
const n = frames.length;

interface Row {
  stage: string;
  ms: number;
  /** CPU time of the whole process per frame (all threads): less sensitive to other load than wall time. */
  cpuMs: number;
  note: string;
}
const rows: Row[] = [
  {
    stage: 'decode (768x576 msmpeg4, readAsync + prefetch)',
    ms: decodeMs / n,
    cpuMs: decodeCpu / n,
    note: '',
  },
];

async function run(label: string, detector: Detector): Promise<void> {
  await detector.detect(frames[0]!); // warm-up (DNN allocates on the first pass)
  const acc = { tp: 0, fp: 0, gt: 0 };
  let dets = 0;
  const c = process.cpuUsage();
  const t = performance.now();
  // With several lanes, consecutive frames are detected at the same time, as the run loop does.
  for (let i = 0; i < n; i += detector.lanes) {
    const batch = frames.slice(i, i + detector.lanes);
    const results = await Promise.all(batch.map((m) => detector.detect(m)));
    results.forEach((det, k) => {
      dets += det.count;
      score(det, i + k, acc);
    });
  }
  const ms = (performance.now() - t) / n;
  const cpuMs = cpuMsSince(c) / n;
  detector.close();
  const recall = (100 * acc.tp) / acc.gt;
  const precision = (100 * acc.tp) / Math.max(1, acc.tp + acc.fp);
  rows.push({
    stage: label,
    ms,
    cpuMs,
    note: `${(dets / n).toFixed(1)} boxes/frame; score>=0.5 @IoU0.5: recall ${recall.toFixed(1)} %, precision ${precision.toFixed(1)} %`,
  });
}

for (const lanes of [1, 2]) {
  const how = lanes === 1 ? 'one frame at a time' : '2 lanes, 2 frames at a time';
  await run(`HOG (upscale 1.5, pyramid 1.2, grey), ${how}`, await createDetector({ kind: 'hog', lanes }));
  await run(
    `YOLOX-nano (OpenCV DNN, 416x320 input), ${how}`,
    await createDetector({ kind: 'yolox', model: values.model, lanes }),
  );
}

// Motion gate: cost per frame and share of frames it would skip.
const gate = new MotionGate(cv);
let skipped = 0;
t0 = performance.now();
c0 = process.cpuUsage();
for (const m of frames) if (!gate.moved(m)) skipped++;
const gateMs = (performance.now() - t0) / n;
const gateCpu = cpuMsSince(c0) / n;
gate.close();
rows.push({
  stage: 'motion gate (160 px grey diff)',
  ms: gateMs,
  cpuMs: gateCpu,
  note: `skips ${skipped} of ${n} frames (${((100 * skipped) / n).toFixed(1)} %)`,
});
for (const m of frames) m.release();

const cpu = cpus();
console.log(
  `\nvtest.avi, first ${n} frames; ${cpu[0]?.model ?? 'unknown CPU'} x ${cpu.length} cores, ` +
    `${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, OpenCV ${cv.version.major}.${cv.version.minor}\n`,
);
const [load1] = loadavg();
console.log(
  `load average at the end: ${load1?.toFixed(1)} (wall times suffer when it exceeds the core count)\n`,
);
console.log('| stage | ms/frame (wall) | frames/s (wall) | CPU ms/frame | notes |');
console.log('|---|---:|---:|---:|---|');
for (const r of rows) {
  console.log(
    `| ${r.stage} | ${r.ms.toFixed(1)} | ${(1000 / r.ms).toFixed(1)} | ${r.cpuMs.toFixed(1)} | ${r.note} |`,
  );
}
